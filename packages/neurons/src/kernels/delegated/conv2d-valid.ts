import * as tf from '@tensorflow/tfjs-core';
import { KERNELS } from '../names.js';

/**
 * A 'valid' convolution of channels-last `x [B, H, W, C]` with `w [k, k, C, out]` as a kernel of its
 * own on the active backend, computed by the backend's `Conv2D`, so that its gradient is ours
 * (`gradients/conv2d-valid-grad.ts`): each input's gradient computed only when needed, both as
 * convolutions every backend runs fast (tfjs's wasm backend has no `Conv2DBackpropFilter` and a
 * slow `Conv2DBackpropInput`). Registered for a backend when first used there.
 */
export function registerConv2dValid(backendName: string): void {
  if (tf.getKernel(KERNELS.conv2dValid, backendName)) return;
  const conv = tf.getKernel('Conv2D', backendName);
  if (!conv) throw new Error(`conv2dValid: backend '${backendName}' has no Conv2D kernel.`);
  tf.registerKernel({
    kernelName: KERNELS.conv2dValid,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) =>
      conv.kernelFunc({
        inputs: { x: inputs.x!, filter: inputs.w! },
        backend,
        attrs: {
          strides: (attrs as { stride: number }).stride,
          pad: 'valid',
          dataFormat: 'NHWC',
          dilations: 1,
          dimRoundingMode: null,
        } as never,
      }),
  });
}
