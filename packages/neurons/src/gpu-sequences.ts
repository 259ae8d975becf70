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

/**
 * A backward step through a spike: `sg` the surrogate at step `t`'s decayed voltage `d`, `gd` the
 * gradient of `d` (from the upstream gradient `g` and the state gradients in `same`), then `out`.
 */
function throughSpike(name: string, same: string[], sg: string, gd: string, out: string): StepProgram {
  return {
    name,
    same,
    atStep: ['g', 'd'],
    body: [
      ['sg', sg],
      ['gd', gd],
      ['result', out],
    ],
  };
}

/** Norse's recurrent LIF step (reset detached) as step programs. */
function lifPrograms(a: GpuLIFConstants) {
  const k = key(a);
  const jump = '(cur + i) + rec';
  const decayed = `v + ${lit(a.A)} * ((${lit(a.vL)} - v) + jump)`;
  const surrogate = GPU_SURROGATES[a.method]!(`(d - ${lit(a.vTh)})`, lit(a.alpha));
  const gd = `gv * (1.0 - gt(d, ${lit(a.vTh)})) + (g + gzRec) * sg`;
  return {
    // The first step from the initial voltage; later ones from the previous step's decayed voltage
    // (the voltage after reset is `vR` where it spiked, else that): no launch for the reset.
    dFirst: {
      name: `lif_d0_${k}`,
      same: ['cur', 'rec', 'v'],
      atStep: ['i'],
      body: [
        ['jump', jump],
        ['d', decayed],
      ],
    },
    d: {
      name: `lif_d_${k}`,
      same: ['cur', 'rec', 'dPrev'],
      atStep: ['i'],
      body: [
        ['zPrev', `gt(dPrev, ${lit(a.vTh)})`],
        ['v', `zPrev * ${lit(a.vR)} + (1.0 - zPrev) * dPrev`],
        ['jump', jump],
        ['d', decayed],
      ],
    },
    z: { name: `lif_z_${k}`, same: ['d'], atStep: [], body: [['z', `gt(d, ${lit(a.vTh)})`]] },
    cur: {
      name: `lif_cur_${k}`,
      same: ['cur', 'rec'],
      atStep: ['i'],
      body: [
        ['jump', jump],
        ['cn', `jump + ${lit(a.C)} * jump`],
      ],
    },
    // Backward: gz = dy + gzRec (through the next step's recurrent input); gd through the voltage
    // (reset detached) and the surrogate; gj = dL/d(jump), the input current's gradient.
    gj: throughSpike(
      `lif_gj_${k}`,
      ['gv', 'gi', 'gzRec'],
      surrogate,
      gd,
      `gd * ${lit(a.A)} + gi * (1.0 + ${lit(a.C)})`,
    ),
    gv: throughSpike(`lif_gv_${k}`, ['gv', 'gzRec'], surrogate, gd, `gd * (1.0 - ${lit(a.A)})`),
  } satisfies Record<string, StepProgram>;
}

/**
 * `lifRecurrentSequence` on webgl/webgpu: currents `[T, B, H]`, recurrent weights `[H, H]`
 * (`rec = z_{t-1} W^T`), from the zero state (`v = vLeak`). Spikes `[T, B, H]`.
 */
