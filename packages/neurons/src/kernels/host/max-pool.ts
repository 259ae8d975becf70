import type { HostKernelConfig } from '@snn/core';
import { KERNELS, type KernelAttrs } from '../names.js';
import { borrowI32, rememberEvents } from '../side-channels.js';
import { Arena, simdKernels } from '../simd/simd.js';
import { eventsOf } from './events.js';

/**
 * `k × k` max-pooling with stride `k` of channels-last `x [F, H, W, C]`, keeping the window position
 * of each maximum (the first one in row-major order, as PyTorch) for the gradient, and its non-zero
 * outputs (pooled spikes) as events for the next event-driven kernel.
 */
export const maxPoolKernel: HostKernelConfig<KernelAttrs[typeof KERNELS.maxPool]> = {
  kernelName: KERNELS.maxPool,
  inputNames: ['x'],
  outputShapes: ([x], { k }) => {
    const [F, H, W, C] = x as [number, number, number, number];
    return [[F, Math.floor(H / k), Math.floor(W / k), C]];
  },
  compute: ({ inputs: [x], inputShapes: [xs], outputs: [y], attrs, withOutputs }) => {
    const [F, H, W, C] = xs as [number, number, number, number];
    const k = attrs.k;
    const OH = Math.floor(H / k);
    const OW = Math.floor(W / k);
    const arg = borrowI32(y!.length);
    const kern = simdKernels();
    if (kern) {
      const a = new Arena(kern);
      const px = a.alloc(x!.length);
      const py = a.alloc(y!.length);
      const parg = a.alloc(y!.length);
      a.grow();
      a.f32(px, x!.length).set(x!);
      kern.maxPool(px, F, H, W, C, k, py, parg);
      y!.set(a.f32(py, y!.length));
      arg.set(a.i32(parg, y!.length));
    } else {
      for (let o = 0; o < y!.length; o++) {
        const c = o % C;
        const ox = Math.floor(o / C) % OW;
        const oy = Math.floor(o / (C * OW)) % OH;
        const f = Math.floor(o / (C * OW * OH));
        for (let pos = 0; pos < k * k; pos++) {
          const v = x![((f * H + oy * k + Math.floor(pos / k)) * W + ox * k + (pos % k)) * C + c]!;
          if (pos === 0 || v > y![o]!) {
            y![o] = v;
            arg[o] = pos;
          }
        }
      }
    }
    attrs.stash.value = arg;
    const events = eventsOf(y!);
    withOutputs(([out]) => rememberEvents(out!.dataId, events));
  },
};
