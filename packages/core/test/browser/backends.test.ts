import { SURROGATE_NAMES, threshold, useBackend } from '@snn/core';
import { BROWSER_BACKENDS, BROWSER_LOADERS } from '@snn/test-utils/browser';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

const loaders = BROWSER_LOADERS;

interface ThresholdGolden {
  x: number[];
  methods: { method: string; alpha: number; forward: number[]; grad: number[] | null }[];
}
const goldenFiles = import.meta.glob<ThresholdGolden>('../../../../../shared/golden/threshold.json', {
  eager: true,
  import: 'default',
});
const golden = Object.values(goldenFiles)[0];

describe('useBackend in headless Chromium', () => {
  it("'auto' picks webgpu first in the browser (WebGPU is enabled) and says which", async () => {
    const choice = await useBackend('auto', { loaders });
    expect(choice.attempts[0]?.name).toBe('webgpu');
    expect(['webgpu', 'webgl']).toContain(choice.name);
  });

  it('refuses the Node-only backends with a reason', async () => {
    const choice = await useBackend(['tensorflow-gpu', 'cpu'], { loaders });
    expect(choice.attempts[0]).toEqual({
      name: 'tensorflow-gpu',
      ok: false,
      reason: 'tensorflow-gpu does not run in a browser.',
    });
  });
});

for (const backend of BROWSER_BACKENDS) {
  describe(`[${backend}]`, () => {
    it(`starts ${backend} and computes (values read with await data())`, async () => {
      const choice = await useBackend(backend, { loaders });
      expect(choice.name).toBe(backend);
      expect(tf.getBackend()).toBe(backend);
      const y = tf.matMul(tf.ones([2, 3]), tf.ones([3, 2]));
      expect(Array.from(await y.data())).toEqual([3, 3, 3, 3]);
    });

    it('the spike op: forward exactly Heaviside, gradients from tf.grad (gradients registered by @snn/core)', async () => {
      await useBackend(backend, { loaders });
      const x = tf.tensor1d([-1, -0.01, 0, 1e-6, 0.5]);
      for (const m of SURROGATE_NAMES)
        expect(Array.from(await threshold(x, m).data())).toEqual([0, 0, 0, 1, 1]);
      const g = tf.grad((v: tf.Tensor) => tf.sum(threshold(v, 'super', 10)))(x);
      const expected = [-1, -0.01, 0, 1e-6, 0.5].map((v) => 1 / (10 * Math.abs(v) + 1) ** 2);
      const got = Array.from(await g.data());
      for (const [k, v] of got.entries()) expect(Math.abs(v - expected[k]!)).toBeLessThan(1e-4);
    });

    it.skipIf(!golden)('matches Norse (threshold.json) for every method', async () => {
      await useBackend(backend, { loaders });
      const x = tf.tensor1d(golden!.x);
      for (const m of golden!.methods) {
        const f = (v: tf.Tensor) => threshold(v, m.method as never, m.alpha);
        expect(Array.from(await f(x).data()), `${m.method} forward`).toEqual(m.forward);
        const g = Array.from(await tf.grad(f)(x).data());
        const want = m.grad ?? m.forward.map(() => 0);
        // GPU shaders: float32 with fast-math transcendental functions; allow a few ulps relative.
        for (const [k, v] of g.entries()) {
          const tol = 2e-3 * Math.abs(want[k]!) + 1e-5;
          expect(Math.abs(v - want[k]!), `${m.method} grad[${k}]`).toBeLessThanOrEqual(tol);
        }
      }
    });
  });
}
