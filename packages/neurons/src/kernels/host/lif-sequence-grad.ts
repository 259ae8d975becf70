import type { HostKernelConfig } from '@snn/core';
import { KERNELS, type KernelAttrs } from '../names.js';
import { handBack, takeStash } from '../side-channels.js';
import { lifFeedForwardBackward } from './lif-loops.js';

/** BPTT of {@link lifSequenceKernel}: the gradients of the currents and of the initial `v, i`. */
export const lifSequenceGradKernel: HostKernelConfig<KernelAttrs[typeof KERNELS.lifSequenceGrad]> = {
  kernelName: KERNELS.lifSequenceGrad,
  inputNames: ['dz', 'dv', 'di'],
  outputShapes: ([dz, dv]) => [[...dz!], [...dv!], [...dv!]],
  compute: ({ inputs: [gz, dv, di], outputs: [gI, gv, gi], attrs }) => {
    const fwd = takeStash(attrs.stash, KERNELS.lifSequence);
    gv!.set(dv!);
    gi!.set(di!);
    lifFeedForwardBackward(fwd, gz!, attrs.T, gz!.length / attrs.T, attrs, gI!, { v: gv!, i: gi! });
    handBack(fwd.z, fwd.d);
  },
};
