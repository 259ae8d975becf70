import { checkDt, type Param, type StepResult, tidy } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { FeedForwardCell, RecurrentCell, type RecurrentCellOptions } from '../cells.js';
import { type ShapeLike, shapeOf, withDefaults } from '../math.js';
import { refractoryUpdate } from '../refractory.js';
import {
  DEFAULT_LIF_ADEX_PARAMS,
  type LIFAdExParams,
  type LIFAdExRecurrentState,
  type LIFAdExState,
  lifAdExInitialState,
  lifAdExRecurrentInitialState,
  lifAdExRecurrentStep,
  lifAdExStep,
} from './lif-adex.js';

/** Parameters of an AdEx neuron with a refractory period (Norse `LIFAdExRefracParameters`). */
export interface LIFAdExRefracParams {
  /** The inner AdEx neuron's parameters. */
  readonly lif: LIFAdExParams;
  /** Refractory steps after a spike. Default 5. */
  readonly rhoReset: Param;
}

/** Defaults: AdEx defaults, `rhoReset = 5`. */
export const DEFAULT_LIF_ADEX_REFRAC_PARAMS: LIFAdExRefracParams = Object.freeze({
  lif: DEFAULT_LIF_ADEX_PARAMS,
  rhoReset: 5,
});

/** LIFAdExRefrac parameters with defaults for every field not given. */
export function lifAdExRefracParams(overrides: Partial<LIFAdExRefracParams> = {}): LIFAdExRefracParams {
  return withDefaults('lifAdExRefracParams', DEFAULT_LIF_ADEX_REFRAC_PARAMS, overrides);
}

/** State of a feed-forward refractory AdEx neuron. */
export interface LIFAdExRefracState {
  readonly lif: LIFAdExState;
  readonly rho: tf.Tensor;
}

/** State of a recurrent refractory AdEx layer. */
export interface LIFAdExRefracRecurrentState {
  readonly lif: LIFAdExRecurrentState;
  readonly rho: tf.Tensor;
}

/** Initial state: AdEx's and `rho = 0`. */
export function lifAdExRefracInitialState(
  shape: ShapeLike,
  params: LIFAdExRefracParams = DEFAULT_LIF_ADEX_REFRAC_PARAMS,
): LIFAdExRefracState {
  return { lif: lifAdExInitialState(shape, params.lif), rho: tf.zeros(shapeOf(shape)) };
}

/** Initial recurrent state: AdEx's and `rho = 0`. */
export function lifAdExRefracRecurrentInitialState(
  shape: ShapeLike,
  params: LIFAdExRefracParams = DEFAULT_LIF_ADEX_REFRAC_PARAMS,
): LIFAdExRefracRecurrentState {
  return { lif: lifAdExRecurrentInitialState(shape, params.lif), rho: tf.zeros(shapeOf(shape)) };
}

/**
 * One step of a refractory AdEx neuron (Norse `lif_adex_refrac_feed_forward_step`): {@link lifAdExStep},
 * then the refractory update of `v`, `z` and `rho`. `i` and `a` come from the AdEx step unchanged
 * (so `a`'s spike increment uses the unmasked spike, as in Norse).
 */
export function lifAdExRefracStep(
  input: tf.Tensor,
  state: LIFAdExRefracState,
  params: LIFAdExRefracParams = DEFAULT_LIF_ADEX_REFRAC_PARAMS,
  dt = 1e-3,
): StepResult<LIFAdExRefracState> {
  checkDt(dt, 'lifAdExRefracStep');
  return tidy(() => {
    const [zInner, inner] = lifAdExStep(input, state.lif, params.lif, dt);
    const { v, z, rho } = refractoryUpdate(
      state.rho,
      state.lif.v,
      zInner,
      inner.v,
      params.rhoReset,
      params.lif.method,
      params.lif.alpha,
    );
    return [z, { lif: { v, i: inner.i, a: inner.a }, rho }] as const;
  });
}

/** One step of a recurrent refractory AdEx layer (Norse `lif_adex_refrac_step`). */
export function lifAdExRefracRecurrentStep(
  input: tf.Tensor,
  state: LIFAdExRefracRecurrentState,
  inputWeights: tf.Tensor,
  recurrentWeights: tf.Tensor,
  params: LIFAdExRefracParams = DEFAULT_LIF_ADEX_REFRAC_PARAMS,
  dt = 1e-3,
): StepResult<LIFAdExRefracRecurrentState> {
  checkDt(dt, 'lifAdExRefracRecurrentStep');
  return tidy(() => {
    const [zInner, inner] = lifAdExRecurrentStep(
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
    return [z, { lif: { z: tf.clone(z), v, i: inner.i, a: inner.a }, rho }] as const;
  });
}

/** Refractory AdEx cell. */
export class LIFAdExRefracCell extends FeedForwardCell<
  ReturnType<typeof lifAdExRefracInitialState>,
  LIFAdExRefracParams
> {
  constructor(params: LIFAdExRefracParams = DEFAULT_LIF_ADEX_REFRAC_PARAMS, dt = 1e-3) {
    super('LIFAdExRefracCell', lifAdExRefracStep, lifAdExRefracInitialState, params, dt);
  }
}

/** Recurrent refractory AdEx cell. */
export class LIFAdExRefracRecurrentCell extends RecurrentCell<
  ReturnType<typeof lifAdExRefracRecurrentInitialState>,
  LIFAdExRefracParams
> {
  constructor(
    inputSize: number,
    hiddenSize: number,
    params: LIFAdExRefracParams = DEFAULT_LIF_ADEX_REFRAC_PARAMS,
    options: RecurrentCellOptions = {},
  ) {
    super(
      'LIFAdExRefracRecurrentCell',
      lifAdExRefracRecurrentStep,
      lifAdExRefracRecurrentInitialState,
      inputSize,
      hiddenSize,
      params,
      options,
    );
  }
}
