import type * as tf from '@tensorflow/tfjs-core';
import { attrsOf, KERNELS, runKernel1 } from '../names.js';

/** The gradient of the constant-current LIF encoder (a kernel; on the host it recomputes the forward pass). */
export const lifCurrentEncoderGradConfig: tf.GradConfig = {
  kernelName: KERNELS.lifCurrentEncoder,
  inputsToSave: ['x'],
  // The GPU kernel's decayed voltages (its last output; the host kernel recomputes them).
  outputsToSave: [false, true],
  gradFunc: (dy, saved, attrs) => {
    const [x, d] = saved as [tf.Tensor, tf.Tensor | undefined];
    const g = Array.isArray(dy) ? dy[0]! : dy;
    return {
      x: () =>
        runKernel1(
          KERNELS.lifCurrentEncoderGrad,
          { x, dy: g, ...(d ? { saved: d } : {}) },
          attrsOf(KERNELS.lifCurrentEncoder, attrs),
        ),
    };
  },
};
