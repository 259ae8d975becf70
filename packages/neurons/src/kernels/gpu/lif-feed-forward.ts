import * as tf from '@tensorflow/tfjs-core';
import type { KERNELS, KernelAttrs } from '../names.js';
import { lifPrograms } from './programs.js';
import { runStep, splitPairs } from './step-program.js';
import { firsts, opsKernel, part } from './util.js';

type Attrs = KernelAttrs[typeof KERNELS.lifSequence];

/**
 * The feed-forward LIF sequence on webgl/webgpu (`currents [T·B, ...]`, time-major): one state
 * program per step; outputs the spikes, the final `v, i`, and every step's state `[T, 3N]` for the
 * gradient (saved by tfjs, not returned by the op).
 */
export const lifSequenceGpu = opsKernel<Attrs>(({ currents, v0, i0 }, a) => {
  const T = a.T;
  const N = currents!.size / T;
  const P = lifPrograms(a);
  const i = tf.reshape(currents!, [T, N]);
  const states: tf.Tensor[] = [
    runStep(P.start, { v0: tf.reshape(v0!, [N]), i0: tf.reshape(i0!, [N]), rec0: tf.zeros([N]), i }, N, 0),
  ];
  for (let t = 1; t < T; t++) states.push(runStep(P.nextFF, { i, s: states[t - 1]! }, N, t));
  const last = states[T - 1]!;
  const final = runStep(P.final, { sd: last, sc: last, sz: last }, N);
  const sAll = tf.stack(states);
  const z = tf.reshape(tf.slice(sAll, [0, 2 * N], [T, N]), currents!.shape);
  return [z, tf.reshape(part(final, 0, N), v0!.shape), tf.reshape(part(final, 1, N), v0!.shape), sAll];
});

/** BPTT of {@link lifSequenceGpu} (reset not detached): one backward program per step. */
export const lifSequenceGradGpu = opsKernel<Attrs>(({ dz, dv, di, saved }, a) => {
  const T = a.T;
  const N = dz!.size / T;
  const P = lifPrograms(a);
  const g = tf.reshape(dz!, [T, N]);
  let gs: tf.Tensor | undefined;
  const back: tf.Tensor[] = new Array(T);
  for (let t = T - 1; t >= 0; t--) {
    gs =
      t === T - 1
        ? runStep(
            splitPairs(P.backFF),
            { gs0: tf.reshape(di!, [N]), gs1: tf.reshape(dv!, [N]), g, d: saved! },
            N,
            t,
          )
        : runStep(P.backFF, { gs: gs!, g, d: saved! }, N, t);
    back[t] = gs!;
  }
  return [
    tf.reshape(firsts(back, N), dz!.shape),
    tf.reshape(part(gs!, 1, N), dv!.shape),
    tf.reshape(part(gs!, 0, N), dv!.shape),
  ];
});