export function lifRecurrentSequenceGpu(currents: tf.Tensor, w: tf.Tensor, a: GpuLIFConstants): tf.Tensor {
  const [T, B, H] = currents.shape as [number, number, number];
  const N = B * H;
  const P = lifPrograms(a);
  const run = tf.customGrad(
    gradientOf((c: tf.Tensor, weights: tf.Tensor, save: tf.GradSaveFunc) => {
      const i = tf.reshape(c, [T, N]);
      let cur = tf.zeros([N]);
      let rec = tf.zeros([N]);
      const zs: tf.Tensor[] = [];
      const ds: tf.Tensor[] = [];
      for (let t = 0; t < T; t++) {
        if (t > 0) rec = tf.reshape(tf.matMul(tf.reshape(zs[t - 1]!, [B, H]), weights, false, true), [N]);
        const d =
          t === 0
            ? runStep(P.dFirst, { cur, rec, v: tf.fill([N], a.vL), i }, N, t)
            : runStep(P.d, { cur, rec, dPrev: ds[t - 1]!, i }, N, t);
        zs.push(runStep(P.z, { d }, N));
        ds.push(d);
        cur = runStep(P.cur, { cur, rec, i }, N, t);
      }
      const z = tf.stack(zs);
      const d = tf.stack(ds);
      save([z, d, weights]);
      return {
        value: tf.reshape(z, [T, B, H]),
        gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
          const [zAll, dAll, wSaved] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
          const g = tf.reshape(dy as tf.Tensor, [T, N]);
          let gv = tf.zeros([N]);
          let gi = tf.zeros([N]);
          let gzRec = tf.zeros([N]);
          const gjs: tf.Tensor[] = new Array(T);
          for (let t = T - 1; t >= 0; t--) {
            const gj = runStep(P.gj, { gv, gi, gzRec, g, d: dAll }, N, t);
            gv = runStep(P.gv, { gv, gzRec, g, d: dAll }, N, t);
            gi = gj;
            gjs[t] = gj;
            if (t > 0) gzRec = tf.reshape(tf.matMul(tf.reshape(gj, [B, H]), wSaved), [N]);
          }
          const gI = tf.stack(gjs);
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

/** The leaky integrator's step and its backward as step programs. */
function liPrograms(A: number, S: number, vL: number) {
  const k = key({ A, S, vL });
  const jump = 'i + x';
  return {
    v: {
      name: `li_v_${k}`,
      same: ['v', 'i'],
      atStep: ['x'],
      body: [
        ['jump', jump],
        ['vn', `v + ${lit(A)} * ((${lit(vL)} - v) + jump)`],
      ],
    },
    i: {
      name: `li_i_${k}`,
      same: ['i'],
      atStep: ['x'],
      body: [
        ['jump', jump],
        ['inext', `jump - ${lit(S)} * jump`],
      ],
    },
    gx: {
      name: `li_gx_${k}`,
      same: ['gv', 'gi'],
      atStep: ['gy'],
      body: [
        ['gvt', 'gy + gv'],
        ['gj', `gvt * ${lit(A)} + gi * (1.0 - ${lit(S)})`],
      ],
    },
    gv: {
      name: `li_gv_${k}`,
      same: ['gv'],
      atStep: ['gy'],
      body: [['gvn', `(gy + gv) * (1.0 - ${lit(A)})`]],
    },
  } satisfies Record<string, StepProgram>;
}

/** `liSequence` on webgl/webgpu: voltages `[T, ...]` of the leaky integrator driven by `currents [T, ...]`. */
export function liSequenceGpu(currents: tf.Tensor, A: number, S: number, vL: number): tf.Tensor {
  const T = currents.shape[0]!;
  const N = currents.size / T;
  const P = liPrograms(A, S, vL);
  const run = tf.customGrad(
    gradientOf((c: tf.Tensor, save: tf.GradSaveFunc) => {
      const x = tf.reshape(c, [T, N]);
      let v = tf.fill([N], vL);
      let i = tf.zeros([N]);
      const vs: tf.Tensor[] = [];
      for (let t = 0; t < T; t++) {
        v = runStep(P.v, { v, i, x }, N, t);
        i = runStep(P.i, { i, x }, N, t);
        vs.push(v);
      }
      save([]);
      return {
        value: tf.reshape(tf.stack(vs), c.shape),
        gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
          const gy = tf.reshape(dy as tf.Tensor, [T, N]);
          let gv = tf.zeros([N]);
          let gi = tf.zeros([N]);
          const gxs: tf.Tensor[] = new Array(T);
          for (let t = T - 1; t >= 0; t--) {
            const gj = runStep(P.gx, { gv, gi, gy }, N, t);
            gv = runStep(P.gv, { gv, gy }, N, t);
            gi = gj;
            gxs[t] = gj;
          }
          return tf.reshape(tf.stack(gxs), c.shape);
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
  const gd = `gv * (1.0 - gt(d, ${lit(a.vTh)})) + (g - gv * (d - ${lit(a.vR)})) * sg`;
  return {
    // The first step from v = 0; later ones from the previous decayed voltage (after its reset).
    dFirst: { name: `enc_d0_${k}`, same: ['x'], atStep: [], body: [['v', '0.0'], decayed] },
    d: {
      name: `enc_d_${k}`,
      same: ['dPrev', 'x'],
      atStep: [],
      body: [['v', `dPrev - gt(dPrev, ${lit(a.vTh)}) * (dPrev - ${lit(a.vR)})`], decayed],
    },
    z: { name: `enc_z_${k}`, same: ['d'], atStep: [], body: [['z', `gt(d, ${lit(a.vTh)})`]] },
    gx: throughSpike(`enc_gx_${k}`, ['gx', 'gv'], surrogate, gd, `gx + gd * ${lit(a.A)}`),
    gv: throughSpike(`enc_gv_${k}`, ['gv'], surrogate, gd, `gd * (1.0 - ${lit(a.A)})`),
  } satisfies Record<string, StepProgram>;
}

/**
 * `lifCurrentEncoderSequence` on webgl/webgpu: `T` steps of the encoder from `v = 0` with the
 * constant input current `x`; spikes `[T, ...x.shape]`. One launch per step and one for all the
 * spikes (its gradient, which training rarely needs, takes two per step).
 */
export function lifCurrentEncoderSequenceGpu(x: tf.Tensor, T: number, a: GpuLIFConstants): tf.Tensor {
  const N = x.size;
  const P = encoderPrograms(a);
  const run = tf.customGrad(
    gradientOf((input: tf.Tensor, save: tf.GradSaveFunc) => {
      const xf = tf.reshape(input, [N]);
      const ds: tf.Tensor[] = [];
      for (let t = 0; t < T; t++)
        ds.push(t === 0 ? runStep(P.dFirst, { x: xf }, N) : runStep(P.d, { dPrev: ds[t - 1]!, x: xf }, N));
      // One launch for every step's spikes.
      const dAll = tf.reshape(tf.stack(ds), [T * N]);
      const z = runStep(P.z, { d: dAll }, T * N);
      save([dAll]);
      return {
        value: tf.reshape(z, [T, ...input.shape]),
        gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
          const dAll = tf.reshape(saved[0]!, [T, N]);
          const g = tf.reshape(dy as tf.Tensor, [T, N]);
          let gx = tf.zeros([N]);
          let gv = tf.zeros([N]);
          for (let t = T - 1; t >= 0; t--) {
            const nextGx = runStep(P.gx, { gx, gv, g, d: dAll }, N, t);
            gv = runStep(P.gv, { gv, g, d: dAll }, N, t);
            gx = nextGx;
          }
          return tf.reshape(gx, input.shape);
        },
      };
    }),
  );
  return run(x);
}
