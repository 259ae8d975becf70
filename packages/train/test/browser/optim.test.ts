import { useBackend } from '@snn/core';
import { BROWSER_BACKENDS, BROWSER_LOADERS } from '@snn/test-utils/browser';
import { adam } from '@snn/train';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

for (const backend of BROWSER_BACKENDS) {
  describe(`[${backend}] adam in Chromium`, () => {
    it("keeps PyTorch's epsilon where the backend computes in float32 (webgl's floatPrecision() says 16 there)", async () => {
      await useBackend(backend, { loaders: BROWSER_LOADERS });
      const optimizer = adam(0.01);
      expect(optimizer.getConfig().epsilon).toBe(1e-8);
      // One step on a gradient of 1e-6: PyTorch moves the weight by lr · 1e-6 / (1e-6 + 1e-8).
      const w = tf.variable(tf.ones([1]));
      const g = tf.tensor1d([1e-6]);
      optimizer.minimize(() => tf.sum(tf.mul(w, g)) as tf.Scalar, false, [w]);
      expect(1 - (await w.data())[0]!).toBeCloseTo(0.01 * (1e-6 / (1e-6 + 1e-8)), 6);
      tf.dispose([w, g]);
      optimizer.dispose();
    });
  });
}
