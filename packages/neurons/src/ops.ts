import { detach, dtTimes, negate, type Param, threshold } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * tfjs's wasm backend runs a matrix product with a transposed operand about ten times slower than a
 * plain one (measured: `[8192, 784] x [100, 784]^T` 362 ms, with the transpose done first 33 ms). On
 * wasm, `linear` therefore transposes explicitly, forward and backward (its own gradient).
 */
const linearPlain = tf.customGrad((xIn, wIn, save) => {
  const x = xIn as tf.Tensor2D;
  const w = wIn as tf.Tensor2D;
  (save as tf.GradSaveFunc)([x, w]);
  return {
    value: tf.matMul(x, tf.transpose(w)),
    gradFunc: (dyIn, saved) => {
      const dy = dyIn as tf.Tensor2D;
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy, ws), tf.matMul(tf.transpose(dy), xs)];
    },
  };
});

/** Whether the active backend prefers explicit transposes (see {@link linear}). */
export function prefersExplicitTranspose(): boolean {
  return tf.getBackend() === 'wasm';
}

/** `x @ W^T` for weights stored `[out, in]` (PyTorch/NIR layout), as `torch.nn.functional.linear`. */
export function linear(x: tf.Tensor, weights: tf.Tensor): tf.Tensor {
  if (x.rank === 2 && prefersExplicitTranspose()) return linearPlain(x, weights);
  return tf.matMul(x, weights, false, true);
}

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
