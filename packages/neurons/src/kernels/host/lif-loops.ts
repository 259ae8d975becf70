import type { HostMatrix } from '@snn/core';
import type { LIConstants, LIFConstants } from '../names.js';
import type { Events } from '../side-channels.js';
import { Arena, type SimdKernels, simdKernels } from '../simd/simd.js';
import { eventsOf, transposed } from './events.js';

/**
 * The LIF and LI loops of the host kernels: every operation rounded to float32 in the reference's
 * order (Norse's `lif_step`, `lif_feed_forward_step`, `li_step`), in WebAssembly SIMD where the
 * engine has it, else in plain JavaScript with the same results. States are arrays that hold the
 * initial state on entry and the final state on return.
 */

/** A population's state in float32 arrays: the voltage and the synaptic current. */
export interface LoopState {
  readonly v: Float32Array;
  readonly i: Float32Array;
}

/**
 * One neuron's LIF update in the reference's float32 order (the plain-JS twin of the SIMD step):
 * `jump = (cur + input) + rec; d = v + A((vL - v) + jump); z = d > vTh; v = z ? vR : d;
 * cur = jump + C jump`, reading `input[e]`, writing `z[e]`, `d[e]`, state `v[n]`, `cur[n]`.
 */
function lifUpdate(
  a: LIFConstants,
  input: ArrayLike<number>,
  rec: number,
  s: LoopState,
  z: Float32Array,
  d: Float32Array,
  e: number,
  n: number,
) {
  const r = Math.fround;
  const jump = r(r(s.i[n]! + input[e]!) + rec);
  const vd = r(s.v[n]! + r(a.A * r(r(a.vL - s.v[n]!) + jump)));
  const spike = vd > a.vTh ? 1 : 0;
  d[e] = vd;
  z[e] = spike;
  s.v[n] = spike ? a.vR : vd;
  s.i[n] = r(jump + r(a.C * jump));
}

/** The surrogate derivatives at the decayed voltages `d` (into `sg`, which may live in `m`). */
export function surrogateInto(
  k: SimdKernels | null,
  psg: number,
  sg: Float32Array,
  d: Float32Array,
  a: LIFConstants,
): void {
  if (k && a.surrogate.simd === 'superSpike') {
    sg.set(d);
    k.superSpikeGrad(psg, sg.length, a.vTh, a.alpha, psg);
    return;
  }
  const derivative = a.surrogate.scalar!;
  for (let e = 0; e < d.length; e++) sg[e] = derivative(d[e]! - a.vTh, a.alpha);
}

/**
 * Norse's feed-forward LIF over a sequence `I [T, N]` from the state `s` (left holding the final
 * state), writing the spikes `z` and the decayed voltages `d`, one step at a time through the SIMD
 * step, so memory stays at a few vectors of `N`.
 */
export function lifFeedForward(
  I: Float32Array,
  T: number,
  N: number,
  a: LIFConstants,
  z: Float32Array,
  d: Float32Array,
  s: LoopState,
): void {
  const { A, C, vL, vTh, vR } = a;
  const k = simdKernels();
  if (k) {
    const N4 = (N + 3) & ~3;
    const m = new Arena(k);
    const pI = m.alloc(N4);
    const pz = m.alloc(N4);
    const pd = m.alloc(N4);
    const pv = m.alloc(N4);
    const pcur = m.alloc(N4);
    const prec = m.alloc(N4);
    const pev = m.alloc(N4);
    m.grow();
    m.f32(pI, N4).fill(0);
    m.f32(pv, N4).fill(vL).set(s.v);
    m.f32(pcur, N4).fill(0).set(s.i);
    m.f32(prec, N4).fill(0);
    for (let t = 0; t < T; t++) {
      m.f32(pI, N).set(I.subarray(t * N, (t + 1) * N));
      k.lifStep(pI, prec, pv, pcur, pz, pd, N4, A, C, vL, vTh, vR, pev);
      z.set(m.f32(pz, N), t * N);
      d.set(m.f32(pd, N), t * N);
    }
    s.v.set(m.f32(pv, N));
    s.i.set(m.f32(pcur, N));
    return;
  }
  for (let t = 0; t < T; t++) for (let n = 0; n < N; n++) lifUpdate(a, I, 0, s, z, d, t * N + n, n);
}

