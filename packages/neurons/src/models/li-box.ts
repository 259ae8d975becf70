import { checkDt, type Param, type StepResult, tidy } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { FeedForwardCell, LinearInputCell } from '../cells.js';
import type { InitOptions } from '../init.js';
import { checkWeights, eulerStep, filled, linear, type ShapeLike, shapeOf, withDefaults } from '../math.js';

/** Parameters of the leaky integrator without synaptic current (Norse `LIBoxParameters`). */
export interface LIBoxParams {
  /** Inverse membrane time constant (1/s). Default 100. */
  readonly tauMemInv: Param;
  /** Leak potential. Default 0. */
  readonly vLeak: Param;
}

/** Norse's LIBox defaults. */
export const DEFAULT_LI_BOX_PARAMS: LIBoxParams = Object.freeze({ tauMemInv: 100, vLeak: 0 });

/** LIBox parameters with defaults for every field not given. */
export function liBoxParams(overrides: Partial<LIBoxParams> = {}): LIBoxParams {
  return withDefaults('liBoxParams', DEFAULT_LI_BOX_PARAMS, overrides);
}

/** State of a LIBox integrator. */
export interface LIBoxState {
  readonly v: tf.Tensor;
}

/** Initial LIBox state: `v = vLeak`. */
export function liBoxInitialState(shape: ShapeLike, params: LIBoxParams = DEFAULT_LI_BOX_PARAMS): LIBoxState {
  return { v: filled(shapeOf(shape), params.vLeak) };
}

function liBoxUpdate(
  drive: tf.Tensor,
  state: LIBoxState,
  params: LIBoxParams,
  dt: number,
): StepResult<LIBoxState> {
  const v = eulerStep(state.v, dt, params.tauMemInv, tf.add(tf.sub(params.vLeak, state.v), drive));
  return [v, { v: tf.clone(v) }] as const;
}

/**
 * One step of a leaky integrator driven directly by its input (Norse `li_box_feed_forward_step`):
 * `vNew = v + dt*tauMemInv*((vLeak - v) + x)`. Output: `vNew`.
 */
export function liBoxStep(
  input: tf.Tensor,
  state: LIBoxState,
  params: LIBoxParams = DEFAULT_LI_BOX_PARAMS,
  dt = 1e-3,
): StepResult<LIBoxState> {
  checkDt(dt, 'liBoxStep');
  return tidy(() => liBoxUpdate(input, state, params, dt));
}

/**
 * One step of a box leaky integrator behind a linear layer (Norse `li_box_step`):
 * `vNew = v + dt*tauMemInv*((vLeak - v) + x @ W^T)`.
 */
export function liBoxLinearStep(
  input: tf.Tensor,
  state: LIBoxState,
  weights: tf.Tensor,
  params: LIBoxParams = DEFAULT_LI_BOX_PARAMS,
  dt = 1e-3,
): StepResult<LIBoxState> {
  checkDt(dt, 'liBoxLinearStep');
  checkWeights('liBoxLinearStep', input, weights, 'weights');
  return tidy(() => liBoxUpdate(linear(input, weights), state, params, dt));
}

/** Box leaky-integrator cell. */
export class LIBoxCell extends FeedForwardCell<ReturnType<typeof liBoxInitialState>, LIBoxParams> {
  constructor(params: LIBoxParams = DEFAULT_LI_BOX_PARAMS, dt = 1e-3) {
    super('LIBoxCell', liBoxStep, liBoxInitialState, params, dt);
  }
}

/** Box leaky integrator behind its own linear layer. */
export class LIBoxLinearCell extends LinearInputCell<ReturnType<typeof liBoxInitialState>, LIBoxParams> {
  constructor(
    inputSize: number,
    outputSize: number,
    params: LIBoxParams = DEFAULT_LI_BOX_PARAMS,
    options: InitOptions & { readonly dt?: number } = {},
  ) {
    super('LIBoxLinearCell', liBoxLinearStep, liBoxInitialState, inputSize, outputSize, params, options);
  }
}
