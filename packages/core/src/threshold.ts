import * as tf from '@tensorflow/tfjs-core';
import { type SurrogateMethod, surrogate } from './surrogate.js';
import type { Param } from './types.js';

/**
 * The strict Heaviside step, `1` where `x > 0` and `0` elsewhere (`x = 0` gives 0), with no
 * gradient. One kernel on every backend.
 */
export function heavisideStep(x: tf.Tensor): tf.Tensor {
  return tf.step(x, 0);
}

/**
 * The spike function: forward the strict Heaviside step `H(x)`, backward `dy * surrogate'(x)`.
 * This is Norse's `threshold(x, method, alpha)`.
 *
 * Forward: `z = 1` if `x > 0`, else `0`, whatever the method.
 * Backward: `dL/dx = dL/dz * derivative(x, alpha)` (see each surrogate for its formula);
 * `heaviside` passes no gradient.
 *
 * @param x - Distance to threshold, e.g. `v - vTh`.
 * @param method - A built-in surrogate name or a {@link Surrogate}. Default `'super'`.
 * @param alpha - Sharpness of the surrogate; defaults to the surrogate's own default (100 for super).
 *
 * @example
 * ```ts
 * const z = threshold(tf.sub(v, 1), 'super', 100); // spikes where v > 1
 * ```
 */
export function threshold(x: tf.Tensor, method: SurrogateMethod = 'super', alpha?: Param): tf.Tensor {
  const s = surrogate(method);
  const a = alpha ?? s.defaultAlpha;
  const forward = (v: tf.Tensor, at: Param): tf.Tensor => (s.forward ? s.forward(v, at) : heavisideStep(v));
  if (typeof a === 'number') {
    const spike = tf.customGrad((input, save) => {
      const xs = input as tf.Tensor;
      (save as tf.GradSaveFunc)([xs]);
      return {
        value: forward(xs, a),
        gradFunc: (dy, saved) => tf.mul(dy as tf.Tensor, s.derivative(saved[0] as tf.Tensor, a)),
      };
    });
    return spike(x);
  }
  // A tensor alpha is an input of the op, so the tape keeps it alive until the backward pass.
  // It receives no gradient: the surrogate's sharpness is not learned through the spike.
  const spike = tf.customGrad((input, alphaInput, save) => {
    const xs = input as tf.Tensor;
    const at = alphaInput as tf.Tensor;
    (save as tf.GradSaveFunc)([xs, at]);
    return {
      value: forward(xs, at),
      gradFunc: (dy, saved) => [
        tf.mul(dy as tf.Tensor, s.derivative(saved[0] as tf.Tensor, saved[1] as tf.Tensor)),
        tf.zerosLike(saved[1] as tf.Tensor),
      ],
    };
  });
  return spike(x, a);
}
