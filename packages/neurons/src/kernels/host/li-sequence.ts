import type { HostKernelConfig } from '@snn/core';
import { KERNELS, type KernelAttrs } from '../names.js';
import { liForward } from './lif-loops.js';

/** A leaky integrator over `T` steps of `currents [T, ...]` from `v0, i0`: every step's voltage, and the final `v, i`. */
export const liSequenceKernel: HostKernelConfig<KernelAttrs[typeof KERNELS.liSequence]> = {
  kernelName: KERNELS.liSequence,
  inputNames: ['currents', 'v0', 'i0'],
  outputShapes: ([c, v0]) => [[...c!], [...v0!], [...v0!]],
  compute: ({ inputs: [x, v0, i0], outputs: [out, v, i], attrs }) => {
    v!.set(v0!);
    i!.set(i0!);
    liForward(x!, attrs.T, x!.length / attrs.T, attrs, out!, { v: v!, i: i! });
  },
};
