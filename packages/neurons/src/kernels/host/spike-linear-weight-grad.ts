import type { HostKernelConfig } from '@snn/core';
import { KERNELS, type KernelAttrs } from '../names.js';
import { takeStash } from '../side-channels.js';
import { eventRows, transposed } from './events.js';

/** The weight gradient of {@link spikeLinearKernel}: `dy^T x`, gathered at the forward's events. */
export const spikeLinearWeightGradKernel: HostKernelConfig<
  KernelAttrs[typeof KERNELS.spikeLinearWeightGrad]
> = {
  kernelName: KERNELS.spikeLinearWeightGrad,
  inputNames: ['dy'],
  outputShapes: (_, { wShape }) => [[...wShape]],
  compute: ({ inputs: [dy], outputs: [gw], attrs }) => {
    const [O, I] = attrs.wShape;
    const gT = new Float32Array(I * O);
    eventRows(takeStash(attrs.stash, KERNELS.spikeLinear), dy!.length / O, I, O, gT, dy!, 'gather');
    gw!.set(transposed(gT, I, O));
  },
};
