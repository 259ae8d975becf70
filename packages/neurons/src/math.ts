/**
 * The arithmetic Norse's step functions share (Euler steps, decays, the reset, the spike), written
 * once with tfjs ops and each rounded as torch rounds it, plus parameter helpers. The models in
 * `models/` build their steps from these.
 */
import { detach, dtTimes, negate, type Param, threshold } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';

export { linear } from './ops/linear.js';

/** `v + dt*tauInv*drive`, with `dt*tauInv` rounded as torch rounds it. */
export function eulerStep(v: tf.Tensor, dt: number, tauInv: Param, drive: tf.Tensor): tf.Tensor {
  return tf.add(v, tf.mul(dtTimes(dt, tauInv), drive));
}

/** `x + (-dt*tauInv)*x`: the exponential-decay Euler step Norse writes for currents. */
export function decay(x: tf.Tensor, dt: number, tauInv: Param): tf.Tensor {
  return tf.add(x, tf.mul(negate(dtTimes(dt, tauInv)), x));
}

/** `x - dt*tauInv*x`, the other spelling Norse uses (LI, LSNN); equal in float32 to {@link decay}. */
export function decaySub(x: tf.Tensor, dt: number, tauInv: Param): tf.Tensor {
  return tf.sub(x, tf.mul(dtTimes(dt, tauInv), x));
}

/** `(1 - z)*v + z*reset`, Norse's reset; `z` detached when `detachSpike` (the recurrent LIF). */
export function resetTo(z: tf.Tensor, v: tf.Tensor, reset: Param, detachSpike: boolean): tf.Tensor {
  const zr = detachSpike ? detach(z) : z;
  return tf.add(tf.mul(tf.sub(1, zr), v), tf.mul(zr, reset));
}

/** The spike `H(v - vTh)` with the surrogate of `method`/`alpha`. */
export function spike(
  v: tf.Tensor,
  vTh: Param,
  method: Parameters<typeof threshold>[1],
  alpha: Param,
): tf.Tensor {
  return threshold(tf.sub(v, vTh), method, alpha);
}

/** A tensor of `shape` filled with `value` (a number or a broadcasting tensor). */
export function filled(shape: readonly number[], value: Param): tf.Tensor {
  if (typeof value === 'number') return tf.fill(shape.slice(), value);
  return tf.add(tf.zeros(shape.slice()), value);
}

/** A shape, or a tensor whose shape to use. */
export type ShapeLike = readonly number[] | tf.Tensor;

/** The shape of a {@link ShapeLike}. */
export function shapeOf(x: ShapeLike): number[] {
  return x instanceof tf.Tensor ? x.shape.slice() : x.slice();
}

/** Throws a clear error when a weight matrix does not fit the input. */
export function checkWeights(where: string, x: tf.Tensor, w: tf.Tensor, name: string): void {
  const inFeatures = x.shape[x.shape.length - 1];
  if (w.rank !== 2 || w.shape[1] !== inFeatures) {
    throw new Error(
      `${where}: ${name} must be [out, in] with in = ${inFeatures} (the input's last dimension), got [${w.shape.join(', ')}].`,
    );
  }
}

/**
 * The product of parameters as Norse forms it from Python floats: in double precision, rounded to
 * float32 once, when every factor is a number; a float32 tensor product otherwise.
 */
export function paramProduct(...factors: Param[]): Param {
  if (factors.every((f): f is number => typeof f === 'number')) {
    return Math.fround(factors.reduce((a, b) => a * b, 1));
  }
  return factors.reduce<Param>(
    (a, b) => (typeof a === 'number' && typeof b === 'number' ? a * b : tf.mul(a, b)),
    1,
  );
}

/** Fills overrides over frozen defaults, rejecting unknown keys (a typo would silently do nothing). */
export function withDefaults<P extends object>(where: string, defaults: P, overrides: Partial<P>): P {
  for (const key of Object.keys(overrides)) {
    if (!(key in defaults)) {
      throw new TypeError(
        `${where}: unknown parameter "${key}"; known: ${Object.keys(defaults).join(', ')}.`,
      );
    }
  }
  return Object.freeze({ ...defaults, ...overrides });
}

/** `dt*tauInv*drive` with `dt*tauInv` rounded as torch rounds it (Norse's `dv`). */
export function dtTimesDrive(dt: number, tauInv: Param, drive: tf.Tensor): tf.Tensor {
  return tf.mul(dtTimes(dt, tauInv), drive);
}

/** Throws a clear error when a multi-compartment coupling matrix does not fit the compartments of `v`. */
export function checkCoupling(where: string, v: tf.Tensor, g: tf.Tensor): void {
  const n = v.shape[v.shape.length - 1];
  if (g.rank !== 2 || g.shape[0] !== n || g.shape[1] !== n) {
    throw new Error(
      `${where}: gCoupling must be [N, N] with N = ${n} (the number of compartments), got [${g.shape.join(', ')}].`,
    );
  }
}
