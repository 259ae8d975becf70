import { checkDt, type Param, type StepResult, tidy } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { FeedForwardCell, RecurrentCell, type RecurrentCellOptions } from '../cells.js';
import { type ShapeLike, shapeOf, withDefaults } from '../math.js';
import { refractoryUpdate } from '../refractory.js';
import {
  DEFAULT_LIF_PARAMS,
  type LIFParams,
  type LIFRecurrentState,
  type LIFState,
  lifInitialState,
  lifRecurrentInitialState,
  lifRecurrentStep,
  lifStep,
} from './lif.js';

/** Parameters of a LIF neuron with a refractory period (Norse `LIFRefracParameters`). */
export interface LIFRefracParams {
  /** The inner LIF's parameters. */
  readonly lif: LIFParams;
  /** Refractory steps after a spike. Default 5. */
  readonly rhoReset: Param;
}

/** Norse's LIFRefrac defaults: LIF defaults, `rhoReset = 5`. */
export const DEFAULT_LIF_REFRAC_PARAMS: LIFRefracParams = Object.freeze({
  lif: DEFAULT_LIF_PARAMS,
  rhoReset: 5,
});

/** LIFRefrac parameters with defaults for every field not given. */
export function lifRefracParams(overrides: Partial<LIFRefracParams> = {}): LIFRefracParams {
  return withDefaults('lifRefracParams', DEFAULT_LIF_REFRAC_PARAMS, overrides);
}

/** State of a feed-forward refractory LIF neuron: the inner LIF state and the refractory counter. */
export interface LIFRefracState {
  readonly lif: LIFState;
  /** Steps of refractoriness left (0 when the neuron may fire). */
  readonly rho: tf.Tensor;
}

/** State of a recurrent refractory LIF layer. */
export interface LIFRefracRecurrentState {
  readonly lif: LIFRecurrentState;
  readonly rho: tf.Tensor;
}

/** Initial state: LIF's (`v = vLeak`, `i = 0`) and `rho = 0`. */
export function lifRefracInitialState(
  shape: ShapeLike,
  params: LIFRefracParams = DEFAULT_LIF_REFRAC_PARAMS,
): LIFRefracState {
  return { lif: lifInitialState(shape, params.lif), rho: tf.zeros(shapeOf(shape)) };
}

/** Initial recurrent state: LIF's (`z = 0`, `v = vLeak`, `i = 0`) and `rho = 0`. */
export function lifRefracRecurrentInitialState(
  shape: ShapeLike,
  params: LIFRefracParams = DEFAULT_LIF_REFRAC_PARAMS,
): LIFRefracRecurrentState {
  return { lif: lifRecurrentInitialState(shape, params.lif), rho: tf.zeros(shapeOf(shape)) };
}

/**
 * One step of a refractory LIF neuron (Norse `lif_refrac_feed_forward_step`): {@link lifStep}, then
 * the refractory update — while `rho > 0` the neuron keeps its old potential and cannot spike;
 * a spike sets `rho = rhoReset`, and `rho` counts down by one per step. `i` comes from the LIF step.
 */
export function lifRefracStep(
  input: tf.Tensor,
  state: LIFRefracState,
  params: LIFRefracParams = DEFAULT_LIF_REFRAC_PARAMS,
  dt = 1e-3,
): StepResult<LIFRefracState> {
  checkDt(dt, 'lifRefracStep');
  return tidy(() => {
    const [zInner, inner] = lifStep(input, state.lif, params.lif, dt);
    const { v, z, rho } = refractoryUpdate(
      state.rho,
      state.lif.v,
      zInner,
      inner.v,
      params.rhoReset,
      params.lif.method,
      params.lif.alpha,
    );
    return [z, { lif: { v, i: inner.i }, rho }] as const;
  });
}

/**
 * One step of a recurrent refractory LIF layer (Norse `lif_refrac_step`): {@link lifRecurrentStep}
 * (whose recurrent input is the previous, masked `z`), then the refractory update.
 */
export function lifRefracRecurrentStep(
  input: tf.Tensor,
  state: LIFRefracRecurrentState,
  inputWeights: tf.Tensor,
  recurrentWeights: tf.Tensor,
  params: LIFRefracParams = DEFAULT_LIF_REFRAC_PARAMS,
  dt = 1e-3,
): StepResult<LIFRefracRecurrentState> {
  checkDt(dt, 'lifRefracRecurrentStep');
  return tidy(() => {
    const [zInner, inner] = lifRecurrentStep(
      input,
      state.lif,
      inputWeights,
      recurrentWeights,
      params.lif,
      dt,
    );
    const { v, z, rho } = refractoryUpdate(
      state.rho,
      state.lif.v,
      zInner,
      inner.v,
      params.rhoReset,
      params.lif.method,
      params.lif.alpha,
    );
    return [z, { lif: { z: tf.clone(z), v, i: inner.i }, rho }] as const;
  });
}

/** Refractory LIF cell. */
export class LIFRefracCell extends FeedForwardCell<LIFRefracState, LIFRefracParams> {
  constructor(params: LIFRefracParams = DEFAULT_LIF_REFRAC_PARAMS, dt = 1e-3) {
    super('LIFRefracCell', lifRefracStep, lifRefracInitialState, params, dt);
  }
}

/** Recurrent refractory LIF cell; the recurrent spikes live in `state.lif.z`. */
export class LIFRefracRecurrentCell extends RecurrentCell<
  ReturnType<typeof lifRefracRecurrentInitialState>,
  LIFRefracParams
> {
  constructor(
    inputSize: number,
    hiddenSize: number,
    params: LIFRefracParams = DEFAULT_LIF_REFRAC_PARAMS,
    options: RecurrentCellOptions = {},
  ) {
    super(
      'LIFRefracRecurrentCell',
      lifRefracRecurrentStep,
      lifRefracRecurrentInitialState,
      inputSize,
      hiddenSize,
      params,
      options,
    );
  }
}
