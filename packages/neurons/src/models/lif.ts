import { checkDt, type Param, type StepResult, type SurrogateMethod, tidy } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { FeedForwardCell, RecurrentCell, type RecurrentCellOptions } from '../cells.js';
import {
  checkWeights,
  decay,
  eulerStep,
  filled,
  linear,
  resetTo,
  type ShapeLike,
  shapeOf,
  spike,
  withDefaults,
} from '../math.js';
import type { CallOptions } from '../module.js';
import { lifRecurrentIntegral } from '../ops/lif-recurrent-sequence.js';
import { lifIntegral } from '../ops/lif-sequence.js';
import { project } from '../ops/project.js';
import { Sequence } from '../sequence.js';

/**
 * Parameters of the leaky integrate-and-fire neuron (Norse `LIFParameters`).
 * Inverse time constants are per second; voltages and currents are in arbitrary units.
 */
export interface LIFParams {
  /** Inverse synaptic time constant `1/tau_syn` (1/s). Default 200 (5 ms). */
  readonly tauSynInv: Param;
  /** Inverse membrane time constant `1/tau_mem` (1/s). Default 100 (10 ms). */
  readonly tauMemInv: Param;
  /** Leak (resting) potential. Default 0. */
  readonly vLeak: Param;
  /** Threshold potential. Default 1. */
  readonly vTh: Param;
  /** Reset potential. Default 0. */
  readonly vReset: Param;
  /** Surrogate gradient of the spike. Default `'super'`. */
  readonly method: SurrogateMethod;
  /** Sharpness of the surrogate. Default 100. */
  readonly alpha: Param;
}

/** Norse's LIF defaults. */
export const DEFAULT_LIF_PARAMS: LIFParams = Object.freeze({
  tauSynInv: 200,
  tauMemInv: 100,
  vLeak: 0,
  vTh: 1,
  vReset: 0,
  method: 'super',
  alpha: 100,
});

/** LIF parameters with Norse's defaults for every field not given, e.g. `lifParams({ vTh: 0.5 })`. */
export function lifParams(overrides: Partial<LIFParams> = {}): LIFParams {
  return withDefaults('lifParams', DEFAULT_LIF_PARAMS, overrides);
}

/** Norse's biological LIF preset (per-millisecond units: use `dt` in ms, e.g. 0.1). Initial v −65. */
export const BIO_LIF_PARAMS: LIFParams = lifParams({
  tauSynInv: 1 / 2,
  tauMemInv: 1 / 10,
  vLeak: -70,
  vTh: -55,
  vReset: -70,
});

/** The initial membrane potential of Norse's `bio` preset. */
export const BIO_INITIAL_V = -65;

/** State of a feed-forward LIF neuron (Norse `LIFFeedForwardState`). */
export interface LIFState {
  /** Membrane potential. */
  readonly v: tf.Tensor;
  /** Synaptic input current. */
  readonly i: tf.Tensor;
}

/** State of a recurrent LIF neuron (Norse `LIFState`): adds the last step's spikes. */
export interface LIFRecurrentState extends LIFState {
  /** Spikes of the previous step. */
  readonly z: tf.Tensor;
}

/** Norse's initial feed-forward state: `v = vLeak`, `i = 0`. */
export function lifInitialState(shape: ShapeLike, params: LIFParams = DEFAULT_LIF_PARAMS): LIFState {
  const s = shapeOf(shape);
  return { v: filled(s, params.vLeak), i: tf.zeros(s) };
}

/** Norse's initial recurrent state: `z = 0`, `v = vLeak`, `i = 0`. */
export function lifRecurrentInitialState(
  shape: ShapeLike,
  params: LIFParams = DEFAULT_LIF_PARAMS,
): LIFRecurrentState {
  const s = shapeOf(shape);
  return { z: tf.zeros(s), v: filled(s, params.vLeak), i: tf.zeros(s) };
}

