import { describeBackends } from '@snn/test-utils';
import { adam } from '@snn/train';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

/** One Adam step on `w` (ones) for the loss `sum(w * g)`, whose gradient is `g`. */
async function oneStep(optimizer: tf.Optimizer, g: number[]): Promise<Float32Array> {
  const w = tf.variable(tf.ones([g.length]));
  const grad = tf.tensor1d(g);
  optimizer.minimize(() => tf.sum(tf.mul(w, grad)) as tf.Scalar, false, [w]);
  const out = (await w.data()) as Float32Array;
  tf.dispose([w, grad]);
  return out;
}

describeBackends('adam', {}, () => {
  it("takes PyTorch's first step: w - lr * g / (|g| + 1e-8), where tf.train.adam's epsilon is 1e-7", async () => {
    // With m̂ = g and v̂ = g² after one step, a gradient of 1e-6 moves a weight by lr·0.990 with
    // PyTorch's epsilon and by lr·0.909 with tfjs's: the small gradients of rarely spiking units.
    const lr = 0.01;
    const g = [1e-6, -0.5, 3];
    const want = g.map((x) => 1 - (lr * x) / (Math.abs(x) + 1e-8));
    const optimizer = adam(lr);
    const got = await oneStep(optimizer, g);
    for (let k = 0; k < g.length; k++) expect(got[k]).toBeCloseTo(want[k]!, 6);
    const tfDefault = tf.train.adam(lr);
    const other = await oneStep(tfDefault, g);
    expect(1 - other[0]!).toBeCloseTo(lr * (1e-6 / (1e-6 + 1e-7)), 6);
    expect(Math.abs(other[0]! - got[0]!)).toBeGreaterThan(5e-4);
    optimizer.dispose();
    tfDefault.dispose();
  });

  it('takes its betas and epsilon from options, and later steps use bias-corrected moments', async () => {
    const lr = 0.1;
    const [beta1, beta2, epsilon] = [0.5, 0.9, 1e-3];
    const optimizer = adam(lr, { beta1, beta2, epsilon });
    expect(optimizer.getConfig()).toMatchObject({ learningRate: lr, beta1, beta2, epsilon });
    const w = tf.variable(tf.tensor1d([2]));
    let m = 0;
    let v = 0;
    let want = 2;
    for (let step = 1; step <= 3; step++) {
      // loss w², gradient 2w: computed on the host in float64 alongside the optimizer.
      const gradient = 2 * want;
      m = beta1 * m + (1 - beta1) * gradient;
      v = beta2 * v + (1 - beta2) * gradient * gradient;
      const mHat = m / (1 - beta1 ** step);
      const vHat = v / (1 - beta2 ** step);
      want -= (lr * mHat) / (Math.sqrt(vHat) + epsilon);
      optimizer.minimize(() => tf.sum(tf.square(w)) as tf.Scalar, false, [w]);
      expect((await w.data())[0]).toBeCloseTo(want, 5);
    }
    w.dispose();
    optimizer.dispose();
  });

  it('names a learning rate that is not a positive number', () => {
    expect(() => adam(0)).toThrow(/learningRate must be a positive finite number, got 0/);
    expect(() => adam(Number.NaN)).toThrow(/got NaN/);
  });
});
