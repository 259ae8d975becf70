import { checkDt, type Param, type StepResult, tidy } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { FeedForwardCell, RecurrentCell, type RecurrentCellOptions } from '../cells.js';
import {
  checkWeights,
  decay,
  dtTimesDrive,
  filled,
  linear,
  resetTo,
  type ShapeLike,
  shapeOf,
  spike,
  withDefaults,
} from '../math.js';
import { Sequence } from '../sequence.js';
import { DEFAULT_LIF_PARAMS, type LIFParams } from './lif.js';
import { exponentialDrive } from './lif-ex.js';

/** Parameters of the adaptive exponential LIF neuron (Norse `LIFAdExParameters`). */
export interface LIFAdExParams extends LIFParams {
  /** Sub-threshold adaptation coupling `a` (how strongly `v - vLeak` drives the adaptation). Default 4. */
  readonly adaptationCurrent: Param;
  /** Spike-triggered adaptation increment `b`. Default 0.02. */
  readonly adaptationSpike: Param;
  /** Sharpness of the exponential spike initiation. Default 0.5. */
  readonly deltaT: Param;
  /** Inverse adaptation time constant (1/s). Default 2. */
  readonly tauAdaInv: Param;
}

/** Norse's LIFAdEx defaults. */
export const DEFAULT_LIF_ADEX_PARAMS: LIFAdExParams = Object.freeze({
  ...DEFAULT_LIF_PARAMS,
  adaptationCurrent: 4,
  adaptationSpike: 0.02,
  deltaT: 0.5,
  tauAdaInv: 2,
});

/** LIFAdEx parameters with defaults for every field not given. */
export function lifAdExParams(overrides: Partial<LIFAdExParams> = {}): LIFAdExParams {
  return withDefaults('lifAdExParams', DEFAULT_LIF_ADEX_PARAMS, overrides);
}

/** Norse's biological AdEx preset (per-millisecond units; initial v −65). */
export const BIO_LIF_ADEX_PARAMS: LIFAdExParams = lifAdExParams({
  tauSynInv: 1 / 2,
  tauMemInv: 1 / 10,
  vLeak: -70,
  vTh: -55,
  vReset: -70,
  adaptationCurrent: 0,
  adaptationSpike: 0.01,
  deltaT: 2,
  tauAdaInv: 1 / 100,
});

/** State of a feed-forward AdEx neuron. */
export interface LIFAdExState {
  readonly v: tf.Tensor;
  readonly i: tf.Tensor;
  /** Adaptation current. */
  readonly a: tf.Tensor;
}

/** State of a recurrent AdEx layer. */
export interface LIFAdExRecurrentState extends LIFAdExState {
  readonly z: tf.Tensor;
}

/** Norse's initial AdEx state: `v = vLeak`, `i = 0`, `a = 0`. */
export function lifAdExInitialState(
  shape: ShapeLike,
  params: LIFAdExParams = DEFAULT_LIF_ADEX_PARAMS,
): LIFAdExState {
  const s = shapeOf(shape);
  return { v: filled(s, params.vLeak), i: tf.zeros(s), a: tf.zeros(s) };
}

/** Norse's initial recurrent AdEx state: `z = 0`, `v = vLeak`, `i = 0`, `a = 0`. */
export function lifAdExRecurrentInitialState(
  shape: ShapeLike,
  params: LIFAdExParams = DEFAULT_LIF_ADEX_PARAMS,
): LIFAdExRecurrentState {
  const s = shapeOf(shape);
  return { z: tf.zeros(s), v: filled(s, params.vLeak), i: tf.zeros(s), a: tf.zeros(s) };
}

/** `a + dt*tauAdaInv*(adaptationCurrent*(v - vLeak) - a)`, with the old `v`. */
function adaptationDecay(a: tf.Tensor, v: tf.Tensor, p: LIFAdExParams, dt: number): tf.Tensor {
  return tf.add(a, dtTimesDrive(dt, p.tauAdaInv, tf.sub(tf.mul(p.adaptationCurrent, tf.sub(v, p.vLeak)), a)));
}

function adexVoltage(iJump: tf.Tensor, v: tf.Tensor, a: tf.Tensor, p: LIFAdExParams, dt: number): tf.Tensor {
  const drive = tf.sub(tf.add(tf.add(tf.sub(p.vLeak, v), exponentialDrive(v, p.vTh, p.deltaT)), iJump), a);
  return tf.add(v, dtTimesDrive(dt, p.tauMemInv, drive));
}

function adexUpdate(iJump: tf.Tensor, s: LIFAdExState, p: LIFAdExParams, dt: number) {
  const vDec = adexVoltage(iJump, s.v, s.a, p, dt);
  const iDec = decay(iJump, dt, p.tauSynInv);
  const aDec = adaptationDecay(s.a, s.v, p, dt);
  const z = spike(vDec, p.vTh, p.method, p.alpha);
  const v = resetTo(z, vDec, p.vReset, false);
  const a = tf.add(aDec, tf.mul(z, p.adaptationSpike));
  return { z, v, i: iDec, a };
}

/**
 * One step of an adaptive exponential LIF neuron (Norse `lif_adex_feed_forward_step`):
 *
 * ```
 * iJump = i + x
 * vDec  = v + dt*tauMemInv*((((vLeak - v) + deltaT*exp((v - vTh)/deltaT)) + iJump) - a)
 * iDec  = iJump + (-dt*tauSynInv)*iJump
 * aDec  = a + dt*tauAdaInv*(adaptationCurrent*(v - vLeak) - a)    // the OLD v
 * z     = H(vDec - vTh)
 * vNew  = (1 - z)*vDec + z*vReset                                  // not detached
 * aNew  = aDec + z*adaptationSpike
 * ```
 */
