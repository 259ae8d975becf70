import type { HostKernelConfig } from '@snn/core';
import { KERNELS, type KernelAttrs } from '../names.js';
import { eventRows, eventsOfInput, transposed } from './events.js';

/** `x @ w^T` from the events of `x` (any shape flattening to `[rows, in]`), `w [out, in]`. */
export const spikeLinearKernel: HostKernelConfig<KernelAttrs[typeof KERNELS.spikeLinear]> = {
  kernelName: KERNELS.spikeLinear,
  inputNames: ['x', 'weight'],
  outputShapes: (_, { outShape }) => [[...outShape]],
  compute: ({ inputs: [x, w], inputShapes: [, ws], outputs: [y], attrs }) => {
    const [O, I] = ws as [number, number];
    const ev = eventsOfInput(x!, attrs.xDataId);
    eventRows(ev, x!.length / I, I, O, transposed(w!, O, I), y!, 'scatter');
    attrs.stash.value = ev;
  },
};
