import {
  disposeState,
  f32,
  firstMaxPool2d,
  HOST_BACKENDS,
  hasHostKernel,
  registerGradientOnce,
  registerHostKernel,
  type SurrogateMethod,
  tidy,
} from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { borrowF32, borrowI32, handBack } from './buffers.js';
import { conv2dValid, convValidInputGrad } from './conv.js';
import { hasGpuStepKernel } from './gpu.js';
import {
  gpuSequencesHere,
  lifCurrentEncoderSequenceGpu,
  lifRecurrentSequenceGpu,
  liSequenceGpu,
} from './gpu-sequences.js';
import { DEFAULT_LI_PARAMS, type LIParams, liInitialState, liStep } from './li.js';
import { DEFAULT_LIF_PARAMS, type LIFParams, type LIFState, lifInitialState, lifStep } from './lif.js';
import { runSequence } from './lift.js';
import { linear } from './ops.js';
import { Arena, putPadded, type SimdKernels, simdKernels, takePadded } from './simd.js';

/** Scalar surrogate derivatives of the built-in methods, for the fused CPU kernels. */
const SCALAR_SURROGATES: Readonly<Record<string, (x: number, a: number) => number>> = {
  super: (x, a) => 1 / (a * Math.abs(x) + 1) ** 2,
  fastSigmoid: (x, a) => 1 / (a * Math.abs(x) + 1) ** 2,
  triangle: (x, a) => a * Math.max(0, 1 - Math.abs(x)),
  tanh: (x, a) => 1 - Math.tanh(a * x) ** 2,
  circ: (x, a) => a ** 3 / (a * a + x * x) ** 1.5,
  heavi_erfc: (x, a) => (2 * Math.exp(-((a * x) ** 2))) / Math.sqrt(Math.PI),
  heaviErfc: (x, a) => (2 * Math.exp(-((a * x) ** 2))) / Math.sqrt(Math.PI),
  heaviside: () => 0,
  atan: (x, a) => a / 2 / (1 + ((Math.PI / 2) * a * x) ** 2),
};
const DEFAULT_ALPHA: Readonly<Record<string, number>> = {
  super: 100,
  fastSigmoid: 25,
  triangle: 0.3,
  tanh: 100,
  circ: 100,
  heavi_erfc: 100,
  heaviErfc: 100,
  heaviside: 0,
  atan: 2,
};

/** Names of the tfjs kernels this module registers for the `cpu` and `wasm` backends. */
export const FUSED_KERNELS = Object.freeze({
  sparseLinear: 'SnnSparseLinear',
  lifRecurrentSequence: 'SnnLIFRecurrentSequence',
  lifSequence: 'SnnLIFSequence',
  liSequence: 'SnnLISequence',
  lifCurrentEncoder: 'SnnLIFCurrentEncoder',
  spikeConv2d: 'SnnSpikeConv2d',
  maxPool: 'SnnMaxPool',
  sparseLinearWeightGrad: 'SnnSparseLinearWeightGrad',
  lifSequenceGrad: 'SnnLIFSequenceGrad',
  spikeConv2dFilterGrad: 'SnnSpikeConv2dFilterGrad',
  maxPoolGrad: 'SnnMaxPoolGrad',
  biasAdd: 'SnnBiasAdd',
  biasGrad: 'SnnBiasGrad',
});

/** LIF constants as the kernels use them, each rounded to float32 as torch rounds `dt * param`. */
interface LIFAttrs {
  /** `dt * tauMemInv` */
  A: number;
  /** `-(dt * tauSynInv)` */
  C: number;
  vL: number;
  vTh: number;
  vR: number;
  method: string;
  alpha: number;
}

/**
 * What a kernel's forward leaves for its gradient. tfjs hands a kernel's attributes, unchanged, to
 * its gradient function, so a fresh stash per call carries compact forward results (spike events,
 * decayed voltages) to the backward pass instead of saved tensors, which tfjs would copy.
 */
interface Stash<T> {
  value?: T;
}

/**
 * The forward result a gradient kernel consumes, once: taken out of the stash so that its arrays
 * can be handed back for reuse (a second gradient of the same forward pass would read them reused).
 */
function takeStash<T>(stash: Stash<T>, kernel: string): T {
  const value = stash.value;
  if (value === undefined)
    throw new Error(
      `${kernel}: its forward result was already used by a gradient; compute each gradient once per forward pass (call the op again under the new tape).`,
    );
  delete stash.value;
  return value;
}

/** `x` as float32 (the kernels read float32). */
function asFloat32<T extends tf.Tensor>(x: T): T {
  return x.dtype === 'float32' ? x : (tf.cast(x, 'float32') as T);
}

/** Runs a gradient's host kernel: its result is written straight into backend memory. */
function runGradKernel(name: string, inputs: tf.NamedTensorMap, attrs: object): tf.Tensor {
  return tf.engine().runKernel(name, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}

/** Attributes of the feed-forward LIF sequence kernel. */
type LIFSequenceAttrs = LIFAttrs & { T: number; stash: Stash<{ z: Float32Array; d: Float32Array }> };

function lifAttrs(params: LIFParams, dt: number): LIFAttrs {
  const p = params as LIFParams &
    Record<'tauSynInv' | 'tauMemInv' | 'vLeak' | 'vTh' | 'vReset' | 'alpha', number>;
  const method = p.method as string;
  return {
    A: f32(f32(dt) * f32(p.tauMemInv)),
    C: -f32(f32(dt) * f32(p.tauSynInv)),
    vL: f32(p.vLeak),
    vTh: f32(p.vTh),
    vR: f32(p.vReset),
    method,
    alpha: (p.alpha as number | undefined) ?? DEFAULT_ALPHA[method]!,
  };
}

function surrogateOf(method: SurrogateMethod | string): (x: number, a: number) => number {
  const s = typeof method === 'string' ? SCALAR_SURROGATES[method] : undefined;
  if (!s) throw new Error(`fused kernels: only built-in surrogates are fused, got ${String(method)}.`);
  return s;
}

/** `m [R, C]` (row-major) transposed to `[C, R]`. */
function transposed(m: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c]!;
  return out;
}

/** Attributes of the max-pooling kernel (`k × k` windows, stride `k`, channels-last). */
interface MaxPoolAttrs {
  k: number;
  xShape: number[];
  /** The window position (row-major) of each output's maximum, where its gradient goes. */
  stash: Stash<Int32Array>;
}

/** Attributes of the spike convolution kernel. */
interface SpikeConvAttrs {
  xShape: number[];
  /** `x`'s data, to look up its events when a fused kernel produced it. */
  xDataId: object;
  stash: Stash<Events>;
}

function convDims(xs: readonly number[], ws: readonly number[]): ConvDims {
  const [F, H, W, C] = xs as [number, number, number, number];
  const [k, , , O] = ws as [number, number, number, number];
  return { F, H, W, C, k, O, OH: H - k + 1, OW: W - k + 1 };
}

