import * as tf from '@tensorflow/tfjs-core';
import { attrsOf, KERNELS, runKernel1 } from '../names.js';

/**
 * The gradient of `spikeLinear`: the weight gradient gathered at the forward's events (a kernel);
 * the input gradient a dense product, computed only when something upstream of `x` needs it.
 */
export const spikeLinearGradConfig: tf.GradConfig = {
  kernelName: KERNELS.spikeLinear,
  inputsToSave: ['weight'],
  gradFunc: (dy, saved, attrs) => {
    const [w] = saved as [tf.Tensor];
    const [O, I] = w.shape as [number, number];
    const g = dy as tf.Tensor;
    const a = attrsOf(KERNELS.spikeLinear, attrs);
    return {
      x: () => tf.reshape(tf.matMul(tf.reshape(g, [-1, O]), w), [...a.xShape]),
      weight: () => runKernel1(KERNELS.spikeLinearWeightGrad, { dy: g }, { ...a, wShape: [O, I] as const }),
    };
  },
};
