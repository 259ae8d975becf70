import * as tf from '@tensorflow/tfjs-core';
import { KERNELS, runKernel1 } from '../names.js';

/** The gradient of `addBias`: `dy` itself for `x`; for the bias one pass over the rows of `dy` (a kernel). */
export const biasAddGradConfig: tf.GradConfig = {
  kernelName: KERNELS.biasAdd,
  gradFunc: (dy) => {
    const g = dy as tf.Tensor;
    return {
      x: () => tf.reshape(g, g.shape),
      bias: () => runKernel1(KERNELS.biasGrad, { dy: g }, {}),
    };
  },
};
