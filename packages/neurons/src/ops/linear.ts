import * as tf from '@tensorflow/tfjs-core';
import { KERNELS, runKernel1 } from '../kernels/names.js';
import { kernelHere } from '../kernels/register.js';

/**
 * `x @ W^T` for weights stored `[out, in]` (PyTorch/NIR layout), as `torch.nn.functional.linear`.
 * On wasm a kernel of ours that transposes `W` explicitly, forward and backward (tfjs-wasm's product
 * with a transposed operand is about ten times slower).
 */
export function linear(x: tf.Tensor, weights: tf.Tensor): tf.Tensor {
  if (x.rank === 2 && weights.rank === 2 && tf.getBackend() === 'wasm' && kernelHere(KERNELS.linear))
    return runKernel1(KERNELS.linear, { x, w: weights }, {});
  return tf.matMul(x, weights, false, true);
}