/** Attributes of the sparse linear kernel (inputs `x` with `rows × in` elements, `weight [out, in]`). */
interface SparseLinearAttrs {
  /** `[...leading, out]` */
  outShape: number[];
  xShape: number[];
  /** `x`'s data, to look up its events when a fused kernel produced it. */
  xDataId: object;
  stash: Stash<Events>;
}

/** The non-zero entries of a row-major `[rows, n]` matrix: flat indices and values. */
interface Events {
  readonly index: Int32Array;
  readonly value: Float32Array;
}

/** The spikes of a LIF sequence `[T, B, H]` as events, with the number in each step. */
interface LIFEvents extends Events {
  readonly counts: Int32Array;
}

/** What the LIF sequence's forward keeps for its backward pass. */
interface LIFForward {
  readonly z: Float32Array;
  readonly d: Float32Array;
  readonly events: LIFEvents | undefined;
}

/**
 * The spike events of tensors that fused kernels produced, by their data (tfjs tensor data is
 * immutable and a reshape shares it), so an event-driven consumer skips scanning them. A cache:
 * dropping it changes no result; entries go when their tensors are collected.
 */
const knownEvents = new WeakMap<object, Events>();

/** The non-zero entries of `x` as events (in index order, as a scan finds them). */
function eventsOf(x: Float32Array): Events {
  const k = simdKernels();
  if (k) {
    const a = new Arena(k);
    const px = a.alloc(x.length);
    a.grow().f32(px, x.length).set(x);
    const count = k.countNonzero(px, x.length);
    const pev = a.alloc(count);
    const pval = a.alloc(count);
    a.grow();
    k.events(px, x.length, pev, pval);
    return { index: a.i32(pev, count).slice(), value: a.f32(pval, count).slice() };
  }
  let count = 0;
  for (let e = 0; e < x.length; e++) if (x[e] !== 0) count++;
  const index = new Int32Array(count);
  const value = new Float32Array(count);
  for (let e = 0, j = 0; e < x.length; e++) {
    if (x[e] === 0) continue;
    index[j] = e;
    value[j++] = x[e]!;
  }
  return { index, value };
}

/**
 * A product with the events of `x [N, I]` (flat indices, values): `scatter` adds `v · small[i, :]`
 * to `big[n, :]` (the product `x @ small`, `small [I, O]`, `big [N, O]`); `gather` adds
 * `v · big[n, :]` to `small[i, :]` (the weight gradient `x^T @ big`). The cost scales with the
 * number of spikes.
 */
function eventRows(
  ev: Events,
  N: number,
  I: number,
  O: number,
  small: Float32Array,
  big: Float32Array,
  mode: 'scatter' | 'gather',
) {
  const count = ev.index.length;
  const k = simdKernels();
  if (k) {
    const O4 = (O + 3) & ~3;
    const a = new Arena(k);
    const pev = a.alloc(count);
    const pval = a.alloc(count);
    const ps = a.alloc(I * O4);
    const pb = a.alloc(N * O4);
    a.grow();
    a.i32(pev, count).set(ev.index);
    a.f32(pval, count).set(ev.value);
    const sv = a.f32(ps, I * O4);
    const bv = a.f32(pb, N * O4);
    if (mode === 'scatter') {
      putPadded(sv, small, I, O, O4);
      bv.fill(0);
      k.scatterRows(pev, pval, count, I, ps, O4, pb);
      takePadded(big, bv, N, O, O4);
    } else {
      putPadded(bv, big, N, O, O4);
      sv.fill(0);
      k.gatherRows(pev, pval, count, I, pb, O4, ps);
      takePadded(small, sv, I, O, O4);
    }
    return;
  }
  for (let e = 0; e < count; e++) {
    const flat = ev.index[e]!;
    const v = ev.value[e]!;
    const bo = Math.floor(flat / I) * O;
    const so = (flat % I) * O;
    if (mode === 'scatter')
      for (let o = 0; o < O; o++) big[bo + o] = Math.fround(big[bo + o]! + Math.fround(v * small[so + o]!));
    else
      for (let o = 0; o < O; o++) small[so + o] = Math.fround(small[so + o]! + Math.fround(v * big[bo + o]!));
  }
}

/** Shapes of a stride-1 'valid' convolution of `x [F, H, W, C]` with a `k × k` kernel to `O` channels. */
interface ConvDims {
  F: number;
  H: number;
  W: number;
  C: number;
  k: number;
  O: number;
  OH: number;
  OW: number;
}

/**
 * The convolution, or its filter gradient, from the events of `x`: `scatter` adds
 * `v · w[i, j, c, :]` to `y[f, yy - i, xx - j, :]` for each event at `(f, yy, xx, c)`; `gather`
 * adds `v · dy[f, yy - i, xx - j, :]` to `g[i, j, c, :]`. `big` is `y` or `dy` (`[F, OH, OW, O]`),
 * `small` is `w` or `g` (`[k, k, C, O]`).
 */
function spikeConvHost(
  ev: Events,
  d: ConvDims,
  small: Float32Array,
  big: Float32Array,
  mode: 'scatter' | 'gather',
) {
  const { F, H, W, C, k: K, O, OH, OW } = d;
  const count = ev.index.length;
  const kern = simdKernels();
  if (kern) {
    const O4 = (O + 3) & ~3;
    const a = new Arena(kern);
    const pev = a.alloc(count);
    const pval = a.alloc(count);
    const pw = a.alloc(K * K * C * O4);
    const py = a.alloc(F * OH * OW * O4);
    a.grow();
    a.i32(pev, count).set(ev.index);
    a.f32(pval, count).set(ev.value);
    const wv = a.f32(pw, K * K * C * O4);
    const yv = a.f32(py, F * OH * OW * O4);
    if (mode === 'scatter') {
      putPadded(wv, small, K * K * C, O, O4);
      yv.fill(0);
      kern.convScatter(pev, pval, count, H, W, C, K, OH, OW, pw, O4, py);
      takePadded(big, yv, F * OH * OW, O, O4);
    } else {
      putPadded(yv, big, F * OH * OW, O, O4);
      wv.fill(0);
      kern.convGather(pev, pval, count, H, W, C, K, OH, OW, pw, O4, py);
      takePadded(small, wv, K * K * C, O, O4);
    }
    return;
  }
  for (let e = 0; e < count; e++) {
    const flat = ev.index[e]!;
    const v = ev.value[e]!;
    const c = flat % C;
    const xx = Math.floor(flat / C) % W;
    const yy = Math.floor(flat / (C * W)) % H;
    const f = Math.floor(flat / (C * W * H));
    for (let i = 0; i < K; i++) {
      const oy = yy - i;
      if (oy < 0 || oy >= OH) continue;
      for (let j = 0; j < K; j++) {
        const ox = xx - j;
        if (ox < 0 || ox >= OW) continue;
        const bo = ((f * OH + oy) * OW + ox) * O;
        const so = ((i * K + j) * C + c) * O;
        if (mode === 'scatter')
          for (let o = 0; o < O; o++)
            big[bo + o] = Math.fround(big[bo + o]! + Math.fround(v * small[so + o]!));
        else
          for (let o = 0; o < O; o++)
            small[so + o] = Math.fround(small[so + o]! + Math.fround(v * big[bo + o]!));
      }
    }
  }
}

