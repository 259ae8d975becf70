import { checkDt, type Param, type StepResult, type SurrogateMethod, tidy } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { FeedForwardCell, RecurrentCell, type RecurrentCellOptions } from '../cells.js';
import {
  checkWeights,
  decay,
  dtTimesDrive,
  linear,
  resetTo,
  type ShapeLike,
  shapeOf,
  spike,
  withDefaults,
} from '../math.js';

/** Parameters of the conductance-based LIF neuron (Norse `CobaLIFParameters`). */
export interface CobaLIFParams {
  /** Inverse excitatory synaptic time constant. Default 0.2. */
  readonly tauSynExcInv: Param;
  /** Inverse inhibitory synaptic time constant. Default 0.2. */
  readonly tauSynInhInv: Param;
  /** Inverse membrane capacitance. Default 5. */
  readonly cMInv: Param;
  /** Leak conductance. Default 0.25. */
  readonly gL: Param;
  /** Inhibitory reversal potential. Default −100. */
  readonly eRevI: Param;
  /** Excitatory reversal potential. Default 60. */
  readonly eRevE: Param;
  /** Resting potential. Default −20. */
  readonly vRest: Param;
  /** Reset potential. Default −70. */
  readonly vReset: Param;
  /** Threshold. Default −10. */
  readonly vThresh: Param;
  /** Surrogate. Default `'super'`. */
  readonly method: SurrogateMethod;
  /** Surrogate sharpness. Default 100. */
  readonly alpha: Param;
}

/** Norse's COBA LIF defaults. */
export const DEFAULT_COBA_LIF_PARAMS: CobaLIFParams = Object.freeze({
  tauSynExcInv: 0.2,
  tauSynInhInv: 0.2,
  cMInv: 5,
  gL: 0.25,
  eRevI: -100,
  eRevE: 60,
  vRest: -20,
  vReset: -70,
  vThresh: -10,
  method: 'super',
  alpha: 100,
});

/** COBA LIF parameters with defaults for every field not given. */
export function cobaLIFParams(overrides: Partial<CobaLIFParams> = {}): CobaLIFParams {
  return withDefaults('cobaLIFParams', DEFAULT_COBA_LIF_PARAMS, overrides);
}

/** State of a feed-forward COBA LIF neuron: potential and excitatory/inhibitory conductances. */
export interface CobaLIFState {
  readonly v: tf.Tensor;
  readonly gE: tf.Tensor;
  readonly gI: tf.Tensor;
}

/** State of a recurrent COBA LIF layer. */
export interface CobaLIFRecurrentState extends CobaLIFState {
  readonly z: tf.Tensor;
}

/** Norse's initial COBA state: everything 0 (`v = 0`, as Norse's cell). */
export function cobaLIFInitialState(shape: ShapeLike): CobaLIFState {
  const s = shapeOf(shape);
  return { v: tf.zeros(s), gE: tf.zeros(s), gI: tf.zeros(s) };
}

/** Norse's initial recurrent COBA state: everything 0. */
export function cobaLIFRecurrentInitialState(shape: ShapeLike): CobaLIFRecurrentState {
  const s = shapeOf(shape);
  return { z: tf.zeros(s), v: tf.zeros(s), gE: tf.zeros(s), gI: tf.zeros(s) };
}

function cobaUpdate(gEJump: tf.Tensor, gIJump: tf.Tensor, v: tf.Tensor, p: CobaLIFParams, dt: number) {
  const gE = decay(gEJump, dt, p.tauSynExcInv);
  const gI = decay(gIJump, dt, p.tauSynInhInv);
  // dv = dt*cMInv*((gL*(vRest - v) + gE*(eRevE - v)) + gI*(eRevI - v))
  const drive = tf.add(
    tf.add(tf.mul(p.gL, tf.sub(p.vRest, v)), tf.mul(gE, tf.sub(p.eRevE, v))),
    tf.mul(gI, tf.sub(p.eRevI, v)),
  );
  const vDec = tf.add(v, dtTimesDrive(dt, p.cMInv, drive));
  const z = spike(vDec, p.vThresh, p.method, p.alpha);
  return { z, v: resetTo(z, vDec, p.vReset, false), gE, gI };
}

