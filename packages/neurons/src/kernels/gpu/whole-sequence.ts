import * as tf from '@tensorflow/tfjs-core';
import type { KERNELS, KernelAttrs } from '../names.js';
import { lifRecurrentSteps, lifRecurrentStepsGrad } from './lif-recurrent.js';
import { recurrentBackwardWGSL, recurrentForwardWGSL, recurrentLayout } from './recurrent-wgsl.js';
import {
  encoderBackwardWGSL,
  encoderForwardWGSL,
  liBackwardWGSL,
  liForwardWGSL,
  lifBackwardWGSL,
  lifForwardWGSL,
} from './sequence-wgsl.js';
import { opsKernel } from './util.js';
import { runWGSL, workgroupStorage } from './wgsl.js';

/**
 * The sequence kernels on webgpu: every sequence, forward or backward, in one launch (a
 * thread per neuron, or a workgroup per sample for the recurrent layer), plus slices that split
 * its flat output. The last output of each forward is that flat output itself, saved by tfjs for
 * the gradient (`outputsToSave` of the shared gradient configs).
 */

const flat = (t: tf.Tensor) => tf.reshape(t, [t.size]);
const cut = (t: tf.Tensor, from: number, size: number, shape: readonly number[]) =>
  tf.reshape(tf.slice(t, from, size), [...shape]);

/** The feed-forward LIF sequence: `[z, v_T, i_T, saved]`. */
export const lifSequenceWebGPU = opsKernel<KernelAttrs[typeof KERNELS.lifSequence]>(
  ({ currents, v0, i0 }, a) => {
    const T = a.T;
    const N = currents!.size / T;
    const out = runWGSL(lifForwardWGSL(a, T, N), { Currents: flat(currents!), V0: flat(v0!), I0: flat(i0!) });
    return [
      cut(out, 0, T * N, currents!.shape),
      cut(out, 2 * T * N, N, v0!.shape),
      cut(out, 2 * T * N + N, N, v0!.shape),
      out,
    ];
  },
);

/** BPTT of {@link lifSequenceWebGPU}: `[d currents, d v0, d i0]`. */
export const lifSequenceGradWebGPU = opsKernel<KernelAttrs[typeof KERNELS.lifSequence]>(
  ({ dz, dv, di, saved }, a) => {
    const T = a.T;
    const N = dz!.size / T;
    const out = runWGSL(lifBackwardWGSL(a, T, N), {
      Dz: flat(dz!),
      Dv: flat(dv!),
      Di: flat(di!),
      Saved: saved!,
    });
    return [cut(out, 0, T * N, dz!.shape), cut(out, T * N, N, dv!.shape), cut(out, T * N + N, N, dv!.shape)];
  },
);

/** The leaky-integrator sequence: `[v, v_T, i_T]`. */
export const liSequenceWebGPU = opsKernel<KernelAttrs[typeof KERNELS.liSequence]>(
  ({ currents, v0, i0 }, c) => {
    const T = c.T;
    const N = currents!.size / T;
    const out = runWGSL(liForwardWGSL(c, T, N), { Currents: flat(currents!), V0: flat(v0!), I0: flat(i0!) });
    return [
      cut(out, 0, T * N, currents!.shape),
      cut(out, T * N, N, v0!.shape),
      cut(out, T * N + N, N, v0!.shape),
    ];
  },
);

/** BPTT of {@link liSequenceWebGPU}: `[d currents, d v0, d i0]`. */
export const liSequenceGradWebGPU = opsKernel<KernelAttrs[typeof KERNELS.liSequence]>(({ dy, dv, di }, c) => {
  const T = c.T;
  const N = dy!.size / T;
  const out = runWGSL(liBackwardWGSL(c, T, N), { Dy: flat(dy!), Dv: flat(dv!), Di: flat(di!) });
  return [cut(out, 0, T * N, dy!.shape), cut(out, T * N, N, dv!.shape), cut(out, T * N + N, N, dv!.shape)];
});