/**
 * BPTT of {@link lifFeedForward} (reset not detached, as `lifStep`): the gradient of the currents,
 * from `gz` (of the spikes) and `g` holding the final state's gradient on entry and the initial
 * state's on return.
 */
export function lifFeedForwardBackward(
  fwd: { z: Float32Array; d: Float32Array },
  gz: Float32Array,
  T: number,
  N: number,
  a: LIFConstants,
  gI: Float32Array,
  g: LoopState,
): void {
  const { A, C, vR } = a;
  const { z, d } = fwd;
  const k = simdKernels();
  if (k) {
    const N4 = (N + 3) & ~3;
    const m = new Arena(k);
    const pgz = m.alloc(N4);
    const pz = m.alloc(N4);
    const pd = m.alloc(N4);
    const psg = m.alloc(N4);
    const pgv = m.alloc(N4);
    const pgi = m.alloc(N4);
    const pgI = m.alloc(N4);
    m.grow();
    for (const p of [pgz, pz, pd, psg, pgv, pgi]) m.f32(p, N4).fill(0);
    m.f32(pgv, N).set(g.v);
    m.f32(pgi, N).set(g.i);
    for (let t = T - 1; t >= 0; t--) {
      const slice = (x: Float32Array) => x.subarray(t * N, (t + 1) * N);
      m.f32(pgz, N).set(slice(gz));
      m.f32(pz, N).set(slice(z));
      m.f32(pd, N).set(slice(d));
      surrogateInto(k, psg, m.f32(psg, N4), m.f32(pd, N4), a);
      k.lifFFBackStep(pgz, pz, pd, psg, pgv, pgi, pgI, N4, A, C, vR);
      gI.set(m.f32(pgI, N), t * N);
    }
    g.v.set(m.f32(pgv, N));
    g.i.set(m.f32(pgi, N));
    return;
  }
  const sg = new Float32Array(T * N);
  surrogateInto(null, 0, sg, d, a);
  const gv = Float64Array.from(g.v);
  const gi = Float64Array.from(g.i);
  for (let t = T - 1; t >= 0; t--) {
    const base = t * N;
    for (let n = 0; n < N; n++) {
      const e = base + n;
      const gzt = gz[e]! + gv[n]! * (vR - d[e]!);
      const gd = gv[n]! * (1 - z[e]!) + gzt * sg[e]!;
      const gj = gd * A + gi[n]! * (1 + C);
      gv[n] = gd * (1 - A);
      gi[n] = gj;
      gI[e] = gj;
    }
  }
  g.v.set(gv);
  g.i.set(gi);
}

/** The spikes of a recurrent LIF sequence `[T, B, H]` as events, with the number in each step. */
export type StepEvents = Events & { readonly counts: Int32Array };

/**
 * Norse's recurrent LIF over a whole sequence from the state `s` and the previous spikes `z0`,
 * writing the spikes `z` and the decayed voltages `d` (for the surrogate) and leaving the final
 * state in `s`. The recurrent input adds the weight rows of the neurons that fired; every other
 * operation is rounded to float32 in the reference's order. Returns the spikes as events on the
 * SIMD path.
 */
