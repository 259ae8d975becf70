import { checkDt, type Param, type StepResult, tidy } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { paramProduct, type ShapeLike, shapeOf, withDefaults } from '../math.js';

/** Parameters of Tsodyks–Markram short-term plasticity (Norse `TsodyksMakramParameters`). */
export interface STPParams {
  /** Inverse facilitation time constant (1/s). Default 20. */
  readonly tauFInv: Param;
  /** Inverse synaptic time constant (1/s), kept for Norse parity; unused by the step. Default 50. */
  readonly tauSInv: Param;
  /** Inverse depression (recovery) time constant (1/s). Default 1/0.75. */
  readonly tauDInv: Param;
  /** Utilisation increment per spike. Default 0.45. */
  readonly U: Param;
}

/** Norse's STP defaults. */
export const DEFAULT_STP_PARAMS: STPParams = Object.freeze({
  tauFInv: 20,
  tauSInv: 50,
  tauDInv: 1 / 0.75,
  U: 0.45,
});

/** STP parameters with defaults for every field not given. */
export function stpParams(overrides: Partial<STPParams> = {}): STPParams {
  return withDefaults('stpParams', DEFAULT_STP_PARAMS, overrides);
}

/** State of a short-term plastic synapse: utilisation `u` and available resources `x`. */
export interface STPState {
  readonly u: tf.Tensor;
  readonly x: tf.Tensor;
}

/** Initial STP state: `u = 0` (no facilitation), `x = 1` (all resources available). */
export function stpInitialState(shape: ShapeLike): STPState {
  const s = shapeOf(shape);
  return { u: tf.zeros(s), x: tf.ones(s) };
}

/**
 * One step of Tsodyks–Markram short-term plasticity (Norse `stp_step`), driven by presynaptic spikes `z`:
 *
 * ```
 * u' = (u + dt*(-tauFInv*u)) + U*(1 - u)*z
 * x' = (x + dt*(tauDInv*(1 - x))) - u'*x*z
 * out = u'*x*z                      // with the old x
 * ```
 */
export function stpStep(
  z: tf.Tensor,
  state: STPState,
  params: STPParams = DEFAULT_STP_PARAMS,
  dt = 1e-3,
): StepResult<STPState> {
  checkDt(dt, 'stpStep');
  return tidy(() => {
    const du = tf.mul(paramProduct(-1, params.tauFInv), state.u);
    const u = tf.add(
      tf.add(state.u, tf.mul(Math.fround(dt), du)),
      tf.mul(tf.mul(params.U, tf.sub(1, state.u)), z),
    );
    const dx = tf.mul(params.tauDInv, tf.sub(1, state.x));
    const released = tf.mul(tf.mul(u, state.x), z);
    const x = tf.sub(tf.add(state.x, tf.mul(Math.fround(dt), dx)), released);
    return [released, { u, x }] as const;
  });
}
