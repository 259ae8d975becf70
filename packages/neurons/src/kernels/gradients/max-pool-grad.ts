import type * as tf from '@tensorflow/tfjs-core';
import { attrsOf, KERNELS, runKernel1 } from '../names.js';

/**
 * The gradient of `maxPool2d`: to each window's first maximum (a kernel). The host kernels keep
 * the maxima's positions themselves; the GPU kernels' forward hands on its input (saved here).
 */
export const maxPoolGradConfig: tf.GradConfig = {
  kernelName: KERNELS.maxPool,
  outputsToSave: [false, true],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as [tf.Tensor | undefined];
    // The GPU kernels have a second output (their input, for this gradient): dy is then a list.
    const g = Array.isArray(dy) ? dy[0]! : dy;
    return {
      x: () =>
        runKernel1(KERNELS.maxPoolGrad, { dy: g, ...(x ? { x } : {}) }, attrsOf(KERNELS.maxPool, attrs)),
    };
  },
};