/**
 * One neuron's LIF update in the reference's float32 order (the plain-JS twin of the SIMD step):
 * `jump = (cur + input) + rec; d = v + A((vL - v) + jump); z = d > vTh; v = z ? vR : d;
 * cur = jump + C jump`, reading `input[e]`, writing `z[e]`, `d[e]`, state `v[n]`, `cur[n]`.
 */
function lifUpdate(
  a: LIFAttrs,
  input: ArrayLike<number>,
  rec: number,
  v: Float32Array,
  cur: Float32Array,
  z: Float32Array,
  d: Float32Array,
  e: number,
  n: number,
) {
  const r = Math.fround;
  const jump = r(r(cur[n]! + input[e]!) + rec);
  const vd = r(v[n]! + r(a.A * r(r(a.vL - v[n]!) + jump)));
  const spike = vd > a.vTh ? 1 : 0;
  d[e] = vd;
  z[e] = spike;
  v[n] = spike ? a.vR : vd;
  cur[n] = r(jump + r(a.C * jump));
}

/**
 * Norse's recurrent LIF over a whole sequence from the zero state (`v = vLeak`), writing the spikes
 * `z` and the decayed voltages `d` (for the surrogate). Every operation rounds to float32 in the
 * reference's order; the recurrent input adds the weight rows of the neurons that fired.
 */
function lifRecurrentForward(
  I: Float32Array,
  w: Float32Array,
  T: number,
  B: number,
  H: number,
  a: LIFAttrs,
  z: Float32Array,
  d: Float32Array,
): LIFEvents | undefined {
  const { A, C, vL, vTh, vR } = a;
  const N = B * H;
  const wT = transposed(w, H, H);
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
    const pone = m.alloc(N);
    m.grow();
    m.f32(pI, T * N).set(I);
    m.f32(pv, N).fill(vL);
    m.f32(pcur, N).fill(0);
    m.f32(pone, N).fill(1);
    m.f32(pw, H * H).set(wT);
    const counts = new Int32Array(T);
    for (let t = 0; t < T; t++) {
      const at = t * N * 4;
      m.f32(prec, N).fill(0);
      // The recurrent input: the weight rows of the neurons that fired in the previous step.
      if (t > 0) k.scatterRows(pev + at - N * 4, pone, counts[t - 1]!, H, pw, H, prec);
      counts[t] = k.lifStep(pI + at, prec, pv, pcur, pz + at, pd + at, N, A, C, vL, vTh, vR, pev + at);
    }
    z.set(m.f32(pz, T * N));
    d.set(m.f32(pd, T * N));
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
  const v = new Float32Array(N).fill(vL);
  const cur = new Float32Array(N);
  const rec = new Float32Array(H);
  for (let t = 0; t < T; t++) {
    const base = t * N;
    for (let b = 0; b < B; b++) {
      const row = b * H;
      rec.fill(0);
      if (t > 0) {
        const prev = base - N + row;
        for (let j = 0; j < H; j++) {
          if (z[prev + j] === 0) continue;
          const wo = j * H;
          for (let h = 0; h < H; h++) rec[h] = r(rec[h]! + wT[wo + h]!);
        }
      }
      for (let h = 0; h < H; h++) lifUpdate(a, I, rec[h]!, v, cur, z, d, base + row + h, row + h);
    }
  }
  return undefined;
}

/** The surrogate derivatives at the decayed voltages `d` (in place into `sg`). */
function surrogateInto(
  k: SimdKernels | null,
  m: Arena | undefined,
  psg: number,
  sg: Float32Array,
  d: Float32Array,
  a: LIFAttrs,
) {
  if (k && m && (a.method === 'super' || a.method === 'fastSigmoid')) {
    sg.set(d);
    k.superSpikeGrad(psg, sg.length, a.vTh, a.alpha, psg);
    return;
  }
  const sur = surrogateOf(a.method);
  for (let e = 0; e < d.length; e++) sg[e] = sur(d[e]! - a.vTh, a.alpha);
}

/**
 * Norse's feed-forward LIF (`lifStep`) over a sequence `I [T, N]` from `v = vLeak`, `i = 0`, writing
 * the spikes `z` and the decayed voltages `d`, one step at a time through the SIMD step (every
 * operation in float32 in the reference's order), so memory stays at a few vectors of `N`.
 */
function lifFeedForward(
  I: Float32Array,
  T: number,
  N: number,
  a: LIFAttrs,
  z: Float32Array,
  d: Float32Array,
) {
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
    m.f32(pv, N4).fill(vL);
    m.f32(pcur, N4).fill(0);
    m.f32(prec, N4).fill(0);
    for (let t = 0; t < T; t++) {
      m.f32(pI, N).set(I.subarray(t * N, (t + 1) * N));
      k.lifStep(pI, prec, pv, pcur, pz, pd, N4, A, C, vL, vTh, vR, pev);
      z.set(m.f32(pz, N), t * N);
      d.set(m.f32(pd, N), t * N);
    }
    return;
  }
  const v = new Float32Array(N).fill(vL);
  const cur = new Float32Array(N);
  for (let t = 0; t < T; t++) for (let n = 0; n < N; n++) lifUpdate(a, I, 0, v, cur, z, d, t * N + n, n);
}

/** BPTT of {@link lifFeedForward} (reset not detached, as `lifStep`): the gradient of the currents. */
function lifFeedForwardBackward(
  fwd: { z: Float32Array; d: Float32Array },
  gz: Float32Array,
  T: number,
  N: number,
  a: LIFAttrs,
  gI: Float32Array,
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
    for (let t = T - 1; t >= 0; t--) {
      const slice = (x: Float32Array) => x.subarray(t * N, (t + 1) * N);
      m.f32(pgz, N).set(slice(gz));
      m.f32(pz, N).set(slice(z));
      m.f32(pd, N).set(slice(d));
      surrogateInto(k, m, psg, m.f32(psg, N4), m.f32(pd, N4), a);
      k.lifFFBackStep(pgz, pz, pd, psg, pgv, pgi, pgI, N4, A, C, vR);
      gI.set(m.f32(pgI, N), t * N);
    }
    return;
  }
  const sg = new Float32Array(T * N);
  surrogateInto(null, undefined, 0, sg, d, a);
  const gv = new Float64Array(N);
  const gi = new Float64Array(N);
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
}