export function lifRecurrentForward(
  I: Float32Array,
  w: Float32Array,
  T: number,
  B: number,
  H: number,
  a: LIFConstants,
  z: Float32Array,
  d: Float32Array,
  z0: Float32Array,
  s: LoopState,
): StepEvents | undefined {
  const { A, C, vL, vTh, vR } = a;
  const N = B * H;
  const wT = transposed(w, H, H);
  const initial = eventsOf(z0);
  const k = simdKernels();
  if (k && H % 4 === 0) {
    const m = new Arena(k);
    const pI = m.alloc(T * N);
    const pz = m.alloc(T * N);
    const pd = m.alloc(T * N);
    const pv = m.alloc(N);
    const pcur = m.alloc(N);
    const prec = m.alloc(N);
    const pw = m.alloc(H * H);
    const pev = m.alloc(T * N); // step t's events (indices within the step) at pev + t N
    const pev0 = m.alloc(initial.index.length);
    const pval0 = m.alloc(initial.index.length);
    const pone = m.alloc(N);
    m.grow();
    m.f32(pI, T * N).set(I);
    m.f32(pv, N).set(s.v);
    m.f32(pcur, N).set(s.i);
    m.f32(pone, N).fill(1);
    m.f32(pw, H * H).set(wT);
    m.i32(pev0, initial.index.length).set(initial.index);
    m.f32(pval0, initial.index.length).set(initial.value);
    const counts = new Int32Array(T);
    for (let t = 0; t < T; t++) {
      const at = t * N * 4;
      m.f32(prec, N).fill(0);
      // The recurrent input: the weight rows of the neurons that fired in the previous step.
      if (t > 0) k.scatterRows(pev + at - N * 4, pone, counts[t - 1]!, H, pw, H, prec);
      else if (initial.index.length) k.scatterRows(pev0, pval0, initial.index.length, H, pw, H, prec);
      counts[t] = k.lifStep(pI + at, prec, pv, pcur, pz + at, pd + at, N, A, C, vL, vTh, vR, pev + at);
    }
    z.set(m.f32(pz, T * N));
    d.set(m.f32(pd, T * N));
    s.v.set(m.f32(pv, N));
    s.i.set(m.f32(pcur, N));
    let total = 0;
    for (let t = 0; t < T; t++) total += counts[t]!;
    const index = new Int32Array(total);
    for (let t = 0, e = 0; t < T; t++) {
      const rel = m.i32(pev + t * N * 4, counts[t]!);
      for (let j = 0; j < rel.length; j++) index[e++] = t * N + rel[j]!;
    }
    return { index, value: new Float32Array(total).fill(1), counts };
  }
  const r = Math.fround;
  const rec = new Float32Array(H);
  for (let t = 0; t < T; t++) {
    const base = t * N;
    const prev = t > 0 ? z.subarray(base - N, base) : z0;
    for (let b = 0; b < B; b++) {
      const row = b * H;
      rec.fill(0);
      for (let j = 0; j < H; j++) {
        if (prev[row + j] === 0) continue;
        const wo = j * H;
        const zj = prev[row + j]!;
        for (let h = 0; h < H; h++) rec[h] = r(rec[h]! + (zj === 1 ? wT[wo + h]! : r(zj * wT[wo + h]!)));
      }
      for (let h = 0; h < H; h++) lifUpdate(a, I, rec[h]!, s, z, d, base + row + h, row + h);
    }
  }
  return undefined;
}

/** What {@link lifRecurrentBackward} reads besides the forward results. */
export interface RecurrentGradInputs {
  /** dL/dz for every step `[T · N]`, with dL/dz of the final state added to its last step. */
  readonly gz: Float32Array;
  /** The previous spikes the sequence started from `[N]`. */
  readonly z0: Float32Array;
}

/** The gradients {@link lifRecurrentBackward} computes. */
export interface RecurrentGrads {
  readonly gI: Float32Array;
  /** `[H, H]`, as the weights. */
  readonly gW: Float32Array;
  readonly gz0: Float32Array;
}

/**
 * BPTT of {@link lifRecurrentForward} (reset detached): the gradients of the currents, of the
 * recurrent weights and of the previous spikes `z0`; `g` holds the final state's gradient on entry
 * and the initial state's on return. `product(gj)` is `gj [B, H] @ W` on the backend.
 */
