import * as tf from '@tensorflow/tfjs-core';
import type { KERNELS, KernelAttrs } from '../names.js';
import { liPrograms } from './programs.js';
import { runStep, splitPairs } from './step-program.js';
import { firsts, opsKernel, part } from './util.js';

type Attrs = KernelAttrs[typeof KERNELS.liSequence];

/** The leaky-integrator sequence on webgl/webgpu: one launch per step (state `[v, i]`). */
export const liSequenceGpu = opsKernel<Attrs>(({ currents, v0, i0 }, c) => {
  const T = c.T;
  const N = currents!.size / T;
  const P = liPrograms(c);
  const x = tf.reshape(currents!, [T, N]);
  let s: tf.Tensor | undefined;
  const states: tf.Tensor[] = [];
  for (let t = 0; t < T; t++) {
    s =
      t === 0
        ? runStep(splitPairs(P.step), { x, s0: tf.reshape(v0!, [N]), s1: tf.reshape(i0!, [N]) }, N, t)
        : runStep(P.step, { x, s: s! }, N, t);
    states.push(s!);
  }
  return [
    tf.reshape(firsts(states, N), currents!.shape),
    tf.reshape(part(s!, 0, N), v0!.shape),
    tf.reshape(part(s!, 1, N), v0!.shape),
  ];
});

/** BPTT of {@link liSequenceGpu}: one launch per step (state `[gj, gv]`). */
export const liSequenceGradGpu = opsKernel<Attrs>(({ dy, dv, di }, c) => {
  const T = c.T;
  const N = dy!.size / T;
  const P = liPrograms(c);
  const gy = tf.reshape(dy!, [T, N]);
  let gs: tf.Tensor | undefined;
  const back: tf.Tensor[] = new Array(T);
  for (let t = T - 1; t >= 0; t--) {
    gs =
      t === T - 1
        ? runStep(splitPairs(P.back), { gy, gs0: tf.reshape(di!, [N]), gs1: tf.reshape(dv!, [N]) }, N, t)
        : runStep(P.back, { gy, gs: gs! }, N, t);
    back[t] = gs!;
  }
  return [
    tf.reshape(firsts(back, N), dy!.shape),
    tf.reshape(part(gs!, 1, N), dv!.shape),
    tf.reshape(part(gs!, 0, N), dv!.shape),
  ];
});
