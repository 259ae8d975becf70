import type { HostKernelConfig } from '@snn/core';
import { KERNELS, type KernelAttrs } from '../names.js';
import { liBackward } from './lif-loops.js';

/** BPTT of {@link liSequenceKernel}: the gradients of the currents and of the initial `v, i`. */
export const liSequenceGradKernel: HostKernelConfig<KernelAttrs[typeof KERNELS.liSequenceGrad]> = {
  kernelName: KERNELS.liSequenceGrad,
  inputNames: ['dy', 'dv', 'di'],
  outputShapes: ([dy, dv]) => [[...dy!], [...dv!], [...dv!]],
  compute: ({ inputs: [gy, dv, di], outputs: [gx, gv, gi], attrs }) => {
    gv!.set(dv!);
    gi!.set(di!);
    liBackward(gy!, attrs.T, gy!.length / attrs.T, attrs, gx!, { v: gv!, i: gi! });
  },
};