/**
 * One step of a conductance-based LIF neuron (Norse `coba_lif_feed_forward_step`): positive input
 * opens excitatory, negative input inhibitory conductance.
 *
 * ```
 * gE = gE + relu(x);   gI = gI + relu(-x)
 * gE = gE + (-dt*tauSynExcInv)*gE;   gI likewise
 * vDec = v + dt*cMInv*(gL*(vRest - v) + gE*(eRevE - v) + gI*(eRevI - v))
 * z = H(vDec - vThresh);  vNew = (1 - z)*vDec + z*vReset
 * ```
 */
export function cobaLIFStep(
  input: tf.Tensor,
  state: CobaLIFState,
  params: CobaLIFParams = DEFAULT_COBA_LIF_PARAMS,
  dt = 1e-3,
): StepResult<CobaLIFState> {
  checkDt(dt, 'cobaLIFStep');
  return tidy(() => {
    const gE = tf.add(state.gE, tf.relu(input));
    const gI = tf.add(state.gI, tf.relu(tf.neg(input)));
    const { z, ...next } = cobaUpdate(gE, gI, state.v, params, dt);
    return [z, next] as const;
  });
}

/**
 * One step of a recurrent COBA LIF layer (Norse `coba_lif_step`): excitatory weights are the
 * positive part, inhibitory the negative part of each weight matrix.
 *
 * ```
 * gE = (gE + x @ relu(Win)^T) + zPrev @ relu(Wrec)^T
 * gI = (gI + x @ relu(-Win)^T) + zPrev @ relu(-Wrec)^T
 * ```
 * then as {@link cobaLIFStep}. Norse's `coba_lif_step` has a bug here: it overwrites the input
 * conductance with the recurrent one (`g_e = state.g_e + recurrent`), discarding the input. We sum
 * both, its evident intent.
 */
export function cobaLIFRecurrentStep(
  input: tf.Tensor,
  state: CobaLIFRecurrentState,
  inputWeights: tf.Tensor,
  recurrentWeights: tf.Tensor,
  params: CobaLIFParams = DEFAULT_COBA_LIF_PARAMS,
  dt = 1e-3,
): StepResult<CobaLIFRecurrentState> {
  checkDt(dt, 'cobaLIFRecurrentStep');
  checkWeights('cobaLIFRecurrentStep', input, inputWeights, 'inputWeights');
  checkWeights('cobaLIFRecurrentStep', state.z, recurrentWeights, 'recurrentWeights');
  return tidy(() => {
    const gE = tf.add(
      tf.add(state.gE, linear(input, tf.relu(inputWeights))),
      linear(state.z, tf.relu(recurrentWeights)),
    );
    const gI = tf.add(
      tf.add(state.gI, linear(input, tf.relu(tf.neg(inputWeights)))),
      linear(state.z, tf.relu(tf.neg(recurrentWeights))),
    );
    const { z, ...next } = cobaUpdate(gE, gI, state.v, params, dt);
    return [z, { z: tf.clone(z), ...next }] as const;
  });
}

/** Conductance-based LIF cell. */
export class CobaLIFCell extends FeedForwardCell<ReturnType<typeof cobaLIFInitialState>, CobaLIFParams> {
  constructor(params: CobaLIFParams = DEFAULT_COBA_LIF_PARAMS, dt = 1e-3) {
    super('CobaLIFCell', cobaLIFStep, (shape) => cobaLIFInitialState(shape), params, dt);
  }
}

/** Recurrent conductance-based LIF cell. */
export class CobaLIFRecurrentCell extends RecurrentCell<
  ReturnType<typeof cobaLIFRecurrentInitialState>,
  CobaLIFParams
> {
  constructor(
    inputSize: number,
    hiddenSize: number,
    params: CobaLIFParams = DEFAULT_COBA_LIF_PARAMS,
    options: RecurrentCellOptions = {},
  ) {
    super(
      'CobaLIFRecurrentCell',
      cobaLIFRecurrentStep,
      (shape) => cobaLIFRecurrentInitialState(shape),
      inputSize,
      hiddenSize,
      params,
      options,
    );
  }
}