/** Spike trains of constant-current LIF encoder neurons (`v` from 0) for one input value, as 0/1. */
function encoderTrain(x: number, T: number, a: LIFAttrs, train: Uint8Array, offset: number) {
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

let registered = false;

/**
 * Registers the fused kernels and their gradients for the `cpu` and `wasm` backends (idempotent;
 * the fused ops call it themselves). Registering does not select a backend.
 */
export function registerFusedKernels(): void {
  if (registered) return;
  registered = true;
  const K = FUSED_KERNELS;

  // The backend's own broadcasting add; the gradient ours (tfjs-wasm sums over leading axes by
  // transposing first: 30 ms for a conv layer's [16·48, 24, 24, 20] against 14 ms for the loop).
  for (const backendName of HOST_BACKENDS) {
    if (tf.getKernel(K.biasAdd, backendName)) continue;
    tf.registerKernel({
      kernelName: K.biasAdd,
      backendName,
      // Looked up when run: the backend may register its kernels after ours.
      kernelFunc: ({ inputs, backend }) =>
        tf.getKernel('Add', backendName)!.kernelFunc({
          inputs: { a: inputs.x!, b: inputs.bias! },
          backend,
          attrs: {},
        }),
    });
  }
  registerHostKernel<Record<string, never>>({
    kernelName: K.biasGrad,
    inputNames: ['dy'],
    outputShapes: ([dy]) => [[dy![dy!.length - 1]!]],
    compute: ({ inputs: [dy], outputs: [db] }) => {
      const C = db!.length;
      const sums = new Float64Array(C);
      for (let i = 0; i < dy!.length; i += C) for (let c = 0; c < C; c++) sums[c]! += dy![i + c]!;
      db!.set(sums);
    },
  });
  registerGradientOnce({
    kernelName: K.biasAdd,
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({
      x: () => tf.reshape(dy as tf.Tensor, x!.shape),
      bias: () => runGradKernel(K.biasGrad, { dy: dy as tf.Tensor }, {}),
    }),
  });

  registerHostKernel<SparseLinearAttrs>({
    kernelName: K.sparseLinear,
    inputNames: ['x', 'weight'],
    outputShapes: (_, { outShape }) => [[...outShape]],
    compute: ({ inputs: [x, w], inputShapes: [, ws], outputs: [y], attrs }) => {
      const [O, I] = ws as [number, number];
      const ev = knownEvents.get(attrs.xDataId) ?? eventsOf(x!);
      eventRows(ev, x!.length / I, I, O, transposed(w!, O, I), y!, 'scatter');
      attrs.stash.value = ev;
    },
  });
  registerGradientOnce({
    kernelName: K.sparseLinear,
    inputsToSave: ['weight'],
    gradFunc: (dy, saved, attrs) => {
      const [w] = saved as [tf.Tensor];
      const [O, I] = w.shape as [number, number];
      const g = dy as tf.Tensor;
      const { xShape } = attrs as unknown as SparseLinearAttrs;
      return {
        // Dense: only computed when something upstream of `x` needs it.
        x: () => tf.reshape(tf.matMul(tf.reshape(g, [-1, O]), w), xShape),
        weight: () => runGradKernel(K.sparseLinearWeightGrad, { dy: g }, { ...attrs, wShape: [O, I] }),
      };
    },
  });
  registerHostKernel<SparseLinearAttrs & { wShape: [number, number] }>({
    kernelName: K.sparseLinearWeightGrad,
    inputNames: ['dy'],
    outputShapes: (_, { wShape }) => [[...wShape]],
    compute: ({ inputs: [dy], outputs: [gw], attrs }) => {
      const [O, I] = attrs.wShape;
      const gT = new Float32Array(I * O);
      eventRows(takeStash(attrs.stash, K.sparseLinear), dy!.length / O, I, O, gT, dy!, 'gather');
      gw!.set(transposed(gT, I, O));
    },
  });

  registerHostKernel<LIFAttrs & { stash: Stash<LIFForward> }>({
    kernelName: K.lifRecurrentSequence,
    inputNames: ['currents', 'weights'],
    outputShapes: ([c]) => [[...c!]],
    compute: ({ inputs: [c, w], inputShapes: [cs], outputs: [z], attrs, withOutputs }) => {
      const [T, B, H] = cs as [number, number, number];
      const d = new Float32Array(T * B * H);
      const events = lifRecurrentForward(c!, w!, T, B, H, attrs, z!, d);
      attrs.stash.value = { z: z!.slice(), d, events };
      if (events) withOutputs(([out]) => knownEvents.set(out!.dataId, events));
    },
  });
  registerGradientOnce({
    kernelName: K.lifRecurrentSequence,
    inputsToSave: ['weights'],
    gradFunc: (dy, saved, attrs) => {
      const [w] = saved as [tf.Tensor];
      const a = attrs as unknown as LIFAttrs & { stash: Stash<LIFForward> };
      const g = dy as tf.Tensor;
      let result: { gI: Float32Array; gW: Float32Array } | undefined;
      const run = () => {
        result ??= lifRecurrentBackward(a.stash.value!, w, g, a);
        return result;
      };
      return {
        currents: () => tf.tensor(run().gI, g.shape),
        weights: () => tf.tensor(run().gW, w.shape),
      };
    },
  });

  registerHostKernel<LIFSequenceAttrs>({
    kernelName: K.lifSequence,
    inputNames: ['currents'],
    outputShapes: ([c]) => [[...c!]],
    compute: ({ inputs: [c], outputs: [z], attrs }) => {
      const T = attrs.T;
      const N = c!.length / T;
      const d = borrowF32(T * N);
      const spikes = borrowF32(T * N);
      lifFeedForward(c!, T, N, attrs, z!, d);
      spikes.set(z!);
      attrs.stash.value = { z: spikes, d };
    },
  });
  registerHostKernel<LIFSequenceAttrs>({
    kernelName: K.lifSequenceGrad,
    inputNames: ['dy'],
    outputShapes: ([dy]) => [[...dy!]],
    compute: ({ inputs: [gz], outputs: [gI], attrs }) => {
      const fwd = takeStash(attrs.stash, K.lifSequence);
      lifFeedForwardBackward(fwd, gz!, attrs.T, gz!.length / attrs.T, attrs, gI!);
      handBack(fwd.z, fwd.d);
    },
  });
  registerGradientOnce({
    kernelName: K.lifSequence,
    gradFunc: (dy, _saved, attrs) => ({
      currents: () => runGradKernel(K.lifSequenceGrad, { dy: dy as tf.Tensor }, attrs),
    }),
  });

  registerHostKernel<SpikeConvAttrs>({
    kernelName: K.spikeConv2d,
    inputNames: ['x', 'w'],
    outputShapes: ([x, w]) => {
      const [F, H, W] = x as [number, number, number, number];
      const [k, , , O] = w as [number, number, number, number];
      return [[F, H - k + 1, W - k + 1, O]];
    },
    compute: ({ inputs: [x, w], inputShapes: [xs, ws], outputs: [y], attrs }) => {
      const ev = knownEvents.get(attrs.xDataId) ?? eventsOf(x!);
      spikeConvHost(ev, convDims(xs!, ws!), w!, y!, 'scatter');
      attrs.stash.value = ev;
    },
  });
  registerGradientOnce({
    kernelName: K.spikeConv2d,
    inputsToSave: ['w'],
    gradFunc: (dy, saved, attrs) => {
      const [w] = saved as [tf.Tensor4D];
      const g = dy as tf.Tensor4D;
      return {
        // Dense: only computed when something upstream of `x` needs it.
        x: () => convValidInputGrad(g, w),
        w: () => runGradKernel(K.spikeConv2dFilterGrad, { dy: g }, { ...attrs, wShape: w.shape }),
      };
    },
  });
  registerHostKernel<SpikeConvAttrs & { wShape: number[] }>({
    kernelName: K.spikeConv2dFilterGrad,
    inputNames: ['dy'],
    outputShapes: (_, { wShape }) => [[...wShape]],
    compute: ({ inputs: [dy], outputs: [gw], attrs }) => {
      const events = takeStash(attrs.stash, K.spikeConv2d);
      spikeConvHost(events, convDims(attrs.xShape, attrs.wShape), gw!, dy!, 'gather');
    },
  });

  registerHostKernel<MaxPoolAttrs>({
    kernelName: K.maxPool,
    inputNames: ['x'],
    outputShapes: ([x], { k }) => {
      const [F, H, W, C] = x as [number, number, number, number];
      return [[F, Math.floor(H / k), Math.floor(W / k), C]];
    },
    compute: ({ inputs: [x], inputShapes: [xs], outputs: [y], attrs, withOutputs }) => {
      const [F, H, W, C] = xs as [number, number, number, number];
      const k = attrs.k;
      const OH = Math.floor(H / k);
      const OW = Math.floor(W / k);
      // The window position of each maximum: the first one in row-major order, as PyTorch.
      const arg = borrowI32(y!.length);
      const kern = simdKernels();
      if (kern) {
        const a = new Arena(kern);
        const px = a.alloc(x!.length);
        const py = a.alloc(y!.length);
        const parg = a.alloc(y!.length);
        a.grow();
        a.f32(px, x!.length).set(x!);
        kern.maxPool(px, F, H, W, C, k, py, parg);
        y!.set(a.f32(py, y!.length));
        arg.set(a.i32(parg, y!.length));
      } else {
        for (let o = 0; o < y!.length; o++) {
          const c = o % C;
          const ox = Math.floor(o / C) % OW;
          const oy = Math.floor(o / (C * OW)) % OH;
          const f = Math.floor(o / (C * OW * OH));
          for (let pos = 0; pos < k * k; pos++) {
            const v = x![((f * H + oy * k + Math.floor(pos / k)) * W + ox * k + (pos % k)) * C + c]!;
            if (pos === 0 || v > y![o]!) {
              y![o] = v;
              arg[o] = pos;
            }
          }
        }
      }
      // The gradient goes where each maximum was (kept for it; inference drops it).
      attrs.stash.value = arg;
      const events = eventsOf(y!);
      withOutputs(([out]) => knownEvents.set(out!.dataId, events));
    },
  });
  registerGradientOnce({
    kernelName: K.maxPool,
    gradFunc: (dy, _saved, attrs) => ({
      x: () => runGradKernel(K.maxPoolGrad, { dy: dy as tf.Tensor }, attrs),
    }),
  });
  registerHostKernel<MaxPoolAttrs>({
    kernelName: K.maxPoolGrad,
    inputNames: ['dy'],
    outputShapes: (_, { xShape }) => [[...xShape]],
    compute: ({ inputs: [g], outputs: [dx], attrs }) => {
      const arg = takeStash(attrs.stash, K.maxPool);
      const [F, H, W, C] = attrs.xShape as [number, number, number, number];
      const k = attrs.k;
      const OH = Math.floor(H / k);
      const OW = Math.floor(W / k);
      // The offset of each window position from the window's corner, in the input.
      const offset = Int32Array.from(
        { length: k * k },
        (_, pos) => (Math.floor(pos / k) * W + (pos % k)) * C,
      );
      for (let f = 0, o = 0; f < F; f++)
        for (let oy = 0; oy < OH; oy++)
          for (let ox = 0; ox < OW; ox++) {
            const corner = ((f * H + oy * k) * W + ox * k) * C;
            for (let c = 0; c < C; c++, o++) dx![corner + offset[arg[o]!]! + c] = g![o]!;
          }
      handBack(arg);
    },
  });

  registerHostKernel<{ A: number; S: number; vL: number }>({
    kernelName: K.liSequence,
    inputNames: ['currents'],
    outputShapes: ([c]) => [[...c!]],
    compute: ({ inputs: [x], inputShapes: [xs], outputs: [out], attrs: { A, S, vL } }) => {
      const r = Math.fround;
      const T = xs![0]!;
      const N = x!.length / T;
      const v = new Float32Array(N).fill(vL);
      const i = new Float32Array(N);
      for (let t = 0; t < T; t++) {
        const base = t * N;
        for (let n = 0; n < N; n++) {
          const jump = r(i[n]! + x![base + n]!);
          const vn = r(v[n]! + r(A * r(r(vL - v[n]!) + jump)));
          v[n] = vn;
          out![base + n] = vn;
          i[n] = r(jump - r(S * jump));
        }
      }
    },
  });
  registerGradientOnce({
    kernelName: K.liSequence,
    gradFunc: (dy, _saved, attrs) => ({
      currents: () => {
        const { A, S } = attrs as unknown as { A: number; S: number };
        const g = dy as tf.Tensor;
        const gy = g.dataSync() as Float32Array;
        const T = g.shape[0]!;
        const N = g.size / T;
        const gx = new Float32Array(g.size);
        const gv = new Float64Array(N); // dL/dv_t through v_{t+1}
        const gi = new Float64Array(N); // dL/di_t through the next step
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
        return tf.tensor(gx, g.shape);
      },
    }),
  });

  registerHostKernel<LIFAttrs & { T: number }>({
    kernelName: K.lifCurrentEncoder,
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
      withOutputs(([out]) => knownEvents.set(out!.dataId, events));
    },
  });
  registerGradientOnce({
    kernelName: K.lifCurrentEncoder,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [tf.Tensor];
      return { x: () => tf.tensor(encoderBackward(x, dy as tf.Tensor, attrs as never), x.shape) };
    },
  });
}

