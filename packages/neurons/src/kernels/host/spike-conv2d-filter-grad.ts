import type { HostKernelConfig } from '@snn/core';
import { KERNELS, type KernelAttrs } from '../names.js';
import { takeStash } from '../side-channels.js';
import { convDims, eventConv } from './events.js';

/** The filter gradient of {@link spikeConv2dKernel}, gathered at the forward's events. */
export const spikeConv2dFilterGradKernel: HostKernelConfig<
  KernelAttrs[typeof KERNELS.spikeConv2dFilterGrad]
> = {
  kernelName: KERNELS.spikeConv2dFilterGrad,
  inputNames: ['dy'],
  outputShapes: (_, { wShape }) => [[...wShape]],
  compute: ({ inputs: [dy], outputs: [gw], attrs }) => {
    const events = takeStash(attrs.stash, KERNELS.spikeConv2d);
    eventConv(events, convDims(attrs.xShape, attrs.wShape), gw!, dy!, 'gather');
  },
};
