import type * as tf from '@tensorflow/tfjs-core';
import { attrsOf, KERNELS, runKernel1 } from '../names.js';

/** The gradient of `maxPool2d`: to each window's first maximum (a kernel). */
export const maxPoolGradConfig: tf.GradConfig = {
  kernelName: KERNELS.maxPool,
  gradFunc: (dy, _saved, attrs) => ({
    x: () => runKernel1(KERNELS.maxPoolGrad, { dy: dy as tf.Tensor }, attrsOf(KERNELS.maxPool, attrs)),
  }),
};
