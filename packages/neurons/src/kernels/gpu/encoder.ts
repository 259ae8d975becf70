import * as tf from '@tensorflow/tfjs-core';
import type { KERNELS, KernelAttrs } from '../names.js';
import { encoderPrograms } from './programs.js';
import { runStep } from './step-program.js';
import { opsKernel, part } from './util.js';

type Attrs = KernelAttrs[typeof KERNELS.lifCurrentEncoder];

/**
 * The constant-current LIF encoder on webgl/webgpu: `T` steps from `v = 0`, one launch per step and
 * one for all the spikes; outputs the spikes `[T, ...x.shape]` and the decayed voltages `[T·N]`
 * for the gradient (saved by tfjs, not returned by the op).
 */
export const lifCurrentEncoderGpu = opsKernel<Attrs>(({ x }, a) => {
  const N = x!.size;
  const T = a.T;
  const P = encoderPrograms(a);
  const xf = tf.reshape(x!, [N]);
  const ds: tf.Tensor[] = [];
  for (let t = 0; t < T; t++)
    ds.push(t === 0 ? runStep(P.first, { x: xf }, N) : runStep(P.next, { dPrev: ds[t - 1]!, x: xf }, N));
  const dAll = tf.reshape(tf.stack(ds), [T * N]);
  const z = runStep(P.z, { d: dAll }, T * N);
  return [tf.reshape(z, [T, ...x!.shape]), dAll];
});

/** BPTT of {@link lifCurrentEncoderGpu}: one launch per step (state `[gx, gv]`). */
export const lifCurrentEncoderGradGpu = opsKernel<Attrs>(({ x, dy, saved }, a) => {
  const N = x!.size;
  const T = a.T;
  const P = encoderPrograms(a);
  const d = tf.reshape(saved!, [T, N]);
  const g = tf.reshape(dy!, [T, N]);
  let gs = tf.zeros([2 * N]);
  for (let t = T - 1; t >= 0; t--) gs = runStep(P.back, { gs, g, d }, N, t);
  return [tf.reshape(part(gs, 0, N), x!.shape)];
});
