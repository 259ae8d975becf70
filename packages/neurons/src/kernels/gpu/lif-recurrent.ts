import * as tf from '@tensorflow/tfjs-core';
import type { KERNELS, KernelAttrs } from '../names.js';
import { lifPrograms } from './programs.js';
import { runStep, splitPairs } from './step-program.js';
import { firsts, type OpsKernel, opsKernel, part } from './util.js';

type Attrs = KernelAttrs[typeof KERNELS.lifRecurrentSequence];

/**
 * The recurrent LIF sequence on webgl (and webgpu for very wide layers): per step one state program (`[d, cur, z]` in one
 * launch) and the recurrent product; outputs the spikes, the final `z, v, i`, and every step's state
 * `[T, 3N]` for the gradient (saved by tfjs, not returned by the op).
 */
export const lifRecurrentSteps: OpsKernel<Attrs> = ({ currents, weights, z0, v0, i0 }, a) => {
  const [T, B, H] = currents!.shape as [number, number, number];
  const N = B * H;
  const P = lifPrograms(a);
  const w = weights!;
  const i = tf.reshape(currents!, [T, N]);
  const states: tf.Tensor[] = [];
  const rec0 = tf.reshape(tf.matMul(z0!, w, false, true), [N]);
  states.push(runStep(P.start, { v0: tf.reshape(v0!, [N]), i0: tf.reshape(i0!, [N]), rec0, i }, N, 0));
  for (let t = 1; t < T; t++) {
    const prev = states[t - 1]!;
    // All three parts times the weights: the spikes' rows are the ones read (the other parts'
    // products go unused, cheaper on a GPU than a launch to slice the spikes out).
    const rec = tf.reshape(tf.matMul(tf.reshape(prev, [3 * B, H]), w, false, true), [3 * N]);
    states.push(runStep(P.next, { rec, i, s: prev }, N, t));
  }
  const last = states[T - 1]!;
  const final = runStep(P.final, { sd: last, sc: last, sz: last }, N);
  const sAll = tf.stack(states);
  const z = tf.reshape(tf.slice(sAll, [0, 2 * N], [T, N]), [T, B, H]);
  const [v, cur, zT] = [0, 1, 2].map((k) => tf.reshape(part(final, k, N), [B, H]));
  return [z, zT!, v!, cur!, sAll];
};

/** {@link lifRecurrentSteps} as a kernel (webgl; webgpu where the whole-sequence program cannot run). */
export const lifRecurrentSequenceGpu = opsKernel(lifRecurrentSteps);

/**
 * BPTT of {@link lifRecurrentSequenceGpu}: per step one backward program (`[gj, gv]`) and the
 * product `gj W`; the weight gradient one product over all steps.
 */
export const lifRecurrentStepsGrad: OpsKernel<Attrs> = ({ dz, dzT, dv, di, weights, z0, saved }, a) => {
  const [T, B, H] = dz!.shape as [number, number, number];
  const N = B * H;
  const P = lifPrograms(a);
  const w = weights!;
  const sAll = saved!;
  const g = tf.reshape(dz!, [T, N]);
  const d = sAll; // [T, 3N]: d is the first part of each row
  // The final state's gradient starts the pass; the final spikes' joins the last step's, as the
  // next step's recurrent input's would.
  let gs: tf.Tensor | undefined;
  let gzRec = tf.reshape(dzT!, [N]);
  const back: tf.Tensor[] = new Array(T);
  for (let t = T - 1; t >= 0; t--) {
    gs =
      t === T - 1
        ? runStep(
            splitPairs(P.back),
            { gzRec, gs0: tf.reshape(di!, [N]), gs1: tf.reshape(dv!, [N]), g, d },
            N,
            t,
          )
        : runStep(P.back, { gzRec, gs: gs!, g, d }, N, t);
    back[t] = gs!;
    // gj_t W for the step before (its rows come first; the gv rows' product goes unused).
    gzRec = tf.reshape(tf.matMul(tf.reshape(gs!, [2 * B, H]), w), [2 * N]);
  }
  const gI = firsts(back, N);
  // dL/dW[h, j] = Σ_t Σ_b gj_t[b, h] z_{t-1}[b, j] (z_{-1} = z0): one product over all steps.
  const zPrev = tf.concat([tf.reshape(z0!, [1, N]), tf.slice(sAll, [0, 2 * N], [T - 1, N])]);
  const gW = tf.matMul(tf.reshape(gI, [T * B, H]), tf.reshape(zPrev, [T * B, H]), true, false);
  return [
    tf.reshape(gI, [T, B, H]),
    gW,
    tf.reshape(part(gzRec, 0, N), [B, H]),
    tf.reshape(part(gs!, 1, N), [B, H]),
    tf.reshape(part(gs!, 0, N), [B, H]),
  ];
};

/** BPTT of {@link lifRecurrentSequenceGpu}. */
export const lifRecurrentSequenceGradGpu = opsKernel(lifRecurrentStepsGrad);
