import type { HostKernelConfig } from '@snn/core';
import { KERNELS, type KernelAttrs } from '../names.js';
import { handBack, takeStash } from '../side-channels.js';

/** The gradient of {@link maxPoolKernel}: each window's gradient to where its maximum was. */
export const maxPoolGradKernel: HostKernelConfig<KernelAttrs[typeof KERNELS.maxPoolGrad]> = {
  kernelName: KERNELS.maxPoolGrad,
  inputNames: ['dy'],
  outputShapes: (_, { xShape }) => [[...xShape]],
  compute: ({ inputs: [g], outputs: [dx], attrs }) => {
    const arg = takeStash(attrs.stash, KERNELS.maxPool);
    const [F, H, W, C] = attrs.xShape as [number, number, number, number];
    const k = attrs.k;
    const OH = Math.floor(H / k);
    const OW = Math.floor(W / k);
    // The offset of each window position from the window's corner, in the input.
    const offset = Int32Array.from({ length: k * k }, (_, pos) => (Math.floor(pos / k) * W + (pos % k)) * C);
    for (let f = 0, o = 0; f < F; f++)
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          const corner = ((f * H + oy * k) * W + ox * k) * C;
          for (let c = 0; c < C; c++, o++) dx![corner + offset[arg[o]!]! + c] = g![o]!;
        }
    handBack(arg);
  },
};
