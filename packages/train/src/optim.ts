import * as tf from '@tensorflow/tfjs-core';

/** Options of {@link adam}; the defaults are PyTorch's (`torch.optim.Adam`). */
export interface AdamOptions {
  /** Decay of the first moment. Default 0.9. */
  readonly beta1?: number;
  /** Decay of the second moment. Default 0.999. */
  readonly beta2?: number;
  /**
   * Added to the root of the second moment before dividing. Default 1e-8 (PyTorch's), raised to the
   * backend's own epsilon on 16-bit float backends (WebGL without float32 render targets, or with
   * `WEBGL_FORCE_F16_TEXTURES`), where 1e-8 is zero.
   */
  readonly epsilon?: number;
}

/**
 * Whether the active backend computes in 16-bit floats. tfjs-webgl's `floatPrecision()` says 16
 * whenever the device can render to float32 textures (its check only runs without them), so there
 * the texture flags decide: float32 textures mean float32 arithmetic.
 */
function halfPrecision(): boolean {
  if (tf.backend().floatPrecision() === 32) return false;
  if (tf.getBackend() !== 'webgl') return true;
  const env = tf.env();
  return !env.getBool('WEBGL_RENDER_FLOAT32_ENABLED') || env.getBool('WEBGL_FORCE_F16_TEXTURES');
}

/**
 * Adam with PyTorch's defaults, the optimizer of Norse's tutorial. `tf.train.adam` uses the
 * backend's epsilon (1e-7) where PyTorch uses 1e-8; with rarely active weights (a spiking net's),
 * `sqrt(v)` is small enough for that to change the step size. The update is otherwise the same:
 * `w -= lr * m̂ / (sqrt(v̂) + epsilon)` with bias-corrected moments.
 *
 * @example
 * ```ts
 * const optimizer = adam(1e-3); // torch.optim.Adam(model.parameters(), lr=1e-3)
 * ```
 */
export function adam(learningRate: number, options: AdamOptions = {}): tf.AdamOptimizer {
  if (!(learningRate > 0) || !Number.isFinite(learningRate)) {
    throw new RangeError(`adam: learningRate must be a positive finite number, got ${learningRate}`);
  }
  const epsilon = options.epsilon ?? (halfPrecision() ? tf.backend().epsilon() : 1e-8);
  return tf.train.adam(
    learningRate,
    options.beta1 ?? 0.9,
    options.beta2 ?? 0.999,
    epsilon,
  ) as tf.AdamOptimizer;
}
