import type * as tf from '@tensorflow/tfjs-core';
import { attrsOf, KERNELS, runKernel1 } from '../names.js';

/** The gradient of the constant-current LIF encoder (a kernel that recomputes the forward pass). */
export const lifCurrentEncoderGradConfig: tf.GradConfig = {
  kernelName: KERNELS.lifCurrentEncoder,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as [tf.Tensor];
    return {
      x: () =>
        runKernel1(
          KERNELS.lifCurrentEncoderGrad,
          { x, dy: dy as tf.Tensor },
          attrsOf(KERNELS.lifCurrentEncoder, attrs),
        ),
    };
  },
};
