import type * as tf from '@tensorflow/tfjs-core';
import { attrsOf, KERNELS, runKernelN } from '../names.js';

/**
 * The gradient of the feed-forward LIF sequence: one backward pass (a kernel) gives the currents'
 * gradient and the initial state's together, from the gradients of the spikes and of the final
 * state. It runs when the gradient function is called; the tape frees what no input needed.
 */
export const lifSequenceGradConfig: tf.GradConfig = {
  kernelName: KERNELS.lifSequence,
  // The GPU kernels' every-step state (their last output; the host kernels keep theirs in a stash).
  outputsToSave: [false, false, false, true],
  gradFunc: (dy, saved, attrs) => {
    const [dz, dv, di] = dy as tf.Tensor[];
    const [currents, v0, i0] = runKernelN(
      KERNELS.lifSequenceGrad,
      { dz: dz!, dv: dv!, di: di!, ...(saved[0] ? { saved: saved[0] } : {}) },
      attrsOf(KERNELS.lifSequence, attrs),
    );
    return { currents: () => currents!, v0: () => v0!, i0: () => i0! };
  },
};
