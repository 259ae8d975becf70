import type { HostKernelConfig } from '@snn/core';
import { KERNELS, type KernelAttrs } from '../names.js';
import { rememberEvents } from '../side-channels.js';
import { lifRecurrentForward } from './lif-loops.js';

/**
 * Norse's recurrent LIF over a whole sequence: `currents [T, B, H]` (the input projections),
 * `weights [H, H]`, from the state `z0, v0, i0 [B, H]`; outputs the spikes `[T, B, H]` and the final
 * `z, v, i`. Hands its spikes' events to the event-driven kernel that reads them next.
 */
export const lifRecurrentSequenceKernel: HostKernelConfig<KernelAttrs[typeof KERNELS.lifRecurrentSequence]> =
  {
    kernelName: KERNELS.lifRecurrentSequence,
    inputNames: ['currents', 'weights', 'z0', 'v0', 'i0'],
    outputShapes: ([c, , z0]) => [[...c!], [...z0!], [...z0!], [...z0!]],
    compute: ({
      inputs: [c, w, z0, v0, i0],
      inputShapes: [cs],
      outputs: [z, zT, v, i],
      attrs,
      withOutputs,
    }) => {
      const [T, B, H] = cs as [number, number, number];
      const d = new Float32Array(T * B * H);
      v!.set(v0!);
      i!.set(i0!);
      const events = lifRecurrentForward(c!, w!, T, B, H, attrs, z!, d, z0!, { v: v!, i: i! });
      zT!.set(z!.subarray((T - 1) * B * H));
      attrs.stash.value = events ? { z: z!.slice(), d, events } : { z: z!.slice(), d };
      if (events) withOutputs(([out]) => rememberEvents(out!.dataId, events));
    },
  };