export function lifRecurrentBackward(
  fwd: { z: Float32Array; d: Float32Array; events?: StepEvents | undefined },
  x: RecurrentGradInputs,
  T: number,
  B: number,
  H: number,
  a: LIFConstants,
  g: LoopState,
  product: (gj: HostMatrix) => Float32Array,
): RecurrentGrads {
  const N = B * H;
  const { A, C, vTh, alpha } = a;
  const { z, d } = fwd;
  const gI = new Float32Array(T * N);
  const initial = eventsOf(x.z0);
  const k = simdKernels();
  const ev = fwd.events;
  if (k && ev && H % 4 === 0) {
    const total = ev.index.length;
    const m = new Arena(k);
    const pz = m.alloc(T * N);
    const psg = m.alloc(T * N);
    const pgz = m.alloc(T * N);
    const pgI = m.alloc(T * N);
    const pgv = m.alloc(N);
    const pgi = m.alloc(N);
    const prec = m.alloc(N);
    const pgW = m.alloc(H * H);
    const pev = m.alloc(total);
    const pev0 = m.alloc(initial.index.length);
    const pval0 = m.alloc(initial.index.length);
    const pone = m.alloc(N);
    m.grow();
    m.f32(pz, T * N).set(z);
    m.f32(pgz, T * N).set(x.gz);
    m.f32(pone, N).fill(1);
    m.i32(pev0, initial.index.length).set(initial.index);
    m.f32(pval0, initial.index.length).set(initial.value);
    // Each step's events as indices within the step, and where each step's start.
    const rel = m.i32(pev, total);
    const start = new Int32Array(T + 1);
    for (let t = 0, e = 0; t < T; t++) {
      start[t] = e;
      for (let j = 0; j < ev.counts[t]!; j++, e++) rel[e] = ev.index[e]! - t * N;
    }
    start[T] = total;
    surrogateInto(k, psg, m.f32(psg, T * N), d, a);
    m.f32(pgv, N).set(g.v);
    m.f32(pgi, N).set(g.i);
    m.f32(prec, N).fill(0);
    m.f32(pgW, H * H).fill(0);
    let gz0: Float32Array = new Float32Array(N);
    for (let t = T - 1; t >= 0; t--) {
      const at = t * N * 4;
      k.lifBackStep(pgz + at, prec, pz + at, psg + at, pgv, pgi, pgI + at, N, A, C);
      // dL/dW += gj_t^T z_{t-1}, at the spikes of step t - 1 (of z0 for the first step).
      if (t > 0) k.gatherRows(pev + start[t - 1]! * 4, pone, ev.counts[t - 1]!, H, pgI + at, H, pgW);
      else if (initial.index.length) k.gatherRows(pev0, pval0, initial.index.length, H, pgI, H, pgW);
      // dL/dz_{t-1} = gj_t W: dense, on the backend's matrix product.
      const rec = product({ data: m.f32(pgI + at, N).slice(), rows: B, cols: H });
      if (t > 0) m.f32(prec, N).set(rec);
      else gz0 = rec;
    }
    gI.set(m.f32(pgI, T * N));
    g.v.set(m.f32(pgv, N));
    g.i.set(m.f32(pgi, N));
    return { gI, gW: transposed(m.f32(pgW, H * H), H, H), gz0 };
  }
  const derivative = a.surrogate.scalar!;
  const gzOut = x.gz;
  const gv = Float32Array.from(g.v); // dL/dv_t (after reset)
  const gi = Float32Array.from(g.i); // dL/di_t (after decay)
  const gj = new Float32Array(N);
  const gWT = new Float64Array(H * H); // [j, h]: Σ z_{t-1}[b, j] gj_t[b, h]
  let gzRec: Float32Array = new Float32Array(N); // dL/dz_t through the next step's recurrent input
  for (let t = T - 1; t >= 0; t--) {
    const base = t * N;
    for (let n = 0; n < N; n++) {
      const zt = z[base + n]!;
      const gzn = gzOut[base + n]! + gzRec[n]!;
      // v = (1 - z) d + z vR with z detached; z = H(d - vTh) through the surrogate.
      const gd = gv[n]! * (1 - zt) + gzn * derivative(d[base + n]! - vTh, alpha);
      // d = v_prev + A((vL - v_prev) + j); i = j + C j; j = i_prev + I_t + z_{t-1} W^T.
      const gjn = gd * A + gi[n]! * (1 + C);
      gj[n] = gjn;
      gv[n] = gd * (1 - A);
      gi[n] = gjn;
      gI[base + n] = gjn;
    }
    const prev = t > 0 ? z.subarray(base - N, base) : x.z0;
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        const zj = prev[b * H + j]!;
        if (zj === 0) continue;
        const wo = j * H;
        const go = b * H;
        for (let h = 0; h < H; h++) gWT[wo + h]! += zj * gj[go + h]!;
      }
    }
    gzRec = product({ data: gj.slice(), rows: B, cols: H });
  }
  g.v.set(gv);
  g.i.set(gi);
  return { gI, gW: transposed(gWT, H, H), gz0: gzRec };
}

