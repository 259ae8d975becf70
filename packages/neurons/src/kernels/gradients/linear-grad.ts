import * as tf from '@tensorflow/tfjs-core';
import { KERNELS } from '../names.js';

/** The gradient of `linear` on wasm: `dy @ w` and `dy^T @ x`, each without a transposed operand. */
export const linearGradConfig: tf.GradConfig = {
  kernelName: KERNELS.linear,
  inputsToSave: ['x', 'w'],
  gradFunc: (dy, saved) => {
    const [x, w] = saved as [tf.Tensor2D, tf.Tensor2D];
    const g = dy as tf.Tensor2D;
    return { x: () => tf.matMul(g, w), w: () => tf.matMul(tf.transpose(g), x) };
  },
};
