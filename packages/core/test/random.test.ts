import { Random, seed, useBackend } from '@snn/core';
import { beforeAll, describe, expect, it } from 'vitest';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('Random', () => {
  it('the same seed gives the same stream; another seed another', () => {
    const a = Array.from(new Random(7).uniformArray(8));
    expect(Array.from(new Random(7).uniformArray(8))).toEqual(a);
    expect(Array.from(new Random(8).uniformArray(8))).not.toEqual(a);
    expect(Array.from(seed('mnist').uniformArray(4))).toEqual(Array.from(seed('mnist').uniformArray(4)));
  });

  it("is xoshiro128**: the algorithm's reference outputs from the state 1, 2, 3, 4", () => {
    const r = new Random({ algorithm: 'xoshiro128**', s: [1, 2, 3, 4] });
    const ints = Array.from({ length: 10 }, () => r.nextUint32());
    expect(ints).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804,
    ]);
  });

  it('uniformArray draws what as many next() calls draw, and leaves the same state', () => {
    for (const s of [7, 'poisson', 2 ** 31 + 5]) {
      const bulk = new Random(s);
      const one = new Random(s);
      one.nextNormal(); // a spare normal must not change the uniform stream
      bulk.nextNormal();
      const got = bulk.uniformArray(1001, -2, 3);
      const want = Float32Array.from({ length: 1001 }, () => -2 + 5 * one.next());
      expect(Array.from(got)).toEqual(Array.from(want));
      expect(bulk.state).toEqual(one.state);
      expect(bulk.nextUint32()).toBe(one.nextUint32());
    }
  });

  it('its state restores the stream exactly', () => {
    const r = new Random(1);
    r.uniformArray(5);
    const copy = new Random(r.state);
    expect(Array.from(copy.normalArray(6))).toEqual(Array.from(r.normalArray(6)));
    expect(JSON.parse(JSON.stringify(r.state))).toEqual(r.state);
  });

  it('uniform samples are in [0, 1) with the right mean and variance', () => {
    const xs = new Random(3).uniformArray(200_000);
    let sum = 0;
    let sq = 0;
    for (const x of xs) {
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
      sq += x * x;
    }
    const mean = sum / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.003);
    expect(Math.abs(sq / xs.length - mean * mean - 1 / 12)).toBeLessThan(0.002);
  });

  it('normal samples have mean 0 and std 1', () => {
    const xs = new Random(4).normalArray(200_000);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(Math.sqrt(variance) - 1)).toBeLessThan(0.01);
  });

  it('permutation is a permutation, and nextInt stays in range', () => {
    const p = Array.from(new Random(5).permutation(1000));
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, k) => k));
    expect(p.slice(0, 10)).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const r = new Random(6);
    for (let k = 0; k < 1000; k++) expect(r.nextInt(3)).toBeLessThan(3);
    expect(() => r.nextInt(0)).toThrow(/integer in \[1, 2\^32\]/);
  });

  it('fork gives an independent stream', () => {
    const r = new Random(9);
    const f = r.fork();
    expect(Array.from(f.uniformArray(4))).not.toEqual(Array.from(r.uniformArray(4)));
  });

  it('makes tensors of the requested shape', async () => {
    const t = new Random(2).normal([3, 4], 1, 0.5);
    expect(t.shape).toEqual([3, 4]);
    expect(t.dtype).toBe('float32');
    t.dispose();
  });

  it('rejects bad seeds and states', () => {
    expect(() => new Random(Number.NaN)).toThrow(/finite number/);
    expect(() => new Random({ algorithm: 'mt' as never, s: [1, 2, 3, 4] })).toThrow(/random\.state/);
  });
});