/** Spike trains of constant-current LIF encoder neurons (`v` from 0) for one input value, as 0/1. */
export function encoderTrain(x: number, T: number, a: LIFConstants, train: Uint8Array, offset: number): void {
  const { A, vL, vTh, vR } = a;
  const r = Math.fround;
  let v = 0;
  for (let t = 0; t < T; t++) {
    const vd = r(v + r(A * r(r(vL - v) + x)));
    const spike = vd > vTh;
    train[offset + t] = spike ? 1 : 0;
    v = spike ? r(vd - r(vd - vR)) : vd;
  }
}

/** BPTT of the constant-current LIF encoder (reset not detached, as Norse's encoder). */
export function encoderBackward(
  xs: Float32Array,
  gz: Float32Array,
  a: LIFConstants,
  T: number,
  gx: Float32Array,
) {
  const { A, vL, vTh, vR, alpha } = a;
  const derivative = a.surrogate.scalar!;
  const r = Math.fround;
  const N = xs.length;
  const z = new Uint8Array(T * N);
  const d = new Float32Array(T * N);
  const v = new Float32Array(N);
  for (let t = 0; t < T; t++) {
    const base = t * N;
    for (let n = 0; n < N; n++) {
      const vd = r(v[n]! + r(A * r(r(vL - v[n]!) + xs[n]!)));
      const spike = vd > vTh ? 1 : 0;
      d[base + n] = vd;
      z[base + n] = spike;
      v[n] = spike ? r(vd - r(vd - vR)) : vd;
    }
  }
  const acc = new Float64Array(N);
  const gv = new Float64Array(N); // dL/dv after step t
  for (let t = T - 1; t >= 0; t--) {
    const base = t * N;
    for (let n = 0; n < N; n++) {
      const vd = d[base + n]!;
      const zt = z[base + n]!;
      // vNew = vd - z (vd - vR), z = H(vd - vTh) with the surrogate (not detached).
      const gzTotal = gz[base + n]! - gv[n]! * (vd - vR);
      const gd = gv[n]! * (1 - zt) + gzTotal * derivative(vd - vTh, alpha);
      acc[n] = acc[n]! + gd * A;
      gv[n] = gd * (1 - A);
    }
  }
  gx.set(acc);
}

/**
 * A leaky integrator over `x [T, N]` from the state `s` (left holding the final state), writing the
 * voltage of every step: `jump = i + x; v = v + A((vL - v) + jump); i = jump - S jump`.
 */
export function liForward(
  x: Float32Array,
  T: number,
  N: number,
  c: LIConstants,
  out: Float32Array,
  s: LoopState,
) {
  const r = Math.fround;
  const { A, S, vL } = c;
  const { v, i } = s;
  for (let t = 0; t < T; t++) {
    const base = t * N;
    for (let n = 0; n < N; n++) {
      const jump = r(i[n]! + x[base + n]!);
      const vn = r(v[n]! + r(A * r(r(vL - v[n]!) + jump)));
      v[n] = vn;
      out[base + n] = vn;
      i[n] = r(jump - r(S * jump));
    }
  }
}

/**
 * BPTT of {@link liForward}: the gradient of `x` from `gy` (of every step's voltage), with `g`
 * holding the final state's gradient on entry and the initial state's on return.
 */
export function liBackward(
  gy: Float32Array,
  T: number,
  N: number,
  c: LIConstants,
  gx: Float32Array,
  g: LoopState,
) {
  const { A, S } = c;
  const gv = Float64Array.from(g.v); // dL/dv_t through v_{t+1}
  const gi = Float64Array.from(g.i); // dL/di_t through the next step
  for (let t = T - 1; t >= 0; t--) {
    const base = t * N;
    for (let n = 0; n < N; n++) {
      // v_t = v_{t-1} + A((vL - v_{t-1}) + J_t), i_t = J_t - S J_t, J_t = i_{t-1} + x_t.
      const gvt = gy[base + n]! + gv[n]!;
      const gj = gvt * A + gi[n]! * (1 - S);
      gx[base + n] = gj;
      gv[n] = gvt * (1 - A);
      gi[n] = gj;
    }
  }
  g.v.set(gv);
  g.i.set(gi);
}
