import type * as tf from '@tensorflow/tfjs-core';
import { attrsOf, KERNELS, runKernelN } from '../names.js';

/**
 * The gradient of the recurrent LIF sequence: one backward pass (a kernel) gives the gradients of
 * the currents, the recurrent weights and the initial state together, from those of the spikes and
 * of the final state.
 */
export const lifRecurrentSequenceGradConfig: tf.GradConfig = {
  kernelName: KERNELS.lifRecurrentSequence,
  inputsToSave: ['weights', 'z0'],
  // The GPU kernels' every-step state (their last output; the host kernels keep theirs in a stash).
  outputsToSave: [false, false, false, false, true],
  gradFunc: (dy, saved, attrs) => {
    const [dz, dzT, dv, di] = dy as tf.Tensor[];
    const [weights, z0, states] = saved as [tf.Tensor, tf.Tensor, tf.Tensor | undefined];
    const [currents, gW, gz0, gv0, gi0] = runKernelN(
      KERNELS.lifRecurrentSequenceGrad,
      { dz: dz!, dzT: dzT!, dv: dv!, di: di!, weights, z0, ...(states ? { saved: states } : {}) },
      attrsOf(KERNELS.lifRecurrentSequence, attrs),
    );
    return {
      currents: () => currents!,
      weights: () => gW!,
      z0: () => gz0!,
      v0: () => gv0!,
      i0: () => gi0!,
    };
  },
};
