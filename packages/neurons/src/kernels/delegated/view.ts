import * as tf from '@tensorflow/tfjs-core';
import { KERNELS } from '../names.js';

/**
 * A reshape as a kernel of its own, computed by the backend's `Reshape` (which shares the data),
 * so that its gradient is ours: tfjs's `Reshape` gradient saves the input, and on wasm every saved
 * tensor is copied. Registered for a backend when first used there.
 */
export function registerView(backendName: string): boolean {
  if (tf.getKernel(KERNELS.view, backendName)) return true;
  const reshape = tf.getKernel('Reshape', backendName);
  if (!reshape) return false;
  tf.registerKernel({
    kernelName: KERNELS.view,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) =>
      reshape.kernelFunc({
        inputs: { x: inputs.x! },
        backend,
        attrs: { shape: [...(attrs as { shape: number[] }).shape] },
      }),
  });
  return true;
}
