import { checkDt, detach, type Param, type StepResult, tidy } from '@snn/core';
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

/** Parameters of the long short-term memory spiking neuron (Norse `LSNNParameters`). */
export interface LSNNParams extends LIFParams {
  /** Inverse time constant of the threshold adaptation (1/s). Default 1/800. */
  readonly tauAdaptInv: Param;
  /** Threshold increment per spike. Default 1.8. */
  readonly beta: Param;
}

/** Norse's LSNN defaults. */
export const DEFAULT_LSNN_PARAMS: LSNNParams = Object.freeze({
  ...DEFAULT_LIF_PARAMS,
  tauAdaptInv: 1 / 800,
  beta: 1.8,
});

/** LSNN parameters with defaults for every field not given. */
export function lsnnParams(overrides: Partial<LSNNParams> = {}): LSNNParams {
  return withDefaults('lsnnParams', DEFAULT_LSNN_PARAMS, overrides);
}

/** Norse's biological LSNN preset (per-millisecond units). */
export const BIO_LSNN_PARAMS: LSNNParams = lsnnParams({
  tauSynInv: 1 / 2,
  tauMemInv: 1 / 10,
  vLeak: -70,
  vTh: -55,
  vReset: -70,
  tauAdaptInv: 1 / 100,
  beta: 0.5,
});

/** State of a feed-forward LSNN neuron: `b` is the adaptive threshold. */
export interface LSNNState {
  readonly v: tf.Tensor;
  readonly i: tf.Tensor;
  readonly b: tf.Tensor;
}

/** State of a recurrent LSNN (or adaptive LIF) layer. */
export interface LSNNRecurrentState extends LSNNState {
  readonly z: tf.Tensor;
}

/** Norse's initial LSNN state: `v = vLeak`, `i = 0`, `b = vTh`. */
export function lsnnInitialState(shape: ShapeLike, params: LSNNParams = DEFAULT_LSNN_PARAMS): LSNNState {
  const s = shapeOf(shape);
  return { v: filled(s, params.vLeak), i: tf.zeros(s), b: filled(s, params.vTh) };
}

/** Norse's initial recurrent LSNN state: `z = 0`, `v = vLeak`, `i = 0`, `b = vTh`. */
export function lsnnRecurrentInitialState(
  shape: ShapeLike,
  params: LSNNParams = DEFAULT_LSNN_PARAMS,
): LSNNRecurrentState {
  const s = shapeOf(shape);
  return { z: tf.zeros(s), v: filled(s, params.vLeak), i: tf.zeros(s), b: filled(s, params.vTh) };
}

/** Initial adaptive-LIF state: as LSNN but `b = 0` (the adaptation current starts at rest). */
export function adaLIFRecurrentInitialState(
  shape: ShapeLike,
  params: LSNNParams = DEFAULT_LSNN_PARAMS,
): LSNNRecurrentState {
  const s = shapeOf(shape);
  return { z: tf.zeros(s), v: filled(s, params.vLeak), i: tf.zeros(s), b: tf.zeros(s) };
}

function lsnnUpdate(s: LSNNState, p: LSNNParams, dt: number, detachSpike: boolean) {
  const vDec = tf.add(s.v, dtTimesDrive(dt, p.tauMemInv, tf.add(tf.sub(p.vLeak, s.v), s.i)));
  const iDec = decay(s.i, dt, p.tauSynInv);
  const bDec = tf.add(s.b, dtTimesDrive(dt, p.tauAdaptInv, tf.sub(p.vTh, s.b)));
  const z = spike(vDec, bDec, p.method, p.alpha);
  const v = resetTo(z, vDec, p.vReset, detachSpike);
  return { z, v, iDec, bDec };
}

/**
 * One step of a feed-forward LSNN neuron (Norse `lsnn_feed_forward_step`). Unlike LIF, the input
 * lands in the current **after** the threshold (it reaches v one step later):
 *
 * ```
 * vDec = v + dt*tauMemInv*((vLeak - v) + i)     // the old current
 * iDec = i + (-dt*tauSynInv)*i
 * bDec = b + dt*tauAdaptInv*(vTh - b)
 * z    = H(vDec - bDec)
 * vNew = (1 - z)*vDec + z*vReset
 * iNew = iDec + x
 * bNew = bDec + z*beta
 * ```
 */
export function lsnnStep(
  input: tf.Tensor,
  state: LSNNState,
  params: LSNNParams = DEFAULT_LSNN_PARAMS,
  dt = 1e-3,
): StepResult<LSNNState> {
  checkDt(dt, 'lsnnStep');
  return tidy(() => {
    const { z, v, iDec, bDec } = lsnnUpdate(state, params, dt, false);
    return [z, { v, i: tf.add(iDec, input), b: tf.add(bDec, tf.mul(z, params.beta)) }] as const;
  });
}

/**
 * One step of a recurrent LSNN layer (Norse `lsnn_step`): as {@link lsnnStep}, with
 * `iNew = (iDec + x @ Win^T) + zPrev @ Wrec^T`, and `z` **detached** in the reset and in `bNew`.
 */