/** BPTT of {@link lifRecurrentForward}: gradients of the currents and of the recurrent weights. */
function lifRecurrentBackward(
  fwd: LIFForward,
  w: tf.Tensor,
  dy: tf.Tensor,
  a: LIFAttrs,
): { gI: Float32Array; gW: Float32Array } {
  const [T, B, H] = dy.shape as [number, number, number];
  const N = B * H;
  const { A, C, vTh, alpha } = a;
  const { z, d } = fwd;
  const sur = surrogateOf(a.method);
  const gzOut = dy.dataSync() as Float32Array;
  const gI = new Float32Array(T * N);
  /** dL/dz_{t-1} = gj_t @ W: dense, on the backend's matrix product. */
  const product = (gj: Float32Array): Float32Array => {
    const p = tf.tidy(() => tf.matMul(tf.tensor2d(gj, [B, H]), w));
    const data = p.dataSync() as Float32Array;
    p.dispose();
    return data;
  };
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
    const pone = m.alloc(N);
    m.grow();
    m.f32(pz, T * N).set(z);
    m.f32(pgz, T * N).set(gzOut);
    m.f32(pone, N).fill(1);
    // Each step's events as indices within the step, and where each step's start.
    const rel = m.i32(pev, total);
    const start = new Int32Array(T + 1);
    for (let t = 0, e = 0; t < T; t++) {
      start[t] = e;
      for (let j = 0; j < ev.counts[t]!; j++, e++) rel[e] = ev.index[e]! - t * N;
    }
    start[T] = total;
    surrogateInto(k, m, psg, m.f32(psg, T * N), d, a);
    for (const [p, len] of [
      [pgv, N],
      [pgi, N],
      [prec, N],
      [pgW, H * H],
    ] as const)
      m.f32(p, len).fill(0);
    for (let t = T - 1; t >= 0; t--) {
      const at = t * N * 4;
      k.lifBackStep(pgz + at, prec, pz + at, psg + at, pgv, pgi, pgI + at, N, A, C);
      if (t > 0) {
        // dL/dW += gj_t^T z_{t-1}, at the spikes of step t - 1.
        k.gatherRows(pev + start[t - 1]! * 4, pone, ev.counts[t - 1]!, H, pgI + at, H, pgW);
        m.f32(prec, N).set(product(m.f32(pgI + at, N).slice()));
      }
    }
    gI.set(m.f32(pgI, T * N));
    return { gI, gW: transposed(m.f32(pgW, H * H), H, H) };
  }
  const gv = new Float32Array(N); // dL/dv_t (after reset)
  const gi = new Float32Array(N); // dL/di_t (after decay)
  const gj = new Float32Array(N);
  const gWT = new Float64Array(H * H); // [j, h]: Σ z_{t-1}[b, j] gj_t[b, h]
  let gzRec: Float32Array = new Float32Array(N); // dL/dz_t through the next step's recurrent input
  for (let t = T - 1; t >= 0; t--) {
    const base = t * N;
    for (let n = 0; n < N; n++) {
      const zt = z[base + n]!;
      const gz = gzOut[base + n]! + gzRec[n]!;
      // v = (1 - z) d + z vR with z detached; z = H(d - vTh) through the surrogate.
      const gd = gv[n]! * (1 - zt) + gz * sur(d[base + n]! - vTh, alpha);
      // d = v_prev + A((vL - v_prev) + j); i = j + C j; j = i_prev + I_t + z_{t-1} W^T.
      const gjn = gd * A + gi[n]! * (1 + C);
      gj[n] = gjn;
      gv[n] = gd * (1 - A);
      gi[n] = gjn;
      gI[base + n] = gjn;
    }
    if (t > 0) {
      const prev = base - N;
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < H; j++) {
          if (z[prev + b * H + j] === 0) continue;
          const wo = j * H;
          const go = b * H;
          for (let h = 0; h < H; h++) gWT[wo + h]! += gj[go + h]!;
        }
      }
      gzRec = product(gj);
    }
  }
  return { gI, gW: transposed(gWT, H, H) };
}

