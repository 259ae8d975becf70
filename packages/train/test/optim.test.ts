import { describeBackends } from '@snn/test-utils';
import { Adam, adam } from '@snn/train';
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

  /** Runs `steps` Adam steps on `w` for the loss sum(w² · c) (a fixed gradient field), returns w. */
  const train = (optimizer: tf.Optimizer, w: tf.Variable, steps: number) => {
    const c = tf.tensor1d([0.3, -1.7, 2.5, 1e-4]);
    for (let k = 0; k < steps; k++)
      optimizer.minimize(() => tf.sum(tf.mul(tf.square(w), c)) as tf.Scalar, false, [w]);
    c.dispose();
  };
  const start = () => tf.variable(tf.tensor1d([0.5, -0.25, 1, 3]));

  it('steps bit for bit like tf.train.adam', async () => {
    const [a, b] = [start(), start()];
    const ours = adam(0.01);
    const theirs = tf.train.adam(0.01, 0.9, 0.999, 1e-8);
    train(ours, a, 12);
    train(theirs, b, 12);
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    tf.dispose([a, b]);
    ours.dispose();
    theirs.dispose();
  });

  it("resumes bit-exactly from its saved state, where tf.train.adam's restored powers drift", async () => {
    // Save after 5 steps (beta2^6 as a running float32 product differs from pow(beta2, 6)), resume for 7.
    const straight = async (make: () => tf.Optimizer) => {
      const w = start();
      const o = make();
      train(o, w, 12);
      const out = Array.from(await w.data());
      tf.dispose(w);
      o.dispose();
      return out;
    };
    const resumed = async (make: () => tf.Optimizer) => {
      const w = start();
      const first = make();
      train(first, w, 5);
      const saved = await first.getWeights();
      // Through bytes, as a checkpoint file holds them.
      const { data, specs } = await tf.io.encodeWeights(saved);
      tf.dispose(saved.map((s) => s.tensor).filter((t) => !(t instanceof tf.Variable)));
      first.dispose();
      const second = make();
      const before = tf.memory().numTensors;
      const decoded = tf.io.decodeWeights(data, specs);
      await second.setWeights(specs.map((s) => ({ name: s.name, tensor: decoded[s.name]! })));
      tf.dispose(Object.values(decoded));
      // The restored state owns its two moments and nothing else stays behind.
      expect(tf.memory().numTensors - before).toBe(2);
      train(second, w, 7);
      const out = Array.from(await w.data());
      tf.dispose(w);
      second.dispose();
      return out;
    };
    const ours = () => adam(0.01);
    expect(await resumed(ours)).toEqual(await straight(ours));
    const theirs = () => tf.train.adam(0.01, 0.9, 0.999, 1e-8);
    expect(await resumed(theirs)).not.toEqual(await straight(theirs));
  });

  it("restores tf.train.adam's state (no powers saved) as the running product", async () => {
    const w = start();
    const theirs = tf.train.adam(0.01, 0.9, 0.999, 1e-8);
    train(theirs, w, 5);
    const saved = await theirs.getWeights();
    const ours = new Adam(0.01, 0.9, 0.999, 1e-8);
    await ours.setWeights(saved);
    const [p1, p2] = (await ours.getWeights()).slice(1, 3).map((x) => x.tensor);
    // The running products after 5 steps: beta^6 rounded to float32 at every step.
    let b1 = Math.fround(0.9);
    let b2 = Math.fround(0.999);
    for (let k = 0; k < 5; k++) {
      b1 = Math.fround(b1 * Math.fround(0.9));
      b2 = Math.fround(b2 * Math.fround(0.999));
    }
    expect((await p1!.data())[0]).toBe(b1);
    expect((await p2!.data())[0]).toBe(b2);
    tf.dispose([w, saved[0]!.tensor]);
    theirs.dispose();
    ours.dispose();
  });

  it('names a learning rate that is not a positive number', () => {
    expect(() => adam(0)).toThrow(/learningRate must be a positive finite number, got 0/);
    expect(() => adam(Number.NaN)).toThrow(/got NaN/);
  });
});
