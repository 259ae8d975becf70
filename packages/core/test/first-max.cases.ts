/**
 * One body of tests for PyTorch's first-index tie rule (`firstMax`, `firstArgMax`, `firstMaxMask`,
 * `firstMaxPool2d`), run on cpu and wasm in Node (`first-max.test.ts`) and on every backend in
 * Chromium (`browser/first-max.test.ts`). Every input has ties on purpose.
 */
import { assertNoTensorLeak, firstArgMax, firstMax, firstMaxMask, firstMaxPool2d } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

/** Small integers from a fixed LCG: few distinct values, so ties are everywhere. */
function tieHeavy(size: number, levels: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: size }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s >>> 24) % levels;
  });
}

const strides = (shape: readonly number[]) =>
  shape.map((_, k) => shape.slice(k + 1).reduce((a, b) => a * b, 1));

/**
 * The reference, a plain loop: for each slice along `axis`, the first maximal position (NaN beats
 * everything, the first NaN wins), its value, and the gradient `dy` placed there.
 */
function reference(x: Float32Array, shape: readonly number[], axis: number, dy: Float32Array) {
  const n = shape[axis]!;
  const st = strides(shape);
  const outSize = x.length / n;
  const index = new Int32Array(outSize);
  const values = new Float32Array(outSize);
  const grad = new Float32Array(x.length);
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = st[axis]!;
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let best = 0;
      for (let k = 1; k < n; k++) {
        const v = x[base + k * inner]!;
        const b = x[base + best * inner]!;
        if (Number.isNaN(b)) break;
        if (Number.isNaN(v) || v > b) best = k;
      }
      const out = o * inner + i;
      index[out] = best;
      values[out] = x[base + best * inner]!;
      grad[base + best * inner] = dy[out]!;
    }
  return { index, values, grad };
}

/** PyTorch's `max_pool2d` on channels-last `[N, H, W, C]`, with its gradient for upstream `dy`. */
function poolReference(
  x: Float32Array,
  shape: readonly number[],
  k: number,
  stride: number,
  dy: Float32Array,
) {
  const [N, H, W, C] = shape as [number, number, number, number];
  const OH = Math.floor((H - k) / stride) + 1;
  const OW = Math.floor((W - k) / stride) + 1;
  const values = new Float32Array(N * OH * OW * C);
  const grad = new Float32Array(x.length);
  const at = (n: number, h: number, w: number, c: number) => ((n * H + h) * W + w) * C + c;
  for (let n = 0, o = 0; n < N; n++)
    for (let oy = 0; oy < OH; oy++)
      for (let ox = 0; ox < OW; ox++)
        for (let c = 0; c < C; c++, o++) {
          let best = at(n, oy * stride, ox * stride, c);
          for (let p = 1; p < k * k; p++) {
            const j = at(n, oy * stride + Math.floor(p / k), ox * stride + (p % k), c);
            if (x[j]! > x[best]!) best = j;
          }
          values[o] = x[best]!;
          grad[best]! += dy[o]!;
        }
  return { values, grad, shape: [N, OH, OW, C] };
}

async function expectArray(actual: tf.Tensor, expected: ArrayLike<number>, label: string): Promise<void> {
  const a = Array.from(await actual.data());
  const e = Array.from(expected);
  const bad = a.flatMap((v, k) => (Object.is(v, e[k]) || v === e[k] ? [] : [`[${k}] ${v} vs ${e[k]}`]));
  expect(bad.slice(0, 5), `${label}: ${bad.length} of ${a.length} differ`).toEqual([]);
  expect(a.length).toBe(e.length);
}