/** BPTT of the constant-current LIF encoder (reset not detached, as Norse's encoder). */
function encoderBackward(x: tf.Tensor, dy: tf.Tensor, a: LIFAttrs & { T: number }): Float32Array {
  const xs = x.dataSync() as Float32Array;
  const gz = dy.dataSync() as Float32Array;
  const { A, vL, vTh, vR, alpha, T } = a;
  const sur = surrogateOf(a.method);
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
  const gx = new Float64Array(N);
  const gv = new Float64Array(N); // dL/dv after step t
  for (let t = T - 1; t >= 0; t--) {
    const base = t * N;
    for (let n = 0; n < N; n++) {
      const vd = d[base + n]!;
      const zt = z[base + n]!;
      // vNew = vd - z (vd - vR), z = H(vd - vTh) with the surrogate (not detached).
      const gzTotal = gz[base + n]! - gv[n]! * (vd - vR);
      const gd = gv[n]! * (1 - zt) + gzTotal * sur(vd - vTh, alpha);
      gx[n] = gx[n]! + gd * A;
      gv[n] = gd * (1 - A);
    }
  }
  return Float32Array.from(gx);
}

/** Whether the active backend runs the fused kernels (after registering them). */
function hostKernelsHere(): boolean {
  registerFusedKernels();
  return hasHostKernel(FUSED_KERNELS.lifRecurrentSequence);
}

function numericLIF(params: LIFParams): boolean {
  return (
    [params.tauSynInv, params.tauMemInv, params.vLeak, params.vTh, params.vReset, params.alpha].every(
      (p) => p === undefined || typeof p === 'number',
    ) &&
    typeof params.method === 'string' &&
    params.method in SCALAR_SURROGATES
  );
}

/**
 * Whether {@link lifRecurrentSequence} can run here: every parameter a number, a built-in
 * surrogate, and a backend with the host kernels (`cpu`, `wasm`) or the GPU step programs
 * (`webgl`, `webgpu`). Otherwise use the composition of `lifRecurrentStep` (the reference).
 */
export function canFuseLIFRecurrent(params: LIFParams = DEFAULT_LIF_PARAMS): boolean {
  return numericLIF(params) && (hostKernelsHere() || gpuSequencesHere(params.method as string));
}

/** Whether {@link lifCurrentEncoderSequence} can run fused here (same conditions). */
export const canFuseLIFEncoder = canFuseLIFRecurrent;

/**
 * Whether {@link lifSequence} and the other event-driven host kernels ({@link spikeConv2d},
 * {@link maxPool2d}) run fused here: numeric parameters, a built-in surrogate, `cpu` or `wasm`.
 */
export function canFuseLIF(params: LIFParams = DEFAULT_LIF_PARAMS): boolean {
  return numericLIF(params) && hostKernelsHere();
}

/** Whether {@link liSequence} runs fused here (numeric parameters; `cpu`, `wasm`, `webgl`, `webgpu`). */
export function canFuseLI(params: LIParams = DEFAULT_LI_PARAMS): boolean {
  return (
    [params.tauSynInv, params.tauMemInv, params.vLeak].every((p) => typeof p === 'number') &&
    (hostKernelsHere() || hasGpuStepKernel())
  );
}

