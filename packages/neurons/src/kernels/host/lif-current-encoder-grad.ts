import type { HostKernelConfig } from '@snn/core';
import { KERNELS, type KernelAttrs } from '../names.js';
import { encoderBackward } from './lif-loops.js';

/** BPTT of the constant-current LIF encoder: the gradient of its input `x` from that of the spikes. */
export const lifCurrentEncoderGradKernel: HostKernelConfig<
  KernelAttrs[typeof KERNELS.lifCurrentEncoderGrad]
> = {
  kernelName: KERNELS.lifCurrentEncoderGrad,
  inputNames: ['x', 'dy'],
  outputShapes: ([x]) => [[...x!]],
  compute: ({ inputs: [x, dy], outputs: [gx], attrs }) => encoderBackward(x!, dy!, attrs, attrs.T, gx!),
};
