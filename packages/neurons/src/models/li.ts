import { checkDt, type Param, type StepResult, tidy } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { FeedForwardCell, LinearInputCell } from '../cells.js';
import type { InitOptions } from '../init.js';
import {
  checkWeights,
  decaySub,
  eulerStep,
  filled,
  linear,
  type ShapeLike,
  shapeOf,
  withDefaults,
} from '../math.js';
import type { CallOptions } from '../module.js';
import { liIntegral } from '../ops/li-sequence.js';
import { project } from '../ops/project.js';
import { Sequence } from '../sequence.js';

/** Parameters of the leaky integrator (Norse `LIParameters`). */
export interface LIParams {
  /** Inverse synaptic time constant (1/s). Default 200. */
  readonly tauSynInv: Param;
  /** Inverse membrane time constant (1/s). Default 100. */
  readonly tauMemInv: Param;
  /** Leak potential. Default 0. */
  readonly vLeak: Param;
}

/** Norse's LI defaults. */
export const DEFAULT_LI_PARAMS: LIParams = Object.freeze({ tauSynInv: 200, tauMemInv: 100, vLeak: 0 });

/** LI parameters with defaults for every field not given. */
export function liParams(overrides: Partial<LIParams> = {}): LIParams {
  return withDefaults('liParams', DEFAULT_LI_PARAMS, overrides);
}

/** Norse's biological LI preset (per-millisecond units). */
export const BIO_LI_PARAMS: LIParams = liParams({ tauSynInv: 1 / 2, tauMemInv: 1 / 10, vLeak: -70 });

/** State of a leaky integrator (Norse `LIState`). */
export interface LIState {
  readonly v: tf.Tensor;
  readonly i: tf.Tensor;
}

/** Norse's initial LI state: `v = vLeak`, `i = 0`. */
export function liInitialState(shape: ShapeLike, params: LIParams = DEFAULT_LI_PARAMS): LIState {
  const s = shapeOf(shape);
  return { v: filled(s, params.vLeak), i: tf.zeros(s) };
}

function liUpdate(iJump: tf.Tensor, state: LIState, params: LIParams, dt: number): StepResult<LIState> {
  const v = eulerStep(state.v, dt, params.tauMemInv, tf.add(tf.sub(params.vLeak, state.v), iJump));
  const i = decaySub(iJump, dt, params.tauSynInv);
  return [v, { v: tf.clone(v), i }] as const;
}

/**
 * One step of a leaky integrator driven by a current (Norse `li_feed_forward_step`). It never
 * spikes; its output is the membrane potential (the tutorial's readout).
 *
 * ```
 * iJump = i + x
 * vNew  = v + dt*tauMemInv*((vLeak - v) + iJump)
 * iNew  = iJump - dt*tauSynInv*iJump
 * ```
 * @returns `[vNew, { v: vNew, i: iNew }]`
 */
export function liStep(
  input: tf.Tensor,
  state: LIState,
  params: LIParams = DEFAULT_LI_PARAMS,
  dt = 1e-3,
): StepResult<LIState> {
  checkDt(dt, 'liStep');
  return tidy(() => liUpdate(tf.add(state.i, input), state, params, dt));
}

/**
 * One step of a leaky integrator behind a linear layer (Norse `li_step`): `iJump = i + x @ W^T`,
 * then as {@link liStep}.
 *
 * @param weights - `[out, in]`.
 */
export function liLinearStep(
  input: tf.Tensor,
  state: LIState,
  weights: tf.Tensor,
  params: LIParams = DEFAULT_LI_PARAMS,
  dt = 1e-3,
): StepResult<LIState> {
  checkDt(dt, 'liLinearStep');
  checkWeights('liLinearStep', input, weights, 'weights');
  return tidy(() => liUpdate(tf.add(state.i, linear(input, weights)), state, params, dt));
}

/** Leaky-integrator cell (Norse `LICell`): the readout; output is the membrane potential. */
export class LICell extends FeedForwardCell<ReturnType<typeof liInitialState>, LIParams> {
  constructor(params: LIParams = DEFAULT_LI_PARAMS, dt = 1e-3) {
    super('LICell', liStep, liInitialState, params, dt);
  }

  /** Every step at once: {@link liIntegral} (one kernel where ours run). */
  callSequence(inputs: tf.Tensor, state: LIState | undefined, _options?: CallOptions): StepResult<LIState> {
    return liIntegral(inputs, state, this.params, this.dt);
  }
}

/** Leaky integrator behind its own linear layer (Norse `LILinearCell`): weights `randn/sqrt(in)`. */
export class LILinearCell extends LinearInputCell<ReturnType<typeof liInitialState>, LIParams> {
  constructor(
    inputSize: number,
    outputSize: number,
    params: LIParams = DEFAULT_LI_PARAMS,
    options: InitOptions & { readonly dt?: number } = {},
  ) {
    super('LILinearCell', liLinearStep, liInitialState, inputSize, outputSize, params, options);
  }

  /** Every step at once: one product for all steps (event-driven for spikes), then {@link liIntegral}. */
  callSequence(inputs: tf.Tensor, state: LIState | undefined, _options?: CallOptions): StepResult<LIState> {
    this.checkAlive();
    checkWeights('LILinearCell', inputs, this.weights, 'weights');
    return tidy(() => liIntegral(project(inputs, this.weights), state, this.params, this.dt));
  }
}

/** Leaky integrator over time: currents → membrane potentials. */
export class LI extends Sequence<LIState, LICell> {
  constructor(params: LIParams = DEFAULT_LI_PARAMS, dt = 1e-3) {
    super(new LICell(params, dt));
  }
}

/** Leaky integrator behind a linear layer, over time. */
export class LILinear extends Sequence<LIState, LILinearCell> {
  constructor(
    inputSize: number,
    outputSize: number,
    params: LIParams = DEFAULT_LI_PARAMS,
    options: InitOptions & { readonly dt?: number } = {},
  ) {
    super(new LILinearCell(inputSize, outputSize, params, options));
  }
}