/**
 * `x @ weight^T` for spike inputs `x` and `weight [out, in]`, event-driven where the fused kernels
 * run (`cpu`, `wasm`): each output row adds the weight columns of the inputs that are non-zero, so
 * the cost scales with the number of spikes, forward and in the weight gradient. The gradient with
 * respect to `x` (a dense product) is only computed when something needs it. Correct for any
 * values, fast for sparse ones; elsewhere it is `linear`.
 *
 * @param x - `[...leading, ...features]`, the features flattening to `in` (e.g. images
 *   `[T, B, 1, 28, 28]` with `leadingDims` 2), without a reshape of the (large) input.
 * @param leadingDims - how many leading axes are kept. Default `x.rank - 1`.
 * @returns `[...leading, out]`
 */
export function spikeLinear(x: tf.Tensor, weight: tf.Tensor, leadingDims = x.rank - 1): tf.Tensor {
  if (!Number.isInteger(leadingDims) || leadingDims < 0 || leadingDims >= x.rank) {
    throw new Error(`spikeLinear: leadingDims must be an integer in [0, ${x.rank - 1}], got ${leadingDims}.`);
  }
  const leading = x.shape.slice(0, leadingDims);
  const features = x.shape.slice(leadingDims).reduce((a, b) => a * b, 1);
  if (weight.rank !== 2 || weight.shape[1] !== features) {
    throw new Error(
      `spikeLinear: weight must be [out, ${features}] for inputs [${x.shape.join(', ')}] (${leadingDims} leading axes), got [${weight.shape.join(', ')}].`,
    );
  }
  const outShape = [...leading, weight.shape[0]!];
  return tidy(() => {
    const xf = asFloat32(x);
    if (!hostKernelsHere()) return tf.reshape(linear(tf.reshape(xf, [-1, features]), weight), outShape);
    const attrs: SparseLinearAttrs = { outShape, xShape: [...x.shape], xDataId: xf.dataId, stash: {} };
    return tf
      .engine()
      .runKernel(
        FUSED_KERNELS.sparseLinear,
        { x: xf, weight },
        attrs as unknown as tf.NamedAttrMap,
      ) as tf.Tensor;
  });
}

/**
 * `x + bias` with `bias [C]` added along the last axis of `x [..., C]` (a layer's bias). On
 * `cpu`/`wasm` its bias gradient is one pass over the rows of `dy` (tfjs-wasm's `Sum` over the
 * leading axes transposes `dy` first); elsewhere it is `tf.add`.
 */
export function addBias(x: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const C = x.shape[x.rank - 1];
  if (bias.rank !== 1 || bias.shape[0] !== C)
    throw new Error(
      `addBias: bias must be [${C}] for x [${x.shape.join(', ')}], got [${bias.shape.join(', ')}].`,
    );
  if (!hostKernelsHere() || x.dtype !== 'float32' || bias.dtype !== 'float32') return tf.add(x, bias);
  return tf.engine().runKernel(FUSED_KERNELS.biasAdd, { x, bias }) as tf.Tensor;
}

/**
 * `k × k` max-pooling with stride `k` of channels-last `x [F, H, W, C]`, its gradient going to the
 * **first** maximum of each window in row-major order, as PyTorch's (and tfjs-cpu's) does: on
 * binary spikes nearly every window has ties, and tfjs-wasm's own gradient picks the last one. One
 * loop on `cpu`/`wasm` that keeps each maximum's position for the gradient and hands its non-zero
 * outputs (pooled spikes) to {@link spikeConv2d} and {@link spikeLinear} as events; elsewhere
 * `firstMaxPool2d` of `@snn/core` (the same rule, from tfjs ops). `MaxPool2d` uses it for its
 * default stride.
 */
