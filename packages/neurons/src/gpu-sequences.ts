import * as tf from '@tensorflow/tfjs-core';
import { GPU_SURROGATES, hasGpuStepKernel, lit, runStep, type StepProgram } from './gpu.js';

/**
 * The sequence ops of fused.ts on the GPU backends: per time step a few step programs (one shader
 * launch each) and the recurrent product, instead of the step composition's dozens of launches.
 * Forward and backward follow the host kernels' equations and order of operations; each op's
 * gradient is its own (`tf.customGrad`), so the tape holds one node per sequence, not per step.
 */

/** tfjs types a custom gradient's function loosely: this takes ours as written. */
function gradientOf<F>(f: F): Parameters<typeof tf.customGrad>[0] {
  return f as unknown as Parameters<typeof tf.customGrad>[0];
}

/** LIF constants as float32 (the host kernels' `LIFAttrs`). */
export interface GpuLIFConstants {
  readonly A: number;
  readonly C: number;
  readonly vL: number;
  readonly vTh: number;
  readonly vR: number;
  readonly method: string;
  readonly alpha: number;
}

/** Whether the GPU sequence ops run here for this surrogate (webgl, webgpu; built-in surrogates). */
export function gpuSequencesHere(method: string): boolean {
  return method in GPU_SURROGATES && hasGpuStepKernel();
}

const key = (a: object) =>
  Object.values(a)
    .map((v) => (typeof v === 'number' ? Math.fround(v).toExponential(8) : String(v)))
    .join('_');

/** The first `N` of each row of a `[T, 2N]` stack of pairs: the first variable over time. */
const firsts = (pairs: tf.Tensor[], N: number) => tf.slice(tf.stack(pairs), [0, 0], [pairs.length, N]);

/**
 * A backward step through a spike: `sg` the surrogate at step `t`'s decayed voltage `d`, `gd` the
 * gradient of `d` (from the upstream gradient `g` and the state gradients), then the two outputs.
 */
function throughSpike(
  name: string,
  reads: Pick<StepProgram, 'same' | 'pairs'>,
  sg: string,
  gd: string,
  outputs: [[string, string], [string, string]],
): StepProgram {
  return {
    name,
    ...reads,
    atStep: ['g', 'd'],
    body: [['sg', sg], ['gd', gd], ...outputs],
    outputs: [outputs[0][0], outputs[1][0]],
  };
}

/**
 * Norse's recurrent LIF step (reset detached) as step programs. The state is `[d, cur, z]`: the
 * decayed voltage (the voltage after reset is `vR` where it spiked, else `d`, so the reset needs no
 * launch of its own), the synaptic current and the spikes, all in one launch.
 */
function lifPrograms(a: GpuLIFConstants) {
  const k = key(a);
  const decayed = (v: string) => `${v} + ${lit(a.A)} * ((${lit(a.vL)} - ${v}) + jump)`;
  const surrogate = GPU_SURROGATES[a.method]!(`(d - ${lit(a.vTh)})`, lit(a.alpha));
  const rest: [string, string][] = [
    ['cn', `jump + ${lit(a.C)} * jump`],
    ['z', `gt(d, ${lit(a.vTh)})`],
  ];
  return {
    first: {
      name: `lif_s0_${k}`,
      same: [],
      atStep: ['i'],
      body: [['jump', '(0.0 + i) + 0.0'], ['d', decayed(lit(a.vL))], ...rest],
      outputs: ['d', 'cn', 'z'],
    },
    next: {
      name: `lif_s_${k}`,
      // The recurrent input: the third part of the previous state's product with the weights.
      same: ['rec'],
      parts: { rec: 2 },
      atStep: ['i'],
      pairs: ['s'],
      body: [
        ['zPrev', `gt(s0, ${lit(a.vTh)})`],
        ['v', `zPrev * ${lit(a.vR)} + (1.0 - zPrev) * s0`],
        ['jump', '(s1 + i) + rec'],
        ['d', decayed('v')],
        ...rest,
      ],
      outputs: ['d', 'cn', 'z'],
    },
    // Backward, state [gj, gv]: gz = dy + gzRec (through the next step's recurrent input); gd through
    // the voltage (reset detached) and the surrogate; gj = dL/d(jump), the input current's gradient.
    back: throughSpike(
      `lif_g_${k}`,
      { same: ['gzRec'], pairs: ['gs'] },
      surrogate,
      `gs1 * (1.0 - gt(d, ${lit(a.vTh)})) + (g + gzRec) * sg`,
      [
        ['gj', `gd * ${lit(a.A)} + gs0 * (1.0 + ${lit(a.C)})`],
        ['gvn', `gd * (1.0 - ${lit(a.A)})`],
      ],
    ),
  } satisfies Record<string, StepProgram>;
}

