import { ConstantCurrentLIFEncoder } from '@snn/encoders';
import { describeBackends } from '@snn/test-utils';
import { batchMetrics, convSNN, evaluate, model, recurrentSNN } from '@snn/train';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

/** Digit-like normalised images `[B, 1, 28, 28]` and labels. */
function digits(B: number, seed: number) {
  const u = tf.randomUniform([B, 1, 28, 28], 0, 1, 'float32', seed);
  return {
    images: tf.where(tf.greater(u, 0.7), tf.mul(u, 2.8), tf.fill(u.shape, -0.4242)),
    labels: tf.tensor1d(
      Array.from({ length: B }, (_, k) => (k * 7) % 10),
      'int32',
    ),
  };
}

describeBackends('test metrics in micro-batches', { only: ['cpu', 'wasm'] }, () => {
  it('batchMetrics in slices gives the whole batch’s loss and hits (recurrent and conv nets)', async () => {
    for (const network of [recurrentSNN({ hiddenFeatures: 20, seed: 1 }), convSNN({ seed: 2 })]) {
      const m = model({ encoder: new ConstantCurrentLIFEncoder(10), network });
      const batch = digits(7, 3);
      const whole = await batchMetrics(m, batch);
      const sliced = await batchMetrics(m, batch, { microBatchSize: 3 });
      expect(sliced.correct).toBe(whole.correct);
      expect(Math.abs(sliced.loss - whole.loss)).toBeLessThan(1e-5);
      const before = tf.memory().numTensors;
      await batchMetrics(m, batch, { microBatchSize: 2 });
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([batch.images, batch.labels]);
      m.dispose();
    }
  });

  it('evaluate passes its micro-batches on, and refuses a bad size', async () => {
    const m = model({
      encoder: new ConstantCurrentLIFEncoder(8),
      network: recurrentSNN({ hiddenFeatures: 12 }),
    });
    const loader = {
      length: 2,
      size: 10,
      batchSize: 5,
      *batches() {
        yield { ...digits(5, 4), indices: new Int32Array(5) };
        yield { ...digits(5, 5), indices: new Int32Array(5) };
      },
    };
    const a = await evaluate(m, loader);
    const b = await evaluate(m, loader, { microBatchSize: 2 });
    expect(b.accuracy).toBe(a.accuracy);
    expect(Math.abs(b.loss - a.loss)).toBeLessThan(1e-5);
    await expect(evaluate(m, loader, { microBatchSize: 0 })).rejects.toThrow(
      /size must be a positive whole number/,
    );
    m.dispose();
  });
});
