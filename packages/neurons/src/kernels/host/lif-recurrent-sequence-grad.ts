import type { HostKernelConfig } from '@snn/core';
import { KERNELS, type KernelAttrs } from '../names.js';
import { takeStash } from '../side-channels.js';
import { lifRecurrentBackward } from './lif-loops.js';

/**
 * BPTT of {@link lifRecurrentSequenceKernel}: the gradients of the currents, the recurrent weights
 * and the initial `z, v, i`. The dense product of each step (`gj W`) runs on the backend's own
 * matrix product.
 */
export const lifRecurrentSequenceGradKernel: HostKernelConfig<
  KernelAttrs[typeof KERNELS.lifRecurrentSequenceGrad]
> = {
  kernelName: KERNELS.lifRecurrentSequenceGrad,
  inputNames: ['dz', 'dzT', 'dv', 'di', 'weights', 'z0'],
  outputShapes: ([dz, dzT, , , w]) => [[...dz!], [...w!], [...dzT!], [...dzT!], [...dzT!]],
  compute: ({ inputs: [dz, dzT, dv, di, , z0], inputShapes: [ds], attrs, matMul, views }) => {
    const [T, B, H] = ds as [number, number, number];
    const N = B * H;
    const fwd = takeStash(attrs.stash, KERNELS.lifRecurrentSequence);
    // Copies: the backend's products below may move the wasm heap these views point into.
    const gz = dz!.slice();
    for (let n = 0; n < N; n++) gz[(T - 1) * N + n]! += dzT![n]!;
    const g = { v: dv!.slice(), i: di!.slice() };
    const grads = lifRecurrentBackward(fwd, { gz, z0: z0!.slice() }, T, B, H, attrs, g, (gj) =>
      matMul(gj, { input: 4, rows: H, cols: H }),
    );
    const [gI, gW, gz0, gv, gi] = views().outputs;
    gI!.set(grads.gI);
    gW!.set(grads.gW);
    gz0!.set(grads.gz0);
    gv!.set(g.v);
    gi!.set(g.i);
  },
};
