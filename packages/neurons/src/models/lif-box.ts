import { checkDt, type Param, type StepResult, type SurrogateMethod, tidy } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { FeedForwardCell } from '../cells.js';
import { eulerStep, filled, type ShapeLike, shapeOf, spike, withDefaults } from '../math.js';

/** How a box neuron resets after a spike: to `vReset`, or by subtracting `vTh`. */
export type ResetMethod = 'value' | 'subtract';

/** Parameters of the LIF neuron without synaptic current (Norse `LIFBoxParameters`). */
export interface LIFBoxParams {
  /** Inverse membrane time constant (1/s). Default 100. */
  readonly tauMemInv: Param;
  /** Leak potential. Default 0. */
  readonly vLeak: Param;
  /** Threshold. Default 1. */
  readonly vTh: Param;
  /** Reset potential (used by `resetMethod: 'value'`). Default 0. */
  readonly vReset: Param;
  /** Surrogate. Default `'super'`. */
  readonly method: SurrogateMethod;
  /** Surrogate sharpness. Default 100. */
  readonly alpha: Param;
  /** `'value'`: `v = vReset`; `'subtract'`: `v = v - vTh`. Default `'value'`. */
  readonly resetMethod: ResetMethod;
}

/** Norse's LIFBox defaults. */
export const DEFAULT_LIF_BOX_PARAMS: LIFBoxParams = Object.freeze({
  tauMemInv: 100,
  vLeak: 0,
  vTh: 1,
  vReset: 0,
  method: 'super',
  alpha: 100,
  resetMethod: 'value',
});

/** LIFBox parameters with defaults for every field not given. */
export function lifBoxParams(overrides: Partial<LIFBoxParams> = {}): LIFBoxParams {
  return withDefaults('lifBoxParams', DEFAULT_LIF_BOX_PARAMS, overrides);
}

/** State of a LIFBox neuron: the membrane potential only. */
export interface LIFBoxState {
  readonly v: tf.Tensor;
}

/** Norse's initial LIFBox state: `v = vLeak`. */
export function lifBoxInitialState(
  shape: ShapeLike,
  params: LIFBoxParams = DEFAULT_LIF_BOX_PARAMS,
): LIFBoxState {
  return { v: filled(shapeOf(shape), params.vLeak) };
}

/**
 * One step of a LIF neuron whose input drives the membrane directly (Norse
 * `lif_box_feed_forward_step`):
 *
 * ```
 * vDec = v + dt*tauMemInv*((x + vLeak) - v)
 * z    = H(vDec - vTh)
 * vNew = (1 - z)*vDec + z*vReset          // resetMethod 'value'
 * vNew = (1 - z)*vDec + z*(vDec - vTh)    // resetMethod 'subtract'
 * ```
 */
export function lifBoxStep(
  input: tf.Tensor,
  state: LIFBoxState,
  params: LIFBoxParams = DEFAULT_LIF_BOX_PARAMS,
  dt = 1e-3,
): StepResult<LIFBoxState> {
  checkDt(dt, 'lifBoxStep');
  return tidy(() => {
    const vDec = eulerStep(state.v, dt, params.tauMemInv, tf.sub(tf.add(input, params.vLeak), state.v));
    const z = spike(vDec, params.vTh, params.method, params.alpha);
    const target = params.resetMethod === 'subtract' ? tf.sub(vDec, params.vTh) : params.vReset;
    const v = tf.add(tf.mul(tf.sub(1, z), vDec), tf.mul(z, target));
    return [z, { v }] as const;
  });
}

/** Box LIF cell (no synaptic current). */
export class LIFBoxCell extends FeedForwardCell<ReturnType<typeof lifBoxInitialState>, LIFBoxParams> {
  constructor(params: LIFBoxParams = DEFAULT_LIF_BOX_PARAMS, dt = 1e-3) {
    super('LIFBoxCell', lifBoxStep, lifBoxInitialState, params, dt);
  }
}
