import type * as tf from '@tensorflow/tfjs-core';
import { attrsOf, KERNELS, runKernelN } from '../names.js';

/** The gradient of the leaky-integrator sequence: one backward pass (a kernel) for the currents and the initial state. */
export const liSequenceGradConfig: tf.GradConfig = {
  kernelName: KERNELS.liSequence,
  gradFunc: (dy, _saved, attrs) => {
    const [dv, dvT, diT] = dy as tf.Tensor[];
    const [currents, v0, i0] = runKernelN(
      KERNELS.liSequenceGrad,
      { dy: dv!, dv: dvT!, di: diT! },
      attrsOf(KERNELS.liSequence, attrs),
    );
    return { currents: () => currents!, v0: () => v0!, i0: () => i0! };
  },
};