/**
 * `lifRecurrentSequence` on webgl/webgpu: currents `[T, B, H]`, recurrent weights `[H, H]`
 * (`rec = z_{t-1} W^T`), from the zero state (`v = vLeak`). Spikes `[T, B, H]`. Per step: the
 * state (with the spikes) and the recurrent product forward; the state gradient and its product back.
 */
export function lifRecurrentSequenceGpu(currents: tf.Tensor, w: tf.Tensor, a: GpuLIFConstants): tf.Tensor {
  const [T, B, H] = currents.shape as [number, number, number];
  const N = B * H;
  const P = lifPrograms(a);
  const run = tf.customGrad(
    gradientOf((c: tf.Tensor, weights: tf.Tensor, save: tf.GradSaveFunc) => {
      const i = tf.reshape(c, [T, N]);
      const states: tf.Tensor[] = [];
      for (let t = 0; t < T; t++) {
        const prev = states[t - 1];
        // All three parts times the weights: the spikes' rows are the ones read (the other parts'
        // products go unused, cheaper on a GPU than a launch to slice the spikes out).
        states.push(
          prev
            ? runStep(
                P.next,
                {
                  rec: tf.reshape(tf.matMul(tf.reshape(prev, [3 * B, H]), weights, false, true), [3 * N]),
                  i,
                  s: prev,
                },
                N,
                t,
              )
            : runStep(P.first, { i }, N, t),
        );
      }
      const sAll = tf.stack(states);
      const z = tf.slice(sAll, [0, 2 * N], [T, N]);
      save([z, sAll, weights]);
      return {
        value: tf.reshape(z, [T, B, H]),
        gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
          const [zAll, d, wSaved] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
          const g = tf.reshape(dy as tf.Tensor, [T, N]);
          let gs = tf.zeros([2 * N]);
          let gzRec = tf.zeros([N]);
          const back: tf.Tensor[] = new Array(T);
          for (let t = T - 1; t >= 0; t--) {
            gs = runStep(P.back, { gzRec, gs, g, d }, N, t);
            back[t] = gs;
            // gj_t W for the step before (its rows come first; the gv rows' product goes unused).
            if (t > 0) gzRec = tf.reshape(tf.matMul(tf.reshape(gs, [2 * B, H]), wSaved), [2 * N]);
          }
          const gI = firsts(back, N);
          // dL/dW[h, j] = Σ_t Σ_b gj_t[b, h] z_{t-1}[b, j]: one product over all steps.
          const gW =
            T > 1
              ? tf.matMul(
                  tf.reshape(tf.slice(gI, [1, 0], [T - 1, N]), [(T - 1) * B, H]),
                  tf.reshape(tf.slice(zAll, [0, 0], [T - 1, N]), [(T - 1) * B, H]),
                  true,
                  false,
                )
              : tf.zerosLike(wSaved);
          return [tf.reshape(gI, [T, B, H]), gW];
        },
      };
    }),
  );
  return run(currents, w);
}

/** The leaky integrator's step (state `[v, i]`) and its backward (state `[gj, gv]`) as step programs. */
function liPrograms(A: number, S: number, vL: number) {
  const k = key({ A, S, vL });
  return {
    step: {
      name: `li_s_${k}`,
      same: [],
      atStep: ['x'],
      pairs: ['s'],
      body: [
        ['jump', 's1 + x'],
        ['vn', `s0 + ${lit(A)} * ((${lit(vL)} - s0) + jump)`],
        ['inext', `jump - ${lit(S)} * jump`],
      ],
      outputs: ['vn', 'inext'],
    },
    back: {
      name: `li_g_${k}`,
      same: [],
      atStep: ['gy'],
      pairs: ['gs'],
      body: [
        ['gvt', 'gy + gs1'],
        ['gj', `gvt * ${lit(A)} + gs0 * (1.0 - ${lit(S)})`],
        ['gvn', `gvt * (1.0 - ${lit(A)})`],
      ],
      outputs: ['gj', 'gvn'],
    },
  } satisfies Record<string, StepProgram>;
}

