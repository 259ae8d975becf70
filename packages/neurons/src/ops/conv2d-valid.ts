import type * as tf from '@tensorflow/tfjs-core';
import { KERNELS, runKernel1 } from '../kernels/names.js';
import { kernelHere } from '../kernels/register.js';

/**
 * A 'valid' 2-D convolution of channels-last `x [B, H, W, C]` with `w [k, k, C, out]` that trains
 * fast on every backend: the backend's own convolution forward, and gradients that are
 * convolutions too at stride 1 (each computed only when needed); other strides use a transposed
 * convolution and an image-to-columns product. Values and gradients equal `tf.conv2d`'s (tested
 * against it, and against a hand computation on wasm, which has no filter gradient of its own).
 */
export function conv2dValid(x: tf.Tensor4D, w: tf.Tensor4D, stride = 1): tf.Tensor4D {
  if (x.rank !== 4 || w.rank !== 4 || w.shape[2] !== x.shape[3])
    throw new Error(
      `conv2dValid: x must be [B, H, W, C] and w [k, k, C, out] with matching C, got [${x.shape.join(', ')}] and [${w.shape.join(', ')}].`,
    );
  if (!Number.isInteger(stride) || stride < 1)
    throw new Error(`conv2dValid: stride must be a positive integer, got ${stride}.`);
  kernelHere(KERNELS.conv2dValid);
  return runKernel1(KERNELS.conv2dValid, { x, w }, { stride }) as tf.Tensor4D;
}
