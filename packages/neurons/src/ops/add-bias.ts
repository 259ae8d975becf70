import * as tf from '@tensorflow/tfjs-core';
import { KERNELS, runKernel1 } from '../kernels/names.js';
import { kernelHere } from '../kernels/register.js';

/**
 * `x + bias` with `bias [C]` added along the last axis of `x [..., C]` (a layer's bias). On
 * `cpu`/`wasm` its bias gradient is one pass over the rows of `dy` (tfjs-wasm's `Sum` over the
 * leading axes transposes `dy` first) and nothing of `x` is kept for it; elsewhere it is `tf.add`.
 */
export function addBias(x: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const C = x.shape[x.rank - 1];
  if (bias.rank !== 1 || bias.shape[0] !== C)
    throw new Error(
      `addBias: bias must be [${C}] for x [${x.shape.join(', ')}], got [${bias.shape.join(', ')}].`,
    );
  if (x.dtype !== 'float32' || bias.dtype !== 'float32' || !kernelHere(KERNELS.biasAdd))
    return tf.add(x, bias);
  return runKernel1(KERNELS.biasAdd, { x, bias }, {});
}
