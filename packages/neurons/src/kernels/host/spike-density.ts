import type { HostKernelConfig } from '@snn/core';
import { KERNELS, type KernelAttrs } from '../names.js';
import { rememberEvents } from '../side-channels.js';
import { eventsOfInput } from './events.js';

/**
 * The fraction of non-zero entries of `x` (a scalar), remembering its events for the event-driven
 * kernel that reads `x` next: layers ask it whether their input is sparse enough for them.
 */
export const spikeDensityKernel: HostKernelConfig<KernelAttrs[typeof KERNELS.spikeDensity]> = {
  kernelName: KERNELS.spikeDensity,
  inputNames: ['x'],
  outputShapes: () => [[]],
  compute: ({ inputs: [x], outputs: [density], attrs }) => {
    const events = eventsOfInput(x!, attrs.xDataId);
    rememberEvents(attrs.xDataId, events);
    density![0] = x!.length === 0 ? 0 : events.index.length / x!.length;
  },
};
