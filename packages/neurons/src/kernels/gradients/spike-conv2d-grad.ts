import type * as tf from '@tensorflow/tfjs-core';
import { attrsOf, KERNELS, runKernel1 } from '../names.js';
import { convValidInputGrad } from './conv-input-grad.js';

/**
 * The gradient of `spikeConv2d`: the filter gradient gathered at the forward's events (a kernel);
 * the input gradient a dense convolution, computed only when something upstream of `x` needs it.
 */
export const spikeConv2dGradConfig: tf.GradConfig = {
  kernelName: KERNELS.spikeConv2d,
  inputsToSave: ['w'],
  gradFunc: (dy, saved, attrs) => {
    const [w] = saved as [tf.Tensor4D];
    const g = dy as tf.Tensor4D;
    const a = attrsOf(KERNELS.spikeConv2d, attrs);
    return {
      x: () => convValidInputGrad(g, w),
      w: () => runKernel1(KERNELS.spikeConv2dFilterGrad, { dy: g }, { ...a, wShape: w.shape }),
    };
  },
};
