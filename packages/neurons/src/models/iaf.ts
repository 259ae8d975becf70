import { type Param, type StepResult, type SurrogateMethod, tidy } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { FeedForwardCell, RecurrentCell, type RecurrentCellOptions } from '../cells.js';
import {
  checkWeights,
  filled,
  linear,
  resetTo,
  type ShapeLike,
  shapeOf,
  spike,
  withDefaults,
} from '../math.js';

/** Parameters of the integrate-and-fire neuron (Norse `IAFParameters`). */
export interface IAFParams {
  /** Threshold. Default 1. */
  readonly vTh: Param;
  /** Reset potential (and initial potential). Default 0. */
  readonly vReset: Param;
  /** Surrogate. Default `'super'`. */
  readonly method: SurrogateMethod;
  /** Surrogate sharpness. Default 100. */
  readonly alpha: Param;
}

/** Norse's IAF defaults. */
export const DEFAULT_IAF_PARAMS: IAFParams = Object.freeze({
  vTh: 1,
  vReset: 0,
  method: 'super',
  alpha: 100,
});

/** IAF parameters with defaults for every field not given. */
export function iafParams(overrides: Partial<IAFParams> = {}): IAFParams {
  return withDefaults('iafParams', DEFAULT_IAF_PARAMS, overrides);
}

/** State of a feed-forward IAF neuron. */
export interface IAFState {
  readonly v: tf.Tensor;
}

/** State of a recurrent IAF layer. */
export interface IAFRecurrentState extends IAFState {
  readonly z: tf.Tensor;
}

/** Norse's initial IAF state: `v = vReset`. */
export function iafInitialState(shape: ShapeLike, params: IAFParams = DEFAULT_IAF_PARAMS): IAFState {
  return { v: filled(shapeOf(shape), params.vReset) };
}

/** Initial recurrent IAF state: `z = 0`, `v = vReset`. */
export function iafRecurrentInitialState(
  shape: ShapeLike,
  params: IAFParams = DEFAULT_IAF_PARAMS,
): IAFRecurrentState {
  const s = shapeOf(shape);
  return { z: tf.zeros(s), v: filled(s, params.vReset) };
}

/**
 * One step of an integrate-and-fire neuron (Norse `iaf_feed_forward_step`): no leak and no `dt`.
 *
 * ```
 * v = v + x;  z = H(v - vTh);  v = (1 - z)*v + z*vReset
 * ```
 * `dt` is accepted for a uniform signature and ignored.
 */
export function iafStep(
  input: tf.Tensor,
  state: IAFState,
  params: IAFParams = DEFAULT_IAF_PARAMS,
  _dt = 1e-3,
): StepResult<IAFState> {
  return tidy(() => {
    const vIn = tf.add(state.v, input);
    const z = spike(vIn, params.vTh, params.method, params.alpha);
    return [z, { v: resetTo(z, vIn, params.vReset, false) }] as const;
  });
}

/**
 * One step of a recurrent IAF layer (Norse `iaf_step`):
 * `v = (v + x @ Win^T) + zPrev @ Wrec^T`, then as {@link iafStep}. The order of the sum is kept:
 * without a leak, potentials land exactly on the threshold and float32 rounding would flip spikes.
 */
export function iafRecurrentStep(
  input: tf.Tensor,
  state: IAFRecurrentState,
  inputWeights: tf.Tensor,
  recurrentWeights: tf.Tensor,
  params: IAFParams = DEFAULT_IAF_PARAMS,
  _dt = 1e-3,
): StepResult<IAFRecurrentState> {
  checkWeights('iafRecurrentStep', input, inputWeights, 'inputWeights');
  checkWeights('iafRecurrentStep', state.z, recurrentWeights, 'recurrentWeights');
  return tidy(() => {
    const vIn = tf.add(tf.add(state.v, linear(input, inputWeights)), linear(state.z, recurrentWeights));
    const z = spike(vIn, params.vTh, params.method, params.alpha);
    return [z, { z: tf.clone(z), v: resetTo(z, vIn, params.vReset, false) }] as const;
  });
}

/** Integrate-and-fire cell; initial `v = vReset`. */
export class IAFCell extends FeedForwardCell<ReturnType<typeof iafInitialState>, IAFParams> {
  constructor(params: IAFParams = DEFAULT_IAF_PARAMS) {
    super('IAFCell', iafStep, iafInitialState, params, 1e-3);
  }
}

/** Recurrent integrate-and-fire cell. */
export class IAFRecurrentCell extends RecurrentCell<ReturnType<typeof iafRecurrentInitialState>, IAFParams> {
  constructor(
    inputSize: number,
    hiddenSize: number,
    params: IAFParams = DEFAULT_IAF_PARAMS,
    options: RecurrentCellOptions = {},
  ) {
    super(
      'IAFRecurrentCell',
      iafRecurrentStep,
      iafRecurrentInitialState,
      inputSize,
      hiddenSize,
      params,
      options,
    );
  }
}
