import { type Events, recallEvents } from '../side-channels.js';
import { Arena, putPadded, simdKernels, takePadded } from '../simd/simd.js';

/**
 * The event-driven loops the host kernels share: spikes as lists of events, and products and
 * convolutions that visit only the events. Each runs in WebAssembly SIMD where the engine has it,
 * else in plain JavaScript with the same float32 results.
 */

/** The non-zero entries of `x` as events (in index order, as a scan finds them). */
export function eventsOf(x: Float32Array): Events {
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

/** The events of an input: remembered by the kernel that produced it, else scanned. */
export function eventsOfInput(x: Float32Array, dataId: object): Events {
  return recallEvents(dataId) ?? eventsOf(x);
}

/** `m [R, C]` (row-major) transposed to `[C, R]`. */
export function transposed(m: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c]!;
  return out;
}

/**
 * A product with the events of `x [N, I]` (flat indices, values): `scatter` adds `v · small[i, :]`
 * to `big[n, :]` (the product `x @ small`, `small [I, O]`, `big [N, O]`); `gather` adds
 * `v · big[n, :]` to `small[i, :]` (the weight gradient `x^T @ big`). The cost scales with the
 * number of spikes.
 */
export function eventRows(
  ev: Events,
  N: number,
  I: number,
  O: number,
  small: Float32Array,
  big: Float32Array,
  mode: 'scatter' | 'gather',
): void {
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
export interface ConvDims {
  F: number;
  H: number;
  W: number;
  C: number;
  k: number;
  O: number;
  OH: number;
  OW: number;
}

/** The {@link ConvDims} of `x [F, H, W, C]` and `w [k, k, C, O]`. */
export function convDims(xs: readonly number[], ws: readonly number[]): ConvDims {
  const [F, H, W, C] = xs as [number, number, number, number];
  const [k, , , O] = ws as [number, number, number, number];
  return { F, H, W, C, k, O, OH: H - k + 1, OW: W - k + 1 };
}

/**
 * The convolution, or its filter gradient, from the events of `x`: `scatter` adds
 * `v · w[i, j, c, :]` to `y[f, yy - i, xx - j, :]` for each event at `(f, yy, xx, c)`; `gather`
 * adds `v · dy[f, yy - i, xx - j, :]` to `g[i, j, c, :]`. `big` is `y` or `dy` (`[F, OH, OW, O]`),
 * `small` is `w` or `g` (`[k, k, C, O]`).
 */
export function eventConv(
  ev: Events,
  d: ConvDims,
  small: Float32Array,
  big: Float32Array,
  mode: 'scatter' | 'gather',
): void {
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
