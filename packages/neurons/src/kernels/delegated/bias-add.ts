import { HOST_BACKENDS } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { KERNELS } from '../names.js';

/**
 * `x + bias` as a kernel of its own on `cpu` and `wasm`, computed by the backend's own broadcasting
 * `Add`, so that its gradient is ours (the bias gradient one pass over the rows of `dy`, and no
 * saved copy of `x`).
 */
export function registerBiasAdd(): void {
  for (const backendName of HOST_BACKENDS) {
    if (tf.getKernel(KERNELS.biasAdd, backendName)) continue;
    tf.registerKernel({
      kernelName: KERNELS.biasAdd,
      backendName,
      // Looked up when run: the backend may register its kernels after ours.
      kernelFunc: ({ inputs, backend }) =>
        tf.getKernel('Add', backendName)!.kernelFunc({
          inputs: { a: inputs.x!, b: inputs.bias! },
          backend,
          attrs: {},
        }),
    });
  }
}
