import type { LIConstants, LIFConstants } from '../names.js';
import { encoderPrograms, lifPrograms, liPrograms } from './programs.js';
import { GT, keyOf, statements, THREADS, type WGSLProgram } from './wgsl.js';

/**
 * Thread-per-neuron whole-sequence programs for webgpu: each of the `N` threads runs its neuron
 * through all `T` steps (forward) or back through them (BPTT), with the step programs' own
 * statements, in one launch. Layouts of the flat outputs are given per program; `t · N + n` is
 * neuron `n` at step `t`.
 */

/** One thread per neuron: `N` threads in workgroups of {@link THREADS}. */
function perNeuron(key: string, inputs: string[], size: number, N: number, body: string): WGSLProgram {
  return {
    key,
    inputs,
    size,
    workgroupSize: THREADS,
    workgroups: Math.ceil(N / THREADS),
    count: N,
    code: `
    ${GT}
    fn main(index : i32) {
      let n = index;
      if (n >= uniforms.count) { return; }
      ${body}
    }`,
  };
}

/**
 * The feed-forward LIF sequence from `V0`, `I0` driven by `Currents [T·N]`. Output
 * `[z (T·N) | d (T·N) | v_T (N) | i_T (N)]`: spikes, decayed voltages (for the gradient), final state.
 */
export function lifForwardWGSL(a: LIFConstants, T: number, N: number): WGSLProgram {
  const P = lifPrograms(a);
  const TN = T * N;
  return perNeuron(
    `lifff_${keyOf(P.start)}_${T}_${N}`,
    ['Currents', 'V0', 'I0'],
    2 * TN + 2 * N,
    N,
    `
      var st0 = 0.0;
      var st1 = 0.0;
      var zl = 0.0;
      for (var t = 0; t < ${T}; t++) {
        let i = f32(Currents[t * ${N} + n]);
        if (t == 0) {
          let v0 = f32(V0[n]);
          let i0 = f32(I0[n]);
          let rec0 = 0.0;
          ${statements(P.start, '          ')}
          st0 = d; st1 = cn; zl = z;
          result[n] = z;
          result[${TN} + n] = d;
        } else {
          let s0 = st0;
          let s1 = st1;
          ${statements(P.nextFF, '          ')}
          st0 = d; st1 = cn; zl = z;
          result[t * ${N} + n] = z;
          result[${TN} + t * ${N} + n] = d;
        }
      }
      let sd = st0;
      let sc = st1;
      let sz = zl;
      ${statements(P.final)}
      result[${2 * TN} + n] = v;
      result[${2 * TN + N} + n] = sc;`,
  );
}

/**
 * BPTT of {@link lifForwardWGSL} (reset not detached) from `Dz [T·N]`, `Dv`, `Di` and the forward's
 * output `Saved`. Output `[gI (T·N) | gv0 (N) | gi0 (N)]`.
 */
export function lifBackwardWGSL(a: LIFConstants, T: number, N: number): WGSLProgram {
  const P = lifPrograms(a);
  const TN = T * N;
  return perNeuron(
    `lifffback_${keyOf(P.backFF)}_${T}_${N}`,
    ['Dz', 'Dv', 'Di', 'Saved'],
    TN + 2 * N,
    N,
    `
      var a0 = f32(Di[n]);
      var a1 = f32(Dv[n]);
      for (var t = ${T - 1}; t >= 0; t--) {
        let g = f32(Dz[t * ${N} + n]);
        let d = f32(Saved[${TN} + t * ${N} + n]);
        let gs0 = a0;
        let gs1 = a1;
        ${statements(P.backFF, '        ')}
        a0 = gj; a1 = gvn;
        result[t * ${N} + n] = gj;
      }
      result[${TN} + n] = a1;
      result[${TN + N} + n] = a0;`,
  );
}

/** The leaky-integrator sequence. Output `[v (T·N) | v_T (N) | i_T (N)]`. */
export function liForwardWGSL(c: LIConstants, T: number, N: number): WGSLProgram {
  const P = liPrograms(c);
  const TN = T * N;
  return perNeuron(
    `li_${keyOf(P.step)}_${T}_${N}`,
    ['Currents', 'V0', 'I0'],
    TN + 2 * N,
    N,
    `
      var a0 = f32(V0[n]);
      var a1 = f32(I0[n]);
      for (var t = 0; t < ${T}; t++) {
        let x = f32(Currents[t * ${N} + n]);
        let s0 = a0;
        let s1 = a1;
        ${statements(P.step, '        ')}
        a0 = vn; a1 = inext;
        result[t * ${N} + n] = vn;
      }
      result[${TN} + n] = a0;
      result[${TN + N} + n] = a1;`,
  );
}

/** BPTT of {@link liForwardWGSL} from `Dy [T·N]`, `Dv`, `Di`. Output `[gx (T·N) | gv0 (N) | gi0 (N)]`. */
export function liBackwardWGSL(c: LIConstants, T: number, N: number): WGSLProgram {
  const P = liPrograms(c);
  const TN = T * N;
  return perNeuron(
    `liback_${keyOf(P.back)}_${T}_${N}`,
    ['Dy', 'Dv', 'Di'],
    TN + 2 * N,
    N,
    `
      var a0 = f32(Di[n]);
      var a1 = f32(Dv[n]);
      for (var t = ${T - 1}; t >= 0; t--) {
        let gy = f32(Dy[t * ${N} + n]);
        let gs0 = a0;
        let gs1 = a1;
        ${statements(P.back, '        ')}
        a0 = gj; a1 = gvn;
        result[t * ${N} + n] = gj;
      }
      result[${TN} + n] = a1;
      result[${TN + N} + n] = a0;`,
  );
}

/** The constant-current LIF encoder of `X [N]` over `T` steps. Output `[z (T·N) | d (T·N)]`. */
export function encoderForwardWGSL(a: LIFConstants, T: number, N: number): WGSLProgram {
  const P = encoderPrograms(a);
  const TN = T * N;
  return perNeuron(
    `enc_${keyOf(P.next)}_${T}_${N}`,
    ['X'],
    2 * TN,
    N,
    `
      let x = f32(X[n]);
      var dp = 0.0;
      for (var t = 0; t < ${T}; t++) {
        if (t == 0) {
          ${statements(P.first, '          ')}
          ${statements(P.z, '          ')}
          dp = d;
          result[n] = z;
          result[${TN} + n] = d;
        } else {
          let dPrev = dp;
          ${statements(P.next, '          ')}
          ${statements(P.z, '          ')}
          dp = d;
          result[t * ${N} + n] = z;
          result[${TN} + t * ${N} + n] = d;
        }
      }`,
  );
}

/** BPTT of {@link encoderForwardWGSL} from `Dy [T·N]` and the forward's output `Saved`. Output `gx [N]`. */
export function encoderBackwardWGSL(a: LIFConstants, T: number, N: number): WGSLProgram {
  const P = encoderPrograms(a);
  const TN = T * N;
  return perNeuron(
    `encback_${keyOf(P.back)}_${T}_${N}`,
    ['Dy', 'Saved'],
    N,
    N,
    `
      var a0 = 0.0;
      var a1 = 0.0;
      for (var t = ${T - 1}; t >= 0; t--) {
        let g = f32(Dy[t * ${N} + n]);
        let d = f32(Saved[${TN} + t * ${N} + n]);
        let gs0 = a0;
        let gs1 = a1;
        ${statements(P.back, '        ')}
        a0 = gxn; a1 = gvn;
      }
      result[n] = a0;`,
  );
}