export function lsnnRecurrentStep(
  input: tf.Tensor,
  state: LSNNRecurrentState,
  inputWeights: tf.Tensor,
  recurrentWeights: tf.Tensor,
  params: LSNNParams = DEFAULT_LSNN_PARAMS,
  dt = 1e-3,
): StepResult<LSNNRecurrentState> {
  checkDt(dt, 'lsnnRecurrentStep');
  checkWeights('lsnnRecurrentStep', input, inputWeights, 'inputWeights');
  checkWeights('lsnnRecurrentStep', state.z, recurrentWeights, 'recurrentWeights');
  return tidy(() => {
    const { z, v, iDec, bDec } = lsnnUpdate(state, params, dt, true);
    const i = tf.add(tf.add(iDec, linear(input, inputWeights)), linear(state.z, recurrentWeights));
    const b = tf.add(bDec, tf.mul(detach(z), params.beta));
    return [z, { z: tf.clone(z), v, i, b }] as const;
  });
}

/**
 * One step of a recurrent adaptive LIF layer (Norse `ada_lif_step`): an adaptation current `b`
 * subtracted from the drive, a fixed threshold, and reset by subtraction:
 *
 * ```
 * vDec = v + dt*tauMemInv*(((vLeak - v) + i) - b)
 * iDec = i + (-dt*tauSynInv)*i
 * bDec = b + (-dt*tauAdaptInv)*b
 * z    = H(vDec - vTh)
 * vNew = vDec - z*(vTh - vReset)
 * bNew = bDec + z*beta
 * iNew = (iDec + x @ Win^T) + zPrev @ Wrec^T     // after the threshold, as LSNN
 * ```
 * Initial state: {@link adaLIFRecurrentInitialState} (`b = 0`).
 */
export function adaLIFRecurrentStep(
  input: tf.Tensor,
  state: LSNNRecurrentState,
  inputWeights: tf.Tensor,
  recurrentWeights: tf.Tensor,
  params: LSNNParams = DEFAULT_LSNN_PARAMS,
  dt = 1e-3,
): StepResult<LSNNRecurrentState> {
  checkDt(dt, 'adaLIFRecurrentStep');
  checkWeights('adaLIFRecurrentStep', input, inputWeights, 'inputWeights');
  checkWeights('adaLIFRecurrentStep', state.z, recurrentWeights, 'recurrentWeights');
  return tidy(() => {
    const drive = tf.sub(tf.add(tf.sub(params.vLeak, state.v), state.i), state.b);
    const vDec = tf.add(state.v, dtTimesDrive(dt, params.tauMemInv, drive));
    const iDec = decay(state.i, dt, params.tauSynInv);
    const bDec = decay(state.b, dt, params.tauAdaptInv);
    const z = spike(vDec, params.vTh, params.method, params.alpha);
    const v = tf.sub(vDec, tf.mul(z, tf.sub(params.vTh, params.vReset)));
    const b = tf.add(bDec, tf.mul(z, params.beta));
    const i = tf.add(tf.add(iDec, linear(input, inputWeights)), linear(state.z, recurrentWeights));
    return [z, { z: tf.clone(z), v, i, b }] as const;
  });
}

/** LSNN cell (adaptive threshold; initial `b = vTh`). */
export class LSNNCell extends FeedForwardCell<ReturnType<typeof lsnnInitialState>, LSNNParams> {
  constructor(params: LSNNParams = DEFAULT_LSNN_PARAMS, dt = 1e-3) {
    super('LSNNCell', lsnnStep, lsnnInitialState, params, dt);
  }
}

/** Recurrent LSNN cell. */
export class LSNNRecurrentCell extends RecurrentCell<
  ReturnType<typeof lsnnRecurrentInitialState>,
  LSNNParams
> {
  constructor(
    inputSize: number,
    hiddenSize: number,
    params: LSNNParams = DEFAULT_LSNN_PARAMS,
    options: RecurrentCellOptions = {},
  ) {
    super(
      'LSNNRecurrentCell',
      lsnnRecurrentStep,
      lsnnRecurrentInitialState,
      inputSize,
      hiddenSize,
      params,
      options,
    );
  }
}

/** Recurrent adaptive LIF cell (adaptation current; initial `b = 0`). */
export class AdaLIFRecurrentCell extends RecurrentCell<
  ReturnType<typeof adaLIFRecurrentInitialState>,
  LSNNParams
> {
  constructor(
    inputSize: number,
    hiddenSize: number,
    params: LSNNParams = DEFAULT_LSNN_PARAMS,
    options: RecurrentCellOptions = {},
  ) {
    super(
      'AdaLIFRecurrentCell',
      adaLIFRecurrentStep,
      adaLIFRecurrentInitialState,
      inputSize,
      hiddenSize,
      params,
      options,
    );
  }
}

/** Feed-forward LSNN over time. */
export class LSNN extends Sequence<ReturnType<LSNNCell['initialState']>, LSNNCell> {
  constructor(params: LSNNParams = DEFAULT_LSNN_PARAMS, dt = 1e-3) {
    super(new LSNNCell(params, dt));
  }
}

/** Recurrent LSNN over time. */
export class LSNNRecurrent extends Sequence<
  ReturnType<LSNNRecurrentCell['initialState']>,
  LSNNRecurrentCell
> {
  constructor(
    inputSize: number,
    hiddenSize: number,
    params: LSNNParams = DEFAULT_LSNN_PARAMS,
    options: RecurrentCellOptions = {},
  ) {
    super(new LSNNRecurrentCell(inputSize, hiddenSize, params, options));
  }
}