/** The constant-current LIF encoder: `[z [T, ...x.shape], saved]`. */
export const lifCurrentEncoderWebGPU = opsKernel<KernelAttrs[typeof KERNELS.lifCurrentEncoder]>(
  ({ x }, a) => {
    const N = x!.size;
    const out = runWGSL(encoderForwardWGSL(a, a.T, N), { X: flat(x!) });
    return [cut(out, 0, a.T * N, [a.T, ...x!.shape]), out];
  },
);

/** BPTT of {@link lifCurrentEncoderWebGPU}: `[d x]`. */
export const lifCurrentEncoderGradWebGPU = opsKernel<KernelAttrs[typeof KERNELS.lifCurrentEncoder]>(
  ({ x, dy, saved }, a) => [
    tf.reshape(runWGSL(encoderBackwardWGSL(a, a.T, x!.size), { Dy: flat(dy!), Saved: saved! }), x!.shape),
  ],
);

type RecurrentAttrs = KernelAttrs[typeof KERNELS.lifRecurrentSequence];

/**
 * The recurrent LIF sequence: one launch per sequence (a workgroup per sample), or the per-step
 * kernels where even one step's spikes do not fit in workgroup memory. Outputs as the per-step
 * kernel's: `[z, z_T, v_T, i_T, saved]`.
 */
export const lifRecurrentSequenceWebGPU = opsKernel<RecurrentAttrs>((inputs, a) => {
  const { currents, weights, z0, v0, i0 } = inputs;
  const [T, B, H] = currents!.shape as [number, number, number];
  const L = recurrentLayout(H, workgroupStorage());
  if (!L) return lifRecurrentSteps(inputs, a);
  const out = runWGSL(recurrentForwardWGSL(a, T, B, H, L), {
    Currents: flat(currents!),
    WT: tf.transpose(weights!),
    Z0: flat(z0!),
    V0: flat(v0!),
    I0: flat(i0!),
  });
  const [TBH, BH] = [T * B * H, B * H];
  return [
    cut(out, TBH, TBH, [T, B, H]),
    cut(out, TBH + (T - 1) * BH, BH, [B, H]),
    cut(out, 2 * TBH, BH, [B, H]),
    cut(out, 2 * TBH + BH, BH, [B, H]),
    out,
  ];
});

/**
 * BPTT of {@link lifRecurrentSequenceWebGPU}: the backward pass in one launch, then the weight
 * gradient as one product over all steps, `dW = Σ_t gj_tᵀ z_{t-1}` (`z_{-1} = z0`).
 */
export const lifRecurrentSequenceGradWebGPU = opsKernel<RecurrentAttrs>((inputs, a) => {
  const { dz, dzT, dv, di, weights, z0, saved } = inputs;
  const [T, B, H] = dz!.shape as [number, number, number];
  const L = recurrentLayout(H, workgroupStorage());
  if (!L) return lifRecurrentStepsGrad(inputs, a);
  const [TBH, BH] = [T * B * H, B * H];
  const out = runWGSL(recurrentBackwardWGSL(a, T, B, H, L), {
    Dz: flat(dz!),
    DzT: flat(dzT!),
    Dv: flat(dv!),
    Di: flat(di!),
    W: weights!,
    Saved: saved!,
  });
  const gI = tf.slice(out, 0, TBH);
  const zPrev = tf.concat([flat(z0!), tf.slice(saved!, TBH, (T - 1) * BH)]);
  const gW = tf.matMul(tf.reshape(gI, [T * B, H]), tf.reshape(zPrev, [T * B, H]), true, false);
  return [
    tf.reshape(gI, [T, B, H]),
    gW,
    cut(out, TBH, BH, [B, H]),
    cut(out, TBH + BH, BH, [B, H]),
    cut(out, TBH + 2 * BH, BH, [B, H]),
  ];
});
