import { disposeState, Random } from '@snn/core';
import * as N from '@snn/neurons';
import { describeBackends, expectClose, expectNoLeak } from '@snn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

describeBackends('cells, sequences and layers', {}, () => {
  it('a cell step from no state equals a step from its initial state', async () => {
    const cell = new N.LIFCell(N.lifParams({ vLeak: 0.1 }));
    const x = tf.fill([2, 3], 50);
    const [z1, s1] = cell.step(x);
    const [z2, s2] = N.lifStep(x, N.lifInitialState([2, 3], cell.params), cell.params);
    await expectClose(z1, z2);
    await expectClose(s1.v, s2.v);
  });

  it('LIFRecurrentCell: Norse initialisation scale, shapes, no autapses, disposal', async () => {
    const cell = new N.LIFRecurrentCell(784, 100, N.lifParams({ vTh: 0.5, alpha: 100 }), { seed: 3 });
    expect(cell.inputWeights.shape).toEqual([100, 784]);
    expect(cell.recurrentWeights.shape).toEqual([100, 100]);
    const w = Array.from(await cell.inputWeights.data());
    const std = Math.sqrt(w.reduce((a, b) => a + b * b, 0) / w.length);
    expect(std).toBeCloseTo(Math.sqrt(2 / 100), 2);
    const [z, s] = cell.step(tf.ones([4, 784]));
    expect(z.shape).toEqual([4, 100]);
    expect(s.v.shape).toEqual([4, 100]);
    expect(() => cell.step(tf.ones([4, 10]))).toThrow(/10 features in its last dimension, expected 784/);
    const before = tf.memory().numTensors;
    cell.dispose();
    expect(tf.memory().numTensors).toBe(before - 3);
    expect(() => cell.step(tf.ones([1, 784]))).toThrow(/was disposed/);
  });

  it('the same seed gives the same weights', async () => {
    const a = new N.LILinearCell(10, 4, undefined, { seed: 9 });
    const b = new N.LILinearCell(10, 4, undefined, { rng: new Random(9) });
    await expectClose(a.weights, b.weights, { atol: 0 });
    const w = Array.from(await a.weights.data());
    const std = Math.sqrt(w.reduce((s, x) => s + x * x, 0) / w.length);
    expect(std).toBeGreaterThan(0.15);
    expect(std).toBeLessThan(0.5);
  });

  it('sequences: LIFRecurrent over [T, B, in], with every state recorded', async () => {
    const net = new N.LIFRecurrent(5, 7, N.lifParams({ vTh: 0.3 }), { seed: 1 });
    const xs = tf.mul(tf.randomUniform([16, 3, 5], 0, 1, 'float32', 1), 40);
    const [z, final, states] = net.call(xs, undefined, { recordStates: true });
    expect(z.shape).toEqual([16, 3, 7]);
    expect(final.v.shape).toEqual([3, 7]);
    expect(states?.v.shape).toEqual([16, 3, 7]);
    expect(states?.i.shape).toEqual([16, 3, 7]);
    // The last recorded state is the final state.
    await expectClose(tf.gather(states!.v, 15), final.v);
    // The recorded spikes are the outputs.
    await expectClose(states!.z, z);
    // Without recording the third entry is undefined, and the same run gives the same result.
    const [z2, , none] = net.call(xs);
    expect(none).toBeUndefined();
    await expectClose(z2, z);
    net.dispose();
  });

  it('lift(step) equals stepping by hand', async () => {
    const xs = tf.mul(tf.randomUniform([10, 2, 3], 0, 1, 'float32', 5), 60);
    const run = N.lift((x, s: N.LIFState) => N.lifStep(x, s));
    const [out] = run(xs, N.lifInitialState([2, 3]));
    let s = N.lifInitialState([2, 3]);
    const manual: tf.Tensor[] = [];
    for (const x of tf.unstack(xs)) {
      const [z, next] = N.lifStep(x, s);
      manual.push(z);
      s = next;
    }
    await expectClose(out, tf.stack(manual));
    expect(() => run(xs, undefined as never)).toThrow(/pass the initial state/);
  });

  it('sequential threads one state per layer: Linear → LIF → Linear → LI (the tutorial shape)', async () => {
    const net = N.sequential(
      new N.Linear(8, 6, { seed: 1 }),
      new N.LIFCell(N.lifParams({ vTh: 0.2 })),
      new N.Linear(6, 3, { bias: false, seed: 2 }),
      new N.LICell(),
    );
    expect(net.trainableVariables.length).toBe(3);
    const xs = tf.mul(tf.randomUniform([12, 2, 8], 0, 1, 'float32', 3), 30);
    const [v, states, recorded] = N.runCell(net, xs, undefined, { recordStates: true });
    expect(v.shape).toEqual([12, 2, 3]);
    expect(states.length).toBe(4);
    expect(states[0]).toBeUndefined();
    expect((states[1] as N.LIFState).v.shape).toEqual([2, 6]);
    expect(((recorded as unknown[])[3] as N.LIState).v.shape).toEqual([12, 2, 3]);
    await expectNoLeak('sequential over time', () => {
      const [out, final] = N.runCell(net, xs, undefined);
      disposeState([out, final]);
    });
    net.dispose();
    expect(() => N.sequential()).toThrow(/at least one/);
    expect(() => N.sequential(3 as never)).toThrow(/item 0 is not a layer/);
  });

  it('Linear follows PyTorch: y = x W^T + b, uniform(±1/sqrt(in)) init, any leading dims', async () => {
    const lin = new N.Linear(4, 2, { seed: 1 });
    const bound = 1 / 2;
    for (const w of await lin.weight.data()) expect(Math.abs(w)).toBeLessThanOrEqual(bound);
    const x = tf.tensor([[1, 2, 3, 4]]);
    const expected = tf.add(tf.matMul(x, tf.transpose(lin.weight)), lin.bias!);
    await expectClose(lin.apply(x), expected, { atol: 1e-5 });
    expect(lin.apply(tf.ones([5, 3, 4])).shape).toEqual([5, 3, 2]);
    expect(() => lin.apply(tf.ones([2, 3]))).toThrow(/input has 3 features/);
  });

  it('Conv2d and pooling on [B, C, H, W] give the tutorial conv net shapes', () => {
    const conv1 = new N.Conv2d(1, 20, 5, { seed: 1 });
    const conv2 = new N.Conv2d(20, 50, 5, { seed: 2 });
    const pool = new N.MaxPool2d(2);
    const x = tf.ones([2, 1, 28, 28]);
    const a = conv1.apply(x);
    expect(a.shape).toEqual([2, 20, 24, 24]);
    const b = pool.apply(a);
    expect(b.shape).toEqual([2, 20, 12, 12]);
    const c = pool.apply(conv2.apply(b));
    expect(c.shape).toEqual([2, 50, 4, 4]);
    expect(new N.Flatten().apply(c).shape).toEqual([2, 800]);
    expect(() => conv1.apply(tf.ones([2, 3, 28, 28]))).toThrow(/input has 3 channels/);
  });

  it('pooling values: max, average and sum over 2×2 windows', async () => {
    const x = tf.tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], [1, 1, 4, 4]);
    await expectClose(new N.MaxPool2d(2).apply(x), [6, 8, 14, 16]);
    await expectClose(new N.AvgPool2d(2).apply(x), [3.5, 5.5, 11.5, 13.5]);
    await expectClose(new N.SumPool2d(2).apply(x), [14, 22, 46, 54]);
  });

  it('channels-first pooling and one-channel convolution equal their channels-last forms (values, input gradients)', async () => {
    // Channels-first pooling runs as F·C one-channel images and a one-channel Conv2d input as a
    // view: the same numbers as the channels-last layers between explicit transposes.
    const toLast = (t: tf.Tensor) => tf.transpose(t, [0, 2, 3, 1]);
    const toFirst = (t: tf.Tensor) => tf.transpose(t, [0, 3, 1, 2]);
    const x = tf.randomUniform([3, 4, 6, 6], -1, 1, 'float32', 71);
    for (const [name, first, last] of [
      ['MaxPool2d', new N.MaxPool2d(2), new N.MaxPool2d(2, { channelsLast: true })],
      ['AvgPool2d', new N.AvgPool2d(3), new N.AvgPool2d(3, { channelsLast: true })],
      ['SumPool2d', new N.SumPool2d(2, 1), new N.SumPool2d(2, { stride: 1, channelsLast: true })],
    ] as const) {
      const weigh = (y: tf.Tensor) => tf.sum(tf.mul(y, tf.reshape(tf.range(1, y.size + 1), y.shape)));
      const f = (t: tf.Tensor) => weigh(first.apply(t));
      const l = (t: tf.Tensor) => weigh(toFirst(last.apply(toLast(t))));
      await expectClose(first.apply(x), toFirst(last.apply(toLast(x))), { label: name });
      await expectClose(tf.grad(f)(x), tf.grad(l)(x), { atol: 1e-5, label: `${name} gradient` });
    }
    const img = tf.randomUniform([2, 3, 1, 9, 9], 0, 1, 'float32', 72);
    const first = new N.Conv2d(1, 4, 3, { seed: 8 });
    const last = new N.Conv2d(1, 4, 3, { seed: 8, channelsLast: true });
    const viaLast = (t: tf.Tensor) =>
      tf.transpose(last.apply(tf.transpose(t, [0, 1, 3, 4, 2])), [0, 1, 4, 2, 3]);
    await expectClose(first.apply(img), viaLast(img), { atol: 1e-5, label: 'Conv2d, one channel' });
    const loss = (g: (t: tf.Tensor) => tf.Tensor) => (t: tf.Tensor) => tf.sum(tf.square(g(t)));
    await expectClose(tf.grad(loss((t) => first.apply(t)))(img), tf.grad(loss(viaLast))(img), {
      atol: 1e-4,
      label: 'Conv2d, one channel, input gradient',
    });
    first.dispose();
    last.dispose();
  });

  it('Conv2d matches a hand-computed convolution (PyTorch cross-correlation)', async () => {
    const conv = new N.Conv2d(1, 1, 2, { bias: false, seed: 1 });
    conv.weight.assign(tf.tensor([1, 2, 3, 4], [2, 2, 1, 1]));
    const x = tf.tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]);
    // top-left: 1*1 + 2*2 + 4*3 + 5*4 = 37
    await expectClose(conv.apply(x), [37, 47, 67, 77]);
  });

  it('Dropout drops in training only, keeping the expectation', async () => {
    const d = new N.Dropout(0.25, { seed: 1 });
    const x = tf.ones([100, 100]);
    await expectClose(d.apply(x), x);
    const y = Array.from(await d.apply(x, { training: true }).data());
    const zeros = y.filter((v) => v === 0).length / y.length;
    expect(zeros).toBeGreaterThan(0.22);
    expect(zeros).toBeLessThan(0.28);
    const mean = y.reduce((a, b) => a + b, 0) / y.length;
    expect(mean).toBeCloseTo(1, 1);
    expect(() => new N.Dropout(1)).toThrow(/p must be in \[0, 1\)/);
  });

  it('parameter helpers fill defaults and reject unknown names', () => {
    expect(N.lifParams({ vTh: 0.5 })).toMatchObject({
      vTh: 0.5,
      tauSynInv: 200,
      tauMemInv: 100,
      method: 'super',
      alpha: 100,
    });
    expect(() => N.lifParams({ vth: 0.5 } as never)).toThrow(/unknown parameter "vth"/);
    expect(() => N.izhikevichParams({ a: 1 } as never)).toThrow(/"b" is required/);
    expect(N.BIO_LIF_PARAMS.vTh).toBe(-55);
    expect(N.DEFAULT_LSNN_PARAMS.tauAdaptInv).toBe(1 / 800);
  });

  it('steps validate dt and weight shapes with a clear message', () => {
    const s = N.lifRecurrentInitialState([1, 2]);
    expect(() => N.lifStep(tf.ones([1, 2]), s, undefined, 0)).toThrow(
      /dt must be a finite number of seconds > 0/,
    );
    expect(() => N.lifRecurrentStep(tf.ones([1, 3]), s, tf.ones([2, 4]), tf.ones([2, 2]))).toThrow(
      /inputWeights must be \[out, in\] with in = 3/,
    );
  });
});