/** `liSequence` on webgl/webgpu: voltages `[T, ...]` of the leaky integrator driven by `currents [T, ...]`; one launch per step. */
export function liSequenceGpu(currents: tf.Tensor, A: number, S: number, vL: number): tf.Tensor {
  const T = currents.shape[0]!;
  const N = currents.size / T;
  const P = liPrograms(A, S, vL);
  const run = tf.customGrad(
    gradientOf((c: tf.Tensor, save: tf.GradSaveFunc) => {
      const x = tf.reshape(c, [T, N]);
      let s = tf.concat([tf.fill([N], vL), tf.zeros([N])]);
      const states: tf.Tensor[] = [];
      for (let t = 0; t < T; t++) {
        s = runStep(P.step, { x, s }, N, t);
        states.push(s);
      }
      save([]);
      return {
        value: tf.reshape(firsts(states, N), c.shape),
        gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
          const gy = tf.reshape(dy as tf.Tensor, [T, N]);
          let gs = tf.zeros([2 * N]);
          const back: tf.Tensor[] = new Array(T);
          for (let t = T - 1; t >= 0; t--) {
            gs = runStep(P.back, { gy, gs }, N, t);
            back[t] = gs;
          }
          return tf.reshape(firsts(back, N), c.shape);
        },
      };
    }),
  );
  return run(currents);
}

/** The constant-current LIF encoder's step (reset as `d - (d - vR)`, not detached) as step programs. */
function encoderPrograms(a: GpuLIFConstants) {
  const k = key(a);
  const decayed: [string, string] = ['d', `v + ${lit(a.A)} * ((${lit(a.vL)} - v) + x)`];
  const surrogate = GPU_SURROGATES[a.method]!(`(d - ${lit(a.vTh)})`, lit(a.alpha));
  return {
    // The first step from v = 0; later ones from the previous decayed voltage (after its reset).
    first: { name: `enc_d0_${k}`, same: ['x'], atStep: [], body: [['v', '0.0'], decayed], outputs: ['d'] },
    next: {
      name: `enc_d_${k}`,
      same: ['dPrev', 'x'],
      atStep: [],
      body: [['v', `dPrev - gt(dPrev, ${lit(a.vTh)}) * (dPrev - ${lit(a.vR)})`], decayed],
      outputs: ['d'],
    },
    z: { name: `enc_z_${k}`, same: ['d'], atStep: [], body: [['z', `gt(d, ${lit(a.vTh)})`]], outputs: ['z'] },
    // Backward, state [gx, gv]: the input's gradient accumulates over the steps.
    back: throughSpike(
      `enc_g_${k}`,
      { same: [], pairs: ['gs'] },
      surrogate,
      `gs1 * (1.0 - gt(d, ${lit(a.vTh)})) + (g - gs1 * (d - ${lit(a.vR)})) * sg`,
      [
        ['gxn', `gs0 + gd * ${lit(a.A)}`],
        ['gvn', `gd * (1.0 - ${lit(a.A)})`],
      ],
    ),
  } satisfies Record<string, StepProgram>;
}

/**
 * `lifCurrentEncoderSequence` on webgl/webgpu: `T` steps of the encoder from `v = 0` with the
 * constant input current `x`; spikes `[T, ...x.shape]`. One launch per step and one for all the
 * spikes (its gradient, which training rarely needs, takes one per step).
 */
export function lifCurrentEncoderSequenceGpu(x: tf.Tensor, T: number, a: GpuLIFConstants): tf.Tensor {
  const N = x.size;
  const P = encoderPrograms(a);
  const run = tf.customGrad(
    gradientOf((input: tf.Tensor, save: tf.GradSaveFunc) => {
      const xf = tf.reshape(input, [N]);
      const ds: tf.Tensor[] = [];
      for (let t = 0; t < T; t++)
        ds.push(t === 0 ? runStep(P.first, { x: xf }, N) : runStep(P.next, { dPrev: ds[t - 1]!, x: xf }, N));
      // One launch for every step's spikes.
      const dAll = tf.reshape(tf.stack(ds), [T * N]);
      const z = runStep(P.z, { d: dAll }, T * N);
      save([dAll]);
      return {
        value: tf.reshape(z, [T, ...input.shape]),
        gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
          const d = tf.reshape(saved[0]!, [T, N]);
          const g = tf.reshape(dy as tf.Tensor, [T, N]);
          let gs = tf.zeros([2 * N]);
          for (let t = T - 1; t >= 0; t--) gs = runStep(P.back, { gs, g, d }, N, t);
          return tf.reshape(tf.slice(gs, 0, N), input.shape);
        },
      };
    }),
  );
  return run(x);
}