/** Registers the tests (call inside a `describe` whose backend is active). */
export function firstMaxCases(): void {
  it('firstArgMax: the first of tied maxima, NaN as the maximum, on any dtype', async () => {
    const n = Number.NaN;
    const inf = Number.POSITIVE_INFINITY;
    const x = tf.tensor2d([
      [0, 3, 3, 1],
      [1, 1, 1, 1],
      [1, n, 3, n],
      [-inf, -inf, -inf, -inf],
      [inf, n, inf, 0],
      [2, 5, 0, 5],
    ]);
    await expectArray(firstArgMax(x), [1, 0, 1, 0, 1, 1], 'rows');
    await expectArray(firstArgMax(x, 0), [4, 2, 4, 2], 'columns');
    await expectArray(firstArgMax(tf.tensor2d([[0, 2, 2]], [1, 3], 'int32')), [1], 'int32');
    await expectArray(firstArgMax(tf.tensor1d([false, true, true], 'bool')), [1], 'bool');
    expect(firstArgMax(x).dtype).toBe('int32');
  });

  it('firstArgMax, firstMax and its gradient equal the reference on long tied rows along every axis', async () => {
    // Rows longer than a GPU workgroup (webgpu's argMax reduces in parallel and may pick a later tie).
    const shape = [70, 5, 40];
    const data = tieHeavy(70 * 5 * 40, 3, 11);
    const x = tf.tensor(data, shape);
    for (const axis of [0, 1, 2]) {
      const outShape = shape.filter((_, k) => k !== axis);
      const dy = Float32Array.from({ length: data.length / shape[axis]! }, (_, k) => (k % 7) - 3.5);
      const ref = reference(data, shape, axis, dy);
      await expectArray(firstArgMax(x, axis), ref.index, `argmax axis ${axis}`);
      await expectArray(firstMax(x, axis), ref.values, `max axis ${axis}`);
      const up = tf.tensor(dy, outShape);
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(firstMax(v, axis), up)))(x);
      await expectArray(g, ref.grad, `gradient axis ${axis}`);
      // The mask is the gradient of an all-ones upstream; a negative axis counts from the end.
      const mask = firstMaxMask(x, axis - 3);
      const ones = reference(data, shape, axis, new Float32Array(dy.length).fill(1)).grad;
      await expectArray(tf.cast(mask, 'float32'), ones, `mask axis ${axis}`);
      tf.dispose([up, g, mask]);
    }
    x.dispose();
  });

  it('firstMax over time: a readout at exactly 0 until it rises sends the gradient to step 0 only where 0 is the maximum', async () => {
    // [T, B, C]: output 0 stays 0 then goes negative (max 0 at t=0..2, tied), output 1 rises to a
    // maximum reached twice (t=2 and t=4), output 2 never moves (all 6 steps tie).
    const x = tf.tensor3d([
      [[0, 0, 0]],
      [[0, 0.5, 0]],
      [[0, 2, 0]],
      [[-1, 1, 0]],
      [[-2, 2, 0]],
      [[-3, 1, 0]],
    ]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(firstMax(v, 0)))(x);
    await expectArray(g, [1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 'gradient');
    // tf.max sends it to every tied step: the difference this rule exists for.
    const tfg = tf.grad((v: tf.Tensor) => tf.sum(tf.max(v, 0)))(x);
    expect((await tf.sum(tfg).data())[0]).toBeGreaterThan(3);
    await expectArray(firstMax(x, 0), [0, 2, 0], 'values');
  });

  it('firstMax keeps NaN and infinities as PyTorch does', async () => {
    const n = Number.NaN;
    const inf = Number.POSITIVE_INFINITY;
    const x = tf.tensor2d([
      [1, n, 3, n],
      [-inf, -inf, -inf, -inf],
      [inf, 2, inf, 0],
    ]);
    await expectArray(firstMax(x), [n, -inf, inf], 'values');
    const g = tf.grad((v: tf.Tensor) => tf.sum(firstMax(v)))(x);
    await expectArray(g, [0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0], 'gradient');
  });

  it('firstMaxPool2d equals PyTorch max_pool2d on tied binary spikes, for strides k, 1 and 3', async () => {
    const shape = [2, 7, 9, 3];
    const data = tieHeavy(2 * 7 * 9 * 3, 2, 5);
    const x = tf.tensor4d(data, shape as [number, number, number, number]);
    for (const [k, stride] of [
      [2, 2],
      [3, 3],
      [2, 1],
      [2, 3],
      [3, 2],
    ] as const) {
      const ref = poolReference(data, shape, k, stride, new Float32Array(0));
      const dy = Float32Array.from({ length: ref.values.length }, (_, j) => 1 + (j % 5));
      const full = poolReference(data, shape, k, stride, dy);
      const y = firstMaxPool2d(x, k, stride);
      expect(y.shape).toEqual(full.shape);
      await expectArray(y, full.values, `values k ${k} stride ${stride}`);
      if (stride === k)
        await expectArray(y, await tf.maxPool(x, k, stride, 'valid').data(), 'tf.maxPool values');
      const up = tf.tensor(dy, full.shape);
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(firstMaxPool2d(v as tf.Tensor4D, k, stride), up)))(x);
      await expectArray(g, full.grad, `gradient k ${k} stride ${stride}`);
      tf.dispose([y, up, g]);
    }
    x.dispose();
  });

  it('rejects what it cannot reduce, naming the problem', () => {
    const x = tf.zeros([2, 3]);
    expect(() => firstMax(x, 2)).toThrow(/axis 2 is outside a rank-2 tensor/);
    expect(() => firstArgMax(tf.zeros([2, 0]), 1)).toThrow(/is empty/);
    expect(() => firstMax(tf.zeros([2], 'int32'))).toThrow(/must be float32/);
    expect(() => firstMaxPool2d(tf.zeros([1, 1, 4, 4]) as tf.Tensor4D, 2)).toThrow(/window 2 and stride 2/);
    x.dispose();
  });

  it('leaks no tensor, forward or backward', async () => {
    const x = tf.tensor(tieHeavy(4 * 6 * 6 * 2, 2, 3), [4, 6, 6, 2]) as tf.Tensor4D;
    await assertNoTensorLeak('firstMax and friends', async () => {
      for (let k = 0; k < 3; k++) {
        const g = tf.grad((v: tf.Tensor) =>
          tf.add(tf.sum(firstMax(v, 0)), tf.sum(firstMaxPool2d(v as tf.Tensor4D, 2, 1))),
        )(x);
        const i = firstArgMax(x, 1);
        const m = firstMaxMask(x, 2);
        await g.data();
        tf.dispose([g, i, m]);
      }
    });
    x.dispose();
  });
}
