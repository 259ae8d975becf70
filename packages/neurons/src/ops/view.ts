import * as tf from '@tensorflow/tfjs-core';
import { KERNELS, runKernel1 } from '../kernels/names.js';
import { kernelHere } from '../kernels/register.js';

/**
 * `x` under another shape with the same elements, sharing its data, like `tf.reshape`, but whose
 * gradient keeps nothing of `x` (tfjs's `Reshape` saves its input for the gradient, and on wasm
 * every saved tensor is a copy: 10 ms for an encoded MNIST batch). Layers use it to move between a
 * sequence `[T, B, ...]` and its frames `[T·B, ...]` for free. One dimension may be `-1`.
 */
export function view(x: tf.Tensor, shape: readonly number[]): tf.Tensor {
  const out = [...shape];
  const free = out.indexOf(-1);
  if (free >= 0) out[free] = x.size / out.reduce((a, d) => (d === -1 ? a : a * d), 1);
  if (!out.every((d) => Number.isInteger(d) && d >= 0) || out.reduce((a, d) => a * d, 1) !== x.size)
    throw new Error(`view: cannot view [${x.shape.join(', ')}] as [${shape.join(', ')}].`);
  if (!kernelHere(KERNELS.view)) return tf.reshape(x, out);
  return runKernel1(KERNELS.view, { x }, { shape: out, inShape: [...x.shape] });
}