export function maxPool2d(x: tf.Tensor4D, k = 2): tf.Tensor4D {
  if (x.rank !== 4) throw new Error(`maxPool2d: x must be [F, H, W, C], got [${x.shape.join(', ')}].`);
  if (!Number.isInteger(k) || k < 1 || k > 15 || x.shape[1] < k || x.shape[2] < k) {
    throw new Error(
      `maxPool2d: window ${k} must be a whole number in [1, 15] that fits [${x.shape.join(', ')}].`,
    );
  }
  if (!hostKernelsHere()) return firstMaxPool2d(x, k);
  return tidy(() => {
    const xf = asFloat32(x) as tf.Tensor4D;
    const attrs: MaxPoolAttrs = { k, xShape: [...x.shape], stash: {} };
    return tf
      .engine()
      .runKernel(FUSED_KERNELS.maxPool, { x: xf }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  });
}

/**
 * A stride-1 'valid' convolution of spike inputs `x [F, H, W, C]` (channels-last) with
 * `w [k, k, C, out]`, event-driven where the fused kernels run (`cpu`, `wasm`): each input spike
 * adds its `k × k` patch of the kernel to the output, so the cost scales with the number of spikes,
 * forward and in the filter gradient; the dense input gradient is computed only when something
 * needs it. Correct for any values, fast for sparse ones; elsewhere it is {@link conv2dValid}.
 */
export function spikeConv2d(x: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor4D {
  if (x.rank !== 4 || w.rank !== 4 || w.shape[0] !== w.shape[1] || w.shape[2] !== x.shape[3]) {
    throw new Error(
      `spikeConv2d: x must be [F, H, W, C] and w [k, k, C, out] with matching C, got [${x.shape.join(', ')}] and [${w.shape.join(', ')}].`,
    );
  }
  if (x.shape[1] < w.shape[0] || x.shape[2] < w.shape[0]) {
    throw new Error(
      `spikeConv2d: a ${w.shape[0]}×${w.shape[0]} kernel does not fit [${x.shape.join(', ')}].`,
    );
  }
  if (!hostKernelsHere()) return conv2dValid(x, w);
  return tidy(() => {
    const xf = asFloat32(x) as tf.Tensor4D;
    const attrs: SpikeConvAttrs = { xShape: [...x.shape], xDataId: xf.dataId, stash: {} };
    return tf
      .engine()
      .runKernel(FUSED_KERNELS.spikeConv2d, { x: xf, w }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  });
}

/**
 * A whole sequence of Norse's recurrent LIF (`lifRecurrentStep` from the zero state, `v = vLeak`)
 * as one kernel with a hand-written BPTT gradient: `currents [T, B, H]` are the input currents
 * `x_t @ Win^T` (compute them for all steps at once, e.g. with {@link spikeLinear}),
 * `recurrentWeights [H, H]`. Returns the spikes `[T, B, H]`.
 *
 * The recurrent input adds the weight rows of the neurons that fired; every other operation is
 * rounded to float32 in the reference's order. Tests check spikes and gradients against the
 * composition of `lifRecurrentStep` on cpu and wasm. Needs {@link canFuseLIFRecurrent}.
 */
export function lifRecurrentSequence(
  currents: tf.Tensor,
  recurrentWeights: tf.Tensor,
  params: LIFParams = DEFAULT_LIF_PARAMS,
  dt = 1e-3,
): tf.Tensor {
  if (currents.rank !== 3)
    throw new Error(`lifRecurrentSequence: currents must be [T, B, H], got [${currents.shape.join(', ')}].`);
  const H = currents.shape[2]!;
  if (recurrentWeights.shape[0] !== H || recurrentWeights.shape[1] !== H) {
    throw new Error(
      `lifRecurrentSequence: recurrentWeights must be [${H}, ${H}], got [${recurrentWeights.shape.join(', ')}].`,
    );
  }
  surrogateOf(params.method);
  if (!canFuseLIFRecurrent(params)) {
    throw new Error(
      `lifRecurrentSequence: cannot run fused on backend '${tf.getBackend()}' with these parameters (see canFuseLIFRecurrent); use lifRecurrentStep.`,
    );
  }
  if (!hostKernelsHere())
    return tidy(() => lifRecurrentSequenceGpu(asFloat32(currents), recurrentWeights, lifAttrs(params, dt)));
  return tidy(
    () =>
      tf.engine().runKernel(FUSED_KERNELS.lifRecurrentSequence, { currents, weights: recurrentWeights }, {
        ...lifAttrs(params, dt),
        stash: {},
      } as unknown as tf.NamedAttrMap) as tf.Tensor,
  );
}

/**
 * Norse's feed-forward LIF (`lifStep`, the `LIFCell`) over a whole sequence from its initial state
 * (`v = vLeak`, `i = 0`): the spikes `[T, ...]` driven by `currents [T, ...]`. One kernel on
 * `cpu`/`wasm` ({@link canFuseLIFRecurrent}: numeric parameters, a built-in surrogate), stepping
 * through the SIMD step with the reference's float32 order and a hand-written BPTT gradient; the
 * composition of `lifStep` elsewhere. Lets feed-forward spiking layers run over the sequence at once
 * (convolutions and products of all `T · B` samples in one call, as the conv net does).
 *
 * @param timeSteps - give it when `currents` is `[T·B, ...]` (time-major) rather than `[T, ...]`,
 *   e.g. the output of a convolution over every frame, so no reshape copies it.
 */
export function lifSequence(
  currents: tf.Tensor,
  params: LIFParams = DEFAULT_LIF_PARAMS,
  dt = 1e-3,
  timeSteps = currents.shape[0]!,
): tf.Tensor {
  if (currents.rank < 2)
    throw new Error(`lifSequence: currents must be time-first [T, ...], got [${currents.shape.join(', ')}].`);
  if (!Number.isInteger(timeSteps) || timeSteps < 1 || currents.shape[0]! % timeSteps !== 0) {
    throw new Error(
      `lifSequence: timeSteps must divide the leading axis ${currents.shape[0]} (time-major T·B), got ${timeSteps}.`,
    );
  }
  if (!canFuseLIF(params)) {
    return tidy(() => {
      const seq = tf.reshape(currents, [timeSteps, -1, ...currents.shape.slice(1)]);
      const x0 = tf.gather(seq, 0);
      const [z, final] = runSequence(
        (x, s: LIFState) => lifStep(x, s, params, dt),
        seq,
        lifInitialState(x0.shape, params),
      );
      disposeState(final);
      return tf.reshape(z, currents.shape);
    });
  }
  return tidy(
    () =>
      tf.engine().runKernel(FUSED_KERNELS.lifSequence, { currents: asFloat32(currents) }, {
        ...lifAttrs(params, dt),
        T: timeSteps,
        stash: {},
      } as unknown as tf.NamedAttrMap) as tf.Tensor,
  );
}

/**
 * A leaky integrator over a whole sequence from its initial state (`v = vLeak`, `i = 0`): the
 * voltages `[T, ...]` of `liStep` driven by `currents [T, ...]`, as Norse's `LICell` produces the
 * tutorial's readout. One kernel on `cpu`/`wasm` ({@link canFuseLI}), the composition elsewhere.
 */
export function liSequence(currents: tf.Tensor, params: LIParams = DEFAULT_LI_PARAMS, dt = 1e-3): tf.Tensor {
  if (currents.rank < 2)
    throw new Error(`liSequence: currents must be time-first [T, ...], got [${currents.shape.join(', ')}].`);
  if (!canFuseLI(params)) {
    return tidy(() => {
      const x0 = tf.gather(currents, 0);
      const [v, final] = runSequence(
        (x, s: ReturnType<typeof liInitialState>) => liStep(x, s, params, dt),
        currents,
        liInitialState(x0.shape, params),
      );
      disposeState(final);
      return v;
    });
  }
  const p = params as Record<'tauSynInv' | 'tauMemInv' | 'vLeak', number>;
  const attrs = {
    A: f32(f32(dt) * f32(p.tauMemInv)),
    S: f32(f32(dt) * f32(p.tauSynInv)),
    vL: f32(p.vLeak),
  };
  if (!hostKernelsHere()) return tidy(() => liSequenceGpu(asFloat32(currents), attrs.A, attrs.S, attrs.vL));
  return tidy(
    () =>
      tf
        .engine()
        .runKernel(
          FUSED_KERNELS.liSequence,
          { currents: asFloat32(currents) },
          attrs as unknown as tf.NamedAttrMap,
        ) as tf.Tensor,
  );
}

/**
 * `seqLength` steps of Norse's LIF current encoder (`lifCurrentEncoderStep` from `v = 0`, the input
 * a constant current) as one kernel with its BPTT gradient, on `cpu`/`wasm`. Inputs with equal
 * values have equal spike trains, so each distinct value is simulated once (an image has at most
 * 256). Spikes are identical to the composition's; the input gradient matches it (reset not
 * detached, as Norse). Needs {@link canFuseLIFEncoder}.
 *
 * @returns spikes `[seqLength, ...x.shape]`
 */
export function lifCurrentEncoderSequence(
  x: tf.Tensor,
  seqLength: number,
  params: LIFParams = DEFAULT_LIF_PARAMS,
  dt = 1e-3,
): tf.Tensor {
  surrogateOf(params.method);
  if (!canFuseLIFEncoder(params)) {
    throw new Error(
      `lifCurrentEncoderSequence: cannot run fused on backend '${tf.getBackend()}' with these parameters (see canFuseLIFEncoder); use lifCurrentEncoderStep.`,
    );
  }
  if (!hostKernelsHere())
    return tidy(() => lifCurrentEncoderSequenceGpu(asFloat32(x), seqLength, lifAttrs(params, dt)));
  return tidy(
    () =>
      tf.engine().runKernel(FUSED_KERNELS.lifCurrentEncoder, { x: asFloat32(x) }, {
        ...lifAttrs(params, dt),
        T: seqLength,
      } as unknown as tf.NamedAttrMap) as tf.Tensor,
  );
}
