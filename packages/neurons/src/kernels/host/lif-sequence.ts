import type { HostKernelConfig } from '@snn/core';
import { KERNELS, type KernelAttrs } from '../names.js';
import { borrowF32 } from '../side-channels.js';
import { lifFeedForward } from './lif-loops.js';

/**
 * Norse's feed-forward LIF over `T` steps: `currents [T·B, ...]` (time-major) from the state
 * `v0, i0 [B, ...]`; outputs the spikes and the final `v, i`. Keeps spikes and decayed voltages
 * (in reused arrays) for its gradient.
 */
export const lifSequenceKernel: HostKernelConfig<KernelAttrs[typeof KERNELS.lifSequence]> = {
  kernelName: KERNELS.lifSequence,
  inputNames: ['currents', 'v0', 'i0'],
  outputShapes: ([c, v0]) => [[...c!], [...v0!], [...v0!]],
  compute: ({ inputs: [c, v0, i0], outputs: [z, v, i], attrs }) => {
    const T = attrs.T;
    const N = c!.length / T;
    const d = borrowF32(T * N);
    const spikes = borrowF32(T * N);
    v!.set(v0!);
    i!.set(i0!);
    lifFeedForward(c!, T, N, attrs, z!, d, { v: v!, i: i! });
    spikes.set(z!);
    attrs.stash.value = { z: spikes, d };
  },
};
