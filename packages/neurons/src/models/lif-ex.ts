import { checkDt, type Param, type StepResult, tidy } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { FeedForwardCell, RecurrentCell, type RecurrentCellOptions } from '../cells.js';
import { checkWeights, decay, dtTimesDrive, linear, resetTo, spike, withDefaults } from '../math.js';
import {
  DEFAULT_LIF_PARAMS,
  type LIFParams,
  type LIFRecurrentState,
  type LIFState,
  lifInitialState,
  lifRecurrentInitialState,
} from './lif.js';

/** Parameters of the exponential LIF neuron (Norse `LIFExParameters`): LIF plus `deltaT`. */
export interface LIFExParams extends LIFParams {
  /** Sharpness of the exponential spike initiation. Default 0.5. */
  readonly deltaT: Param;
}

/** Norse's LIFEx defaults: LIF's plus `deltaT = 0.5`. */
export const DEFAULT_LIF_EX_PARAMS: LIFExParams = Object.freeze({ ...DEFAULT_LIF_PARAMS, deltaT: 0.5 });

/** LIFEx parameters with defaults for every field not given. */
export function lifExParams(overrides: Partial<LIFExParams> = {}): LIFExParams {
  return withDefaults('lifExParams', DEFAULT_LIF_EX_PARAMS, overrides);
}

/** `deltaT * exp((v - vTh) / deltaT)`: the exponential drive (of the old v). */
export function exponentialDrive(v: tf.Tensor, vTh: Param, deltaT: Param): tf.Tensor {
  return tf.mul(deltaT, tf.exp(tf.div(tf.sub(v, vTh), deltaT)));
}

function lifExUpdate(iJump: tf.Tensor, v: tf.Tensor, p: LIFExParams, dt: number) {
  const drive = tf.add(tf.add(tf.sub(p.vLeak, v), exponentialDrive(v, p.vTh, p.deltaT)), iJump);
  const vDec = tf.add(v, dtTimesDrive(dt, p.tauMemInv, drive));
  const iDec = decay(iJump, dt, p.tauSynInv);
  const z = spike(vDec, p.vTh, p.method, p.alpha);
  return { z, v: resetTo(z, vDec, p.vReset, false), i: iDec };
}

/**
 * One step of an exponential LIF neuron (Norse `lif_ex_feed_forward_step`):
 *
 * ```
 * iJump = i + x
 * vDec  = v + dt*tauMemInv*(((vLeak - v) + deltaT*exp((v - vTh)/deltaT)) + iJump)
 * iDec  = iJump + (-dt*tauSynInv)*iJump
 * z     = H(vDec - vTh);  vNew = (1 - z)*vDec + z*vReset
 * ```
 * State `{ v, i }` as LIF (initial state: {@link lifInitialState}).
 */
export function lifExStep(
  input: tf.Tensor,
  state: LIFState,
  params: LIFExParams = DEFAULT_LIF_EX_PARAMS,
  dt = 1e-3,
): StepResult<LIFState> {
  checkDt(dt, 'lifExStep');
  return tidy(() => {
    const { z, v, i } = lifExUpdate(tf.add(state.i, input), state.v, params, dt);
    return [z, { v, i }] as const;
  });
}

/**
 * One step of a recurrent exponential LIF layer (Norse `lif_ex_step`):
 * `iJump = (i + x @ Win^T) + zPrev @ Wrec^T`, then as {@link lifExStep} (reset not detached).
 */
export function lifExRecurrentStep(
  input: tf.Tensor,
  state: LIFRecurrentState,
  inputWeights: tf.Tensor,
  recurrentWeights: tf.Tensor,
  params: LIFExParams = DEFAULT_LIF_EX_PARAMS,
  dt = 1e-3,
): StepResult<LIFRecurrentState> {
  checkDt(dt, 'lifExRecurrentStep');
  checkWeights('lifExRecurrentStep', input, inputWeights, 'inputWeights');
  checkWeights('lifExRecurrentStep', state.z, recurrentWeights, 'recurrentWeights');
  return tidy(() => {
    const iJump = tf.add(tf.add(state.i, linear(input, inputWeights)), linear(state.z, recurrentWeights));
    const { z, v, i } = lifExUpdate(iJump, state.v, params, dt);
    return [z, { z: tf.clone(z), v, i }] as const;
  });
}

/**
 * One step of the exponential LIF current encoder (Norse `lif_ex_current_encoder`):
 * `v += dt*tauMemInv*(((vLeak - v) + deltaT*exp((v - vTh)/deltaT)) + I)`, `z = H(v - vTh)`,
 * `v -= z*(v - vReset)`.
 * @returns `[z, vNew]`
 */
export function lifExCurrentEncoderStep(
  current: tf.Tensor,
  v: tf.Tensor,
  params: LIFExParams = DEFAULT_LIF_EX_PARAMS,
  dt = 1e-3,
): readonly [tf.Tensor, tf.Tensor] {
  checkDt(dt, 'lifExCurrentEncoderStep');
  return tidy(() => {
    const drive = tf.add(
      tf.add(tf.sub(params.vLeak, v), exponentialDrive(v, params.vTh, params.deltaT)),
      current,
    );
    const vDec = tf.add(v, dtTimesDrive(dt, params.tauMemInv, drive));
    const z = spike(vDec, params.vTh, params.method, params.alpha);
    return [z, tf.sub(vDec, tf.mul(z, tf.sub(vDec, params.vReset)))] as const;
  });
}

/** Exponential LIF cell. */
export class LIFExCell extends FeedForwardCell<LIFState, LIFExParams> {
  constructor(params: LIFExParams = DEFAULT_LIF_EX_PARAMS, dt = 1e-3) {
    super('LIFExCell', lifExStep, lifInitialState, params, dt);
  }
}

/** Recurrent exponential LIF cell. */
export class LIFExRecurrentCell extends RecurrentCell<
  ReturnType<typeof lifRecurrentInitialState>,
  LIFExParams
> {
  constructor(
    inputSize: number,
    hiddenSize: number,
    params: LIFExParams = DEFAULT_LIF_EX_PARAMS,
    options: RecurrentCellOptions = {},
  ) {
    super(
      'LIFExRecurrentCell',
      lifExRecurrentStep,
      lifRecurrentInitialState,
      inputSize,
      hiddenSize,
      params,
      options,
    );
  }
}
