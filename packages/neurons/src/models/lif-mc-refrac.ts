import { checkDt, f32, type StepResult, threshold, tidy } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { FeedForwardCell, RecurrentCell, type RecurrentCellOptions } from '../cells.js';
import { checkCoupling, checkWeights, decay, linear, resetTo, spike } from '../math.js';
import {
  DEFAULT_LIF_REFRAC_PARAMS,
  type LIFRefracParams,
  type LIFRefracRecurrentState,
  type LIFRefracState,
  lifRefracInitialState,
  lifRefracRecurrentInitialState,
} from './lif-refrac.js';

interface MCRefracCore {
  z: tf.Tensor;
  v: tf.Tensor;
  iDec: tf.Tensor;
  rho: tf.Tensor;
}

/**
 * Norse's MC refractory update, shared by both variants (input is added by the caller, after the
 * threshold, as in LSNN):
 * ```
 * mask = H(rhoOld)
 * dv   = ((((1 - mask)*dt)*tauMemInv)*((vLeak - v) + i)) + v @ G^T    // coupling without dt
 * vDec = v + dv;  iDec = i + (-dt*tauSynInv)*i
 * z    = H(vDec - vTh)                                                  // not masked
 * vNew = (1 - z)*vDec + z*vReset
 * rhoNew = (1 - z)*relu(rhoOld - mask) + z*rhoReset
 * ```
 */
function mcRefracCore(
  v: tf.Tensor,
  i: tf.Tensor,
  rhoOld: tf.Tensor,
  g: tf.Tensor,
  p: LIFRefracParams,
  dt: number,
): MCRefracCore {
  const lif = p.lif;
  const mask = threshold(rhoOld, lif.method, lif.alpha);
  const leak = tf.mul(
    tf.mul(tf.mul(tf.sub(1, mask), f32(dt)), lif.tauMemInv),
    tf.add(tf.sub(lif.vLeak, v), i),
  );
  const vDec = tf.add(v, tf.add(leak, linear(v, g)));
  const iDec = decay(i, dt, lif.tauSynInv);
  const z = spike(vDec, lif.vTh, lif.method, lif.alpha);
  const vNew = resetTo(z, vDec, lif.vReset, false);
  const rho = tf.add(tf.mul(tf.sub(1, z), tf.relu(tf.sub(rhoOld, mask))), tf.mul(z, p.rhoReset));
  return { z, v: vNew, iDec, rho };
}

/**
 * One step of a refractory multi-compartment LIF neuron (Norse `lif_mc_refrac_feed_forward_step`).
 * It follows LSNN's order (input lands in `i` after the threshold) and puts the coupling inside
 * the voltage step without `dt`; see the equations of Norse's model in the package README.
 * `iNew = iDec + x`. State and initial state as {@link lifRefracInitialState}.
 */
export function lifMCRefracStep(
  input: tf.Tensor,
  state: LIFRefracState,
  gCoupling: tf.Tensor,
  params: LIFRefracParams = DEFAULT_LIF_REFRAC_PARAMS,
  dt = 1e-3,
): StepResult<LIFRefracState> {
  checkDt(dt, 'lifMCRefracStep');
  checkCoupling('lifMCRefracStep', state.lif.v, gCoupling);
  return tidy(() => {
    const { z, v, iDec, rho } = mcRefracCore(state.lif.v, state.lif.i, state.rho, gCoupling, params, dt);
    return [z, { lif: { v, i: tf.add(iDec, input) }, rho }] as const;
  });
}

/**
 * One step of a recurrent refractory multi-compartment LIF layer (Norse `lif_mc_refrac_step`):
 * as {@link lifMCRefracStep} with `iNew = (iDec + x @ Win^T) + zPrev @ Wrec^T`.
 */
export function lifMCRefracRecurrentStep(
  input: tf.Tensor,
  state: LIFRefracRecurrentState,
  inputWeights: tf.Tensor,
  recurrentWeights: tf.Tensor,
  gCoupling: tf.Tensor,
  params: LIFRefracParams = DEFAULT_LIF_REFRAC_PARAMS,
  dt = 1e-3,
): StepResult<LIFRefracRecurrentState> {
  checkDt(dt, 'lifMCRefracRecurrentStep');
  checkCoupling('lifMCRefracRecurrentStep', state.lif.v, gCoupling);
  checkWeights('lifMCRefracRecurrentStep', input, inputWeights, 'inputWeights');
  checkWeights('lifMCRefracRecurrentStep', state.lif.z, recurrentWeights, 'recurrentWeights');
  return tidy(() => {
    const { z, v, iDec, rho } = mcRefracCore(state.lif.v, state.lif.i, state.rho, gCoupling, params, dt);
    const i = tf.add(tf.add(iDec, linear(input, inputWeights)), linear(state.lif.z, recurrentWeights));
    return [z, { lif: { z: tf.clone(z), v, i }, rho }] as const;
  });
}

/** Refractory multi-compartment LIF cell. */
export class LIFMCRefracCell extends FeedForwardCell<LIFRefracState, LIFRefracParams> {
  readonly gCoupling: tf.Variable;
  override readonly trainableVariables: readonly tf.Variable[];
  constructor(gCoupling: tf.Tensor, params: LIFRefracParams = DEFAULT_LIF_REFRAC_PARAMS, dt = 1e-3) {
    const g = tf.variable(tf.clone(gCoupling), true);
    super(
      'LIFMCRefracCell',
      (x, s, p, h) => lifMCRefracStep(x, s, g, p, h),
      lifRefracInitialState,
      params,
      dt,
    );
    this.gCoupling = g;
    this.trainableVariables = [g];
  }
  override dispose(): void {
    this.gCoupling.dispose();
  }
}

/** Recurrent refractory multi-compartment LIF cell. */
export class LIFMCRefracRecurrentCell extends RecurrentCell<
  ReturnType<typeof lifRefracRecurrentInitialState>,
  LIFRefracParams
> {
  readonly gCoupling: tf.Variable;
  constructor(
    inputSize: number,
    hiddenSize: number,
    gCoupling: tf.Tensor,
    params: LIFRefracParams = DEFAULT_LIF_REFRAC_PARAMS,
    options: RecurrentCellOptions = {},
  ) {
    const g = tf.variable(tf.clone(gCoupling), true);
    super(
      'LIFMCRefracRecurrentCell',
      (x, s, wi, wr, p, dt) => lifMCRefracRecurrentStep(x, s, wi, wr, g, p, dt),
      lifRefracRecurrentInitialState,
      inputSize,
      hiddenSize,
      params,
      options,
    );
    this.gCoupling = g;
  }
  override get trainableVariables(): readonly tf.Variable[] {
    return [this.inputWeights, this.recurrentWeights, this.gCoupling];
  }
  override dispose(): void {
    super.dispose();
    if (!this.gCoupling.isDisposed) this.gCoupling.dispose();
  }
}
