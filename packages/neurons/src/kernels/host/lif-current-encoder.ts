import type { HostKernelConfig } from '@snn/core';
import { KERNELS, type KernelAttrs } from '../names.js';
import { type Events, rememberEvents } from '../side-channels.js';
import { encoderTrain } from './lif-loops.js';

/**
 * `T` steps of Norse's LIF current encoder from `v = 0` with the constant current `x`: spikes
 * `[T, ...x.shape]`. Inputs with equal values have equal spike trains, so each distinct value is
 * simulated once (an image has at most 256); the spikes are remembered as events.
 */
export const lifCurrentEncoderKernel: HostKernelConfig<KernelAttrs[typeof KERNELS.lifCurrentEncoder]> = {
  kernelName: KERNELS.lifCurrentEncoder,
  inputNames: ['x'],
  outputShapes: ([x], { T }) => [[T, ...x!]],
  compute: ({ inputs: [x], outputs: [z], attrs, withOutputs }) => {
    const N = x!.length;
    const T = attrs.T;
    // Equal values have equal spike trains: simulate each distinct value once (runs of equal
    // values, like an image's background, skip the lookup).
    const trainOf = new Int32Array(N);
    const known = new Map<number, number>();
    const values: number[] = [];
    let last = Number.NaN;
    let lastK = -1;
    for (let n = 0; n < N; n++) {
      const xv = x![n]!;
      if (xv !== last) {
        let k = known.get(xv);
        if (k === undefined) {
          k = values.length;
          known.set(xv, k);
          values.push(xv);
        }
        last = xv;
        lastK = k;
      }
      trainOf[n] = lastK;
    }
    // Each distinct value's spike train, time-major: table[t * K + k].
    const K = values.length;
    const train = new Uint8Array(T);
    const table = new Uint8Array(T * K);
    const counts = new Int32Array(K);
    values.forEach((xv, k) => {
      encoderTrain(xv, T, attrs, train, 0);
      for (let t = 0; t < T; t++) {
        table[t * K + k] = train[t]!;
        counts[k] = counts[k]! + train[t]!;
      }
    });
    // The inputs that fire at all; then the spikes, listed as events in row-major order (the
    // order a scan finds them, so sums over them round the same).
    let total = 0;
    let firing = 0;
    for (let n = 0; n < N; n++) {
      const c = counts[trainOf[n]!]!;
      total += c;
      if (c) firing++;
    }
    const active = new Int32Array(firing);
    for (let n = 0, a = 0; n < N; n++) if (counts[trainOf[n]!]) active[a++] = n;
    const index = new Int32Array(total);
    let e = 0;
    for (let t = 0; t < T; t++) {
      const base = t * N;
      const row = t * K;
      for (let a = 0; a < firing; a++) {
        const n = active[a]!;
        if (table[row + trainOf[n]!]) {
          z![base + n] = 1;
          index[e++] = base + n;
        }
      }
    }
    const events: Events = { index, value: new Float32Array(total).fill(1) };
    withOutputs(([out]) => rememberEvents(out!.dataId, events));
  },
};
