import { firstMaxPool2d, tidy } from '@snn/core';
import type * as tf from '@tensorflow/tfjs-core';
import { KERNELS, runKernel1 } from '../kernels/names.js';
import { kernelHere } from '../kernels/register.js';
import { asFloat32 } from './fusion.js';

/**
 * `k × k` max-pooling with stride `k` of channels-last `x [F, H, W, C]`, its gradient going to the
 * **first** maximum of each window in row-major order, as PyTorch's (and tfjs-cpu's) does: on
 * binary spikes nearly every window has ties, and tfjs's wasm and GPU gradients pick the last one.
 * One loop on `cpu`/`wasm` that keeps each maximum's position for the gradient and hands its
 * non-zero outputs (pooled spikes) to the event-driven ops as events; on `webgl`/`webgpu` tfjs's
 * max-pooling with a gradient program of ours; elsewhere `firstMaxPool2d` of `@snn/core` (the same
 * rule, from tfjs ops).
 */
export function maxPool2d(x: tf.Tensor4D, k = 2): tf.Tensor4D {
  if (x.rank !== 4) throw new Error(`maxPool2d: x must be [F, H, W, C], got [${x.shape.join(', ')}].`);
  if (!Number.isInteger(k) || k < 1 || k > 15 || x.shape[1] < k || x.shape[2] < k) {
    throw new Error(
      `maxPool2d: window ${k} must be a whole number in [1, 15] that fits [${x.shape.join(', ')}].`,
    );
  }
  if (!kernelHere(KERNELS.maxPool)) return firstMaxPool2d(x, k);
  return tidy(
    () =>
      runKernel1(KERNELS.maxPool, { x: asFloat32(x) }, { k, xShape: [...x.shape], stash: {} }) as tf.Tensor4D,
  );
}
