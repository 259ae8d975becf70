import type { HostKernelConfig } from '@snn/core';
import { KERNELS, type KernelAttrs } from '../names.js';
import { convDims, eventConv, eventsOfInput } from './events.js';

/** A stride-1 'valid' convolution of `x [F, H, W, C]` with `w [k, k, C, O]` from the events of `x`. */
export const spikeConv2dKernel: HostKernelConfig<KernelAttrs[typeof KERNELS.spikeConv2d]> = {
  kernelName: KERNELS.spikeConv2d,
  inputNames: ['x', 'w'],
  outputShapes: ([x, w]) => {
    const [F, H, W] = x as [number, number, number, number];
    const [k, , , O] = w as [number, number, number, number];
    return [[F, H - k + 1, W - k + 1, O]];
  },
  compute: ({ inputs: [x, w], inputShapes: [xs, ws], outputs: [y], attrs }) => {
    const ev = eventsOfInput(x!, attrs.xDataId);
    eventConv(ev, convDims(xs!, ws!), w!, y!, 'scatter');
    attrs.stash.value = ev;
  },
};
