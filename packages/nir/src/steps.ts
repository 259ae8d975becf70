import { type Param, type StepResult, threshold, tidy } from '@snn/core';
import {
  type LIBoxParams,
  type LIBoxState,
  type LIFBoxParams,
  type LIFBoxState,
  liBoxStep,
  lifBoxStep,
} from '@snn/neurons';
import * as tf from '@tensorflow/tfjs-core';

/** State of the integrator (`nir.I`). */
export interface IntegratorState {
  readonly v: tf.Tensor;
}

/** `nir.I` as a step: `v += x` (the caller scales `x` by `r`, or `dt·r`). Output: `v`. */
export function integratorStep(input: tf.Tensor, state: IntegratorState): StepResult<IntegratorState> {
  return tidy(() => {
    const v = tf.add(state.v, input);
    return [v, { v: tf.clone(v) }] as const;
  });
}

/** Parameters of a Spyx neuron (`spyx.nn.LIF`, `IF`, `CuBaLIF`, `LI`). */
export interface SpyxParams {
  /** Synaptic decay `α` (CuBaLIF, CuBaLI); `undefined`: no synaptic current. */
  readonly alpha: Param | undefined;
  /** Membrane decay `β = 1 - dt/tau` (1 for IF and I). */
  readonly beta: Param;
  /** Firing threshold; `undefined` for the non-spiking LI and I. */
  readonly threshold: Param | undefined;
}

/** State of a Spyx neuron: membrane `v`, synaptic current `i` (zeros without a synapse). */
export interface SpyxState {
  readonly v: tf.Tensor;
  readonly i: tf.Tensor;
}

/**
 * One step of a Spyx neuron, as `spyx.nn` computes it: the spike comes from the previous
 * membrane, then `i = α·i + x`, `v = β·v + i - z·θ` (reset by subtraction). Without a threshold the
 * output is `v` (the LI readout).
 *
 * ```
 * z = H(v - θ);  i = α·i + x;  v = β·v + i - z·θ
 * ```
 */
export function spyxStep(input: tf.Tensor, state: SpyxState, params: SpyxParams): StepResult<SpyxState> {
  return tidy(() => {
    const i = params.alpha === undefined ? input : tf.add(tf.mul(params.alpha, state.i), input);
    const leak = tf.add(tf.mul(params.beta, state.v), i);
    if (params.threshold === undefined) return [leak, { v: tf.clone(leak), i: tf.clone(i) }] as const;
    const z = threshold(tf.sub(state.v, params.threshold));
    const v = tf.sub(leak, tf.mul(z, params.threshold));
    return [z, { v, i: params.alpha === undefined ? tf.zerosLike(v) : tf.clone(i) }] as const;
  });
}

/** Parameters of Norse's imported `CubaLIF` (norse/torch/utils/import_nir.py). */
export interface CubaBoxParams {
  readonly wIn: Param | undefined;
  readonly synapse: LIBoxParams;
  readonly r: Param | undefined;
  readonly lif: LIFBoxParams;
}

/** State of Norse's imported `CubaLIF`: the synapse's and the neuron's. */
export interface CubaBoxState {
  readonly synapse: LIBoxState;
  readonly lif: LIFBoxState;
}

/**
 * One step of the module Norse's `from_nir` builds for a `CubaLIF` node:
 * `w_in·x → LIBoxCell(tau_syn) → r·(…) → LIFBoxCell(tau_mem)`.
 */
export function cubaBoxStep(
  input: tf.Tensor,
  state: CubaBoxState,
  params: CubaBoxParams,
  dt: number,
): StepResult<CubaBoxState> {
  return tidy(() => {
    const x = params.wIn === undefined ? input : tf.mul(params.wIn, input);
    const [s, synapse] = liBoxStep(x, state.synapse, params.synapse, dt);
    const [z, lif] = lifBoxStep(params.r === undefined ? s : tf.mul(params.r, s), state.lif, params.lif, dt);
    return [z, { synapse, lif }] as const;
  });
}

/** Parameters of a delay line: each neuron's delay in whole steps. */
export interface DelayParams {
  /** Steps of delay per neuron (flattened sample order). */
  readonly steps: readonly number[];
  /** The sample shape. */
  readonly shape: readonly number[];
}

/** State of a delay line: the last `D` inputs, oldest first, `[D, B, ...]` (absent when D = 0). */
export interface DelayState {
  readonly past: tf.Tensor;
}

/** `nir.Delay` as a step: each neuron outputs its input from `steps` steps ago (zeros before). */
export function delayStep(input: tf.Tensor, state: DelayState, params: DelayParams): StepResult<DelayState> {
  return tidy(() => {
    const D = state.past.shape[0]!;
    if (D === 0) return [tf.clone(input), { past: tf.clone(state.past) }] as const;
    const history = tf.concat([state.past, tf.expandDims(input, 0)], 0); // [D + 1, B, ...]
    const byDelay = new Map<number, number[]>();
    params.steps.forEach((d, k) => {
      byDelay.set(d, [...(byDelay.get(d) ?? []), k]);
    });
    const n = params.steps.length;
    let out: tf.Tensor | undefined;
    for (const [d, neurons] of byDelay) {
      const mask = new Float32Array(n);
      for (const k of neurons) mask[k] = 1;
      const term = tf.mul(tf.gather(history, D - d), tf.tensor(mask, params.shape.slice()));
      out = out === undefined ? term : tf.add(out, term);
    }
    const past = tf.slice(history, 1, D);
    return [out!, { past }] as const;
  });
}