export function lifAdExStep(
  input: tf.Tensor,
  state: LIFAdExState,
  params: LIFAdExParams = DEFAULT_LIF_ADEX_PARAMS,
  dt = 1e-3,
): StepResult<LIFAdExState> {
  checkDt(dt, 'lifAdExStep');
  return tidy(() => {
    const { z, v, i, a } = adexUpdate(tf.add(state.i, input), state, params, dt);
    return [z, { v, i, a }] as const;
  });
}

/**
 * One step of a recurrent AdEx layer (Norse `lif_adex_step`): `iJump = (i + x @ Win^T) + zPrev @ Wrec^T`,
 * then as {@link lifAdExStep}.
 */
export function lifAdExRecurrentStep(
  input: tf.Tensor,
  state: LIFAdExRecurrentState,
  inputWeights: tf.Tensor,
  recurrentWeights: tf.Tensor,
  params: LIFAdExParams = DEFAULT_LIF_ADEX_PARAMS,
  dt = 1e-3,
): StepResult<LIFAdExRecurrentState> {
  checkDt(dt, 'lifAdExRecurrentStep');
  checkWeights('lifAdExRecurrentStep', input, inputWeights, 'inputWeights');
  checkWeights('lifAdExRecurrentStep', state.z, recurrentWeights, 'recurrentWeights');
  return tidy(() => {
    const iJump = tf.add(tf.add(state.i, linear(input, inputWeights)), linear(state.z, recurrentWeights));
    const { z, v, i, a } = adexUpdate(iJump, state, params, dt);
    return [z, { z: tf.clone(z), v, i, a }] as const;
  });
}

/**
 * One step of the AdEx current encoder: a membrane driven directly by a current, with adaptation.
 *
 * ```
 * vDec = v + dt*tauMemInv*((((vLeak - v) + deltaT*exp((v - vTh)/deltaT)) + I) - a)
 * z    = H(vDec - vTh);  vNew = vDec - z*(vDec - vReset)
 * aNew = (a + dt*tauAdaInv*(adaptationCurrent*(v - vLeak) - a)) + z*adaptationSpike   // old v
 * ```
 * Norse's `lif_adex_current_encoder` has a bug here: it sets `a = tauAdaInv*(...)` (no `a +`, no
 * `dt`), which diverges. We use the Euler step of {@link lifAdExStep}, its evident intent.
 *
 * @returns `[z, vNew, aNew]`
 */
export function lifAdExCurrentEncoderStep(
  current: tf.Tensor,
  v: tf.Tensor,
  a: tf.Tensor,
  params: LIFAdExParams = DEFAULT_LIF_ADEX_PARAMS,
  dt = 1e-3,
): readonly [tf.Tensor, tf.Tensor, tf.Tensor] {
  checkDt(dt, 'lifAdExCurrentEncoderStep');
  return tidy(() => {
    const vDec = adexVoltage(current, v, a, params, dt);
    const z = spike(vDec, params.vTh, params.method, params.alpha);
    const vNew = tf.sub(vDec, tf.mul(z, tf.sub(vDec, params.vReset)));
    const aNew = tf.add(adaptationDecay(a, v, params, dt), tf.mul(z, params.adaptationSpike));
    return [z, vNew, aNew] as const;
  });
}

/** Adaptive exponential LIF cell. */
export class LIFAdExCell extends FeedForwardCell<ReturnType<typeof lifAdExInitialState>, LIFAdExParams> {
  constructor(params: LIFAdExParams = DEFAULT_LIF_ADEX_PARAMS, dt = 1e-3) {
    super('LIFAdExCell', lifAdExStep, lifAdExInitialState, params, dt);
  }
}

/** Recurrent adaptive exponential LIF cell. */
export class LIFAdExRecurrentCell extends RecurrentCell<
  ReturnType<typeof lifAdExRecurrentInitialState>,
  LIFAdExParams
> {
  constructor(
    inputSize: number,
    hiddenSize: number,
    params: LIFAdExParams = DEFAULT_LIF_ADEX_PARAMS,
    options: RecurrentCellOptions = {},
  ) {
    super(
      'LIFAdExRecurrentCell',
      lifAdExRecurrentStep,
      lifAdExRecurrentInitialState,
      inputSize,
      hiddenSize,
      params,
      options,
    );
  }
}

/** Feed-forward AdEx over time. */
export class LIFAdEx extends Sequence<ReturnType<LIFAdExCell['initialState']>, LIFAdExCell> {
  constructor(params: LIFAdExParams = DEFAULT_LIF_ADEX_PARAMS, dt = 1e-3) {
    super(new LIFAdExCell(params, dt));
  }
}

/** Recurrent AdEx over time. */
export class LIFAdExRecurrent extends Sequence<
  ReturnType<LIFAdExRecurrentCell['initialState']>,
  LIFAdExRecurrentCell
> {
  constructor(
    inputSize: number,
    hiddenSize: number,
    params: LIFAdExParams = DEFAULT_LIF_ADEX_PARAMS,
    options: RecurrentCellOptions = {},
  ) {
    super(new LIFAdExRecurrentCell(inputSize, hiddenSize, params, options));
  }
}