/**
 * One Euler step of a feed-forward LIF neuron whose input is a current (Norse `lif_feed_forward_step`).
 *
 * ```
 * iJump = i + x                                   // the current jumps first
 * vDec  = v + dt*tauMemInv*((vLeak - v) + iJump)  // Euler step with the jumped current
 * iDec  = iJump + (-dt*tauSynInv)*iJump
 * z     = H(vDec - vTh)                           // surrogate gradient in backward
 * vNew  = (1 - z)*vDec + z*vReset                 // not detached
 * ```
 * A spike appears in the same step as its input.
 *
 * @param input - Input current `[B, ...]` (same shape as the state).
 * @returns `[z, { v: vNew, i: iDec }]`
 */
export function lifStep(
  input: tf.Tensor,
  state: LIFState,
  params: LIFParams = DEFAULT_LIF_PARAMS,
  dt = 1e-3,
): StepResult<LIFState> {
  checkDt(dt, 'lifStep');
  return tidy(() => {
    const iJump = tf.add(state.i, input);
    const vDec = eulerStep(state.v, dt, params.tauMemInv, tf.add(tf.sub(params.vLeak, state.v), iJump));
    const iDec = decay(iJump, dt, params.tauSynInv);
    const z = spike(vDec, params.vTh, params.method, params.alpha);
    const v = resetTo(z, vDec, params.vReset, false);
    return [z, { v, i: iDec }] as const;
  });
}

/**
 * One Euler step of a recurrent LIF layer (Norse `lif_step`): input spikes through `inputWeights`,
 * the layer's own previous spikes through `recurrentWeights`.
 *
 * ```
 * iJump = i + x @ Win^T + zPrev @ Wrec^T
 * vDec  = v + dt*tauMemInv*((vLeak - v) + iJump)
 * iDec  = iJump + (-dt*tauSynInv)*iJump
 * z     = H(vDec - vTh)
 * vNew  = (1 - z)*vDec + z*vReset                 // z DETACHED here
 * ```
 *
 * @param input - Input `[B, in]`.
 * @param inputWeights - `[hidden, in]`.
 * @param recurrentWeights - `[hidden, hidden]`.
 * @returns `[z, { z, v: vNew, i: iDec }]`
 */
export function lifRecurrentStep(
  input: tf.Tensor,
  state: LIFRecurrentState,
  inputWeights: tf.Tensor,
  recurrentWeights: tf.Tensor,
  params: LIFParams = DEFAULT_LIF_PARAMS,
  dt = 1e-3,
): StepResult<LIFRecurrentState> {
  checkDt(dt, 'lifRecurrentStep');
  checkWeights('lifRecurrentStep', input, inputWeights, 'inputWeights');
  return tidy(() => lifRecurrentUpdate(linear(input, inputWeights), state, recurrentWeights, params, dt));
}

/**
 * {@link lifRecurrentStep} given its input current `x @ Win^T` (`[B, hidden]`) rather than its
 * input: what a whole-sequence run computes after projecting every step's input at once.
 */
export function lifRecurrentUpdate(
  current: tf.Tensor,
  state: LIFRecurrentState,
  recurrentWeights: tf.Tensor,
  params: LIFParams = DEFAULT_LIF_PARAMS,
  dt = 1e-3,
): StepResult<LIFRecurrentState> {
  checkWeights('lifRecurrentStep', state.z, recurrentWeights, 'recurrentWeights');
  return tidy(() => {
    const iJump = tf.add(tf.add(state.i, current), linear(state.z, recurrentWeights));
    const vDec = eulerStep(state.v, dt, params.tauMemInv, tf.add(tf.sub(params.vLeak, state.v), iJump));
    const iDec = decay(iJump, dt, params.tauSynInv);
    const z = spike(vDec, params.vTh, params.method, params.alpha);
    const v = resetTo(z, vDec, params.vReset, true);
    // The state keeps its own handle on z (same data, no copy), so disposing the output is safe.
    return [z, { z: tf.clone(z), v, i: iDec }] as const;
  });
}

