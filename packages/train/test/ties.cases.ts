/**
 * PyTorch's tie rule end to end, with ties put in on purpose: every reduction of the packages that
 * picks one element (decode, maxDecode, predictClasses, accuracy, firstSpikeTime, the crossEntropy
 * loss, max-pooling in `maxPool2d` and `MaxPool2d` at any stride) picks the first. One body, run on
 * cpu and wasm in Node (`ties.test.ts`) and on webgl, webgpu, wasm and cpu in Chromium
 * (`browser/ties.test.ts`).
 */
import { accuracy, decode, firstSpikeTime, maxDecode, predictClasses } from '@snn/decoders';
import { MaxPool2d, maxPool2d } from '@snn/neurons';
import { crossEntropy, type ModelOutput } from '@snn/train';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

/** Binary spikes from a fixed LCG (about half ones: ties in nearly every window). */
function spikes(size: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: size }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 31;
  });
}

/** PyTorch's `max_pool2d` gradient on channels-last `[N, H, W, C]`: each window's first maximum. */
function poolGradient(x: Float32Array, shape: number[], k: number, stride: number, dy: Float32Array) {
  const [N, H, W, C] = shape as [number, number, number, number];
  const OH = Math.floor((H - k) / stride) + 1;
  const OW = Math.floor((W - k) / stride) + 1;
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
          grad[best]! += dy[o]!;
        }
  return grad;
}

async function expectSame(actual: tf.Tensor, expected: ArrayLike<number>, label: string): Promise<void> {
  const a = Array.from(await actual.data());
  const bad = a.flatMap((v, k) => (v === expected[k] ? [] : [`[${k}] ${v} vs ${expected[k]}`]));
  expect(bad.slice(0, 5), `${label}: ${bad.length} of ${a.length} differ`).toEqual([]);
  expect(a.length).toBe(expected.length);
}

/** Registers the tests (call inside a `describe` whose backend is active). */
export function tieCases(): void {
  it('decode, maxDecode and the crossEntropy loss send the gradient to the first maximal step only', async () => {
    // [T=5, B=2, C=3]: a readout exactly 0 until spikes arrive, maxima reached again later.
    const x = tf.tensor3d([
      [
        [0, 0, 0],
        [0, 0, 0],
      ],
      [
        [0, 2, 0],
        [1, 0, -1],
      ],
      [
        [-1, 2, 0],
        [1, 3, -1],
      ],
      [
        [-2, 1, 0],
        [0, 3, 0],
      ],
      [
        [-2, 2, 0],
        [1, 0, 0],
      ],
    ]);
    const first = [0, 1, 0, 1, 2, 0]; // per (b, c): the step of the first maximum
    const mask = Array.from({ length: 30 }, (_, j) => (Math.floor(j / 6) === first[j % 6] ? 1 : 0));
    const gMax = tf.grad((v: tf.Tensor) => tf.sum(maxDecode(v)))(x);
    await expectSame(gMax, mask, 'maxDecode');
    for (const [name, loss] of [
      [
        'decode',
        (v: tf.Tensor) =>
          tf.neg(
            tf.sum(
              tf.mul(
                decode(v),
                tf.tensor2d([
                  [1, 0, 0],
                  [0, 0, 1],
                ]),
              ),
            ),
          ),
      ],
      [
        'crossEntropy',
        (v: tf.Tensor) => crossEntropy({ readout: v } as ModelOutput, tf.tensor1d([0, 2], 'int32')),
      ],
    ] as const) {
      const g = await tf.grad(loss)(x).data();
      const off = Array.from(g).filter((v, j) => mask[j] === 0 && v !== 0);
      expect(off, `${name}: gradient at steps that only tie`).toEqual([]);
      expect(Array.from(g).filter((v, j) => mask[j] === 1 && v !== 0).length, name).toBe(6);
    }
  });

  it('predictClasses, accuracy and firstSpikeTime pick the first of tied elements', async () => {
    // 40 classes all tied except a later pair: longer than a GPU reduction's workgroup share.
    const wide = tf.concat(
      [
        tf.zeros([1, 40]),
        tf.tensor2d([Array.from({ length: 40 }, (_, c) => (c === 17 || c === 33 ? 1 : 0))]),
      ],
      0,
    );
    await expectSame(predictClasses(wide), [0, 17], 'predictClasses');
    expect(await accuracy(wide, [0, 17])).toBe(1);
    expect(await accuracy(wide, [39, 33])).toBe(0);
    const s = tf.tensor3d([[[0, 1]], [[1, 1]], [[1, 0]]]);
    await expectSame(firstSpikeTime(s), [1, 0], 'firstSpikeTime');
  });

  it('maxPool2d and MaxPool2d (strides 2, 1, 3) send each window gradient to its first maximum', async () => {
    const shape = [3, 6, 7, 4];
    const data = spikes(3 * 6 * 7 * 4, 9);
    const x = tf.tensor4d(data, shape as [number, number, number, number]);
    const cases: [string, (v: tf.Tensor4D) => tf.Tensor, number, number][] = [
      ['maxPool2d', (v) => maxPool2d(v, 2), 2, 2],
      ['MaxPool2d(2, 1)', (v) => new MaxPool2d(2, 1).apply(v, { channelsLast: true }), 2, 1],
      ['MaxPool2d(2, 3)', (v) => new MaxPool2d(2, 3).apply(v, { channelsLast: true }), 2, 3],
      ['MaxPool2d(3)', (v) => new MaxPool2d(3).apply(v, { channelsLast: true }), 3, 3],
    ];
    for (const [name, pool, k, stride] of cases) {
      const y = pool(x);
      const dy = Float32Array.from({ length: y.size }, (_, j) => 1 + (j % 3));
      const up = tf.tensor(dy, y.shape);
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(pool(v as tf.Tensor4D), up)))(x);
      await expectSame(g, poolGradient(data, shape, k, stride, dy), name);
      await expectSame(y, await tf.maxPool(x, k, stride, 'valid').data(), `${name} values`);
      tf.dispose([y, up, g]);
    }
    x.dispose();
  });
}