/**
 * One step of the LIF current encoder (Norse `lif_current_encoder`): a membrane driven directly by
 * a current, with no synaptic current. `tauSynInv` is unused.
 *
 * ```
 * v = v + dt*tauMemInv*((vLeak - v) + I)
 * z = H(v - vTh)
 * v = v - z*(v - vReset)
 * ```
 * @returns `[z, vNew]`
 */
export function lifCurrentEncoderStep(
  current: tf.Tensor,
  v: tf.Tensor,
  params: LIFParams = DEFAULT_LIF_PARAMS,
  dt = 1e-3,
): readonly [tf.Tensor, tf.Tensor] {
  checkDt(dt, 'lifCurrentEncoderStep');
  return tidy(() => {
    const vDec = eulerStep(v, dt, params.tauMemInv, tf.add(tf.sub(params.vLeak, v), current));
    const z = spike(vDec, params.vTh, params.method, params.alpha);
    const vNew = tf.sub(vDec, tf.mul(z, tf.sub(vDec, params.vReset)));
    return [z, vNew] as const;
  });
}

/** Feed-forward LIF cell (Norse `LIFCell`): input is a current; initial `v = vLeak`, `i = 0`. */
export class LIFCell extends FeedForwardCell<LIFState, LIFParams> {
  constructor(params: LIFParams = DEFAULT_LIF_PARAMS, dt = 1e-3) {
    super('LIFCell', lifStep, lifInitialState, params, dt);
  }

  /** Every step at once: {@link lifIntegral} (one kernel where ours run). */
  callSequence(inputs: tf.Tensor, state: LIFState | undefined, _options?: CallOptions): StepResult<LIFState> {
    return lifIntegral(inputs, state, this.params, this.dt);
  }
}

/** Recurrent LIF cell (Norse `LIFRecurrentCell`): `randn·sqrt(2/hidden)` weights, no autapses. */
export class LIFRecurrentCell extends RecurrentCell<ReturnType<typeof lifRecurrentInitialState>, LIFParams> {
  constructor(
    inputSize: number,
    hiddenSize: number,
    params: LIFParams = DEFAULT_LIF_PARAMS,
    options: RecurrentCellOptions = {},
  ) {
    super(
      'LIFRecurrentCell',
      lifRecurrentStep,
      lifRecurrentInitialState,
      inputSize,
      hiddenSize,
      params,
      options,
    );
  }

  /**
   * Every step at once: the input currents of all steps in one product (event-driven for spikes),
   * then {@link lifRecurrentIntegral} (one kernel where ours run).
   */
  callSequence(
    inputs: tf.Tensor,
    state: LIFRecurrentState | undefined,
    _options?: CallOptions,
  ): StepResult<LIFRecurrentState> | undefined {
    this.checkAlive();
    if (inputs.rank !== 3) return undefined;
    this.checkInput(inputs);
    return tidy(() =>
      lifRecurrentIntegral(
        project(inputs, this.inputWeights),
        this.effectiveRecurrentWeights(),
        state,
        this.params,
        this.dt,
      ),
    );
  }
}

/** Feed-forward LIF over time: currents `[T, B, N]` → spikes `[T, B, N]`. */
export class LIF extends Sequence<LIFState, LIFCell> {
  constructor(params: LIFParams = DEFAULT_LIF_PARAMS, dt = 1e-3) {
    super(new LIFCell(params, dt));
  }
}

/** Recurrent LIF over time: `[T, B, in]` → spikes `[T, B, hidden]`. */
export class LIFRecurrent extends Sequence<LIFRecurrentState, LIFRecurrentCell> {
  constructor(
    inputSize: number,
    hiddenSize: number,
    params: LIFParams = DEFAULT_LIF_PARAMS,
    options: RecurrentCellOptions = {},
  ) {
    super(new LIFRecurrentCell(inputSize, hiddenSize, params, options));
  }
}
