import { useBackend } from '@snn/core';
import { ConstantCurrentLIFEncoder } from '@snn/encoders';
import { batchGradients, batchMetrics, convSNN, model, recurrentSNN, splitBatch } from '@snn/train';
import { DataParallel } from '@snn/train/node';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The workers run the built worker and packages, as a user's Node does (not this runner's source condition).
const factory = new URL('./fixtures/factory.mjs', import.meta.url);
const plain = { execArgv: [] as string[] };

describe('splitBatch: the one way a batch is split', () => {
  it('slices of a size, then contiguous groups of whole slices, as even as it can', () => {
    expect(splitBatch(10, { size: 4 })).toEqual([
      { from: 0, size: 4 },
      { from: 4, size: 4 },
      { from: 8, size: 2 },
    ]);
    expect(splitBatch(7)).toEqual([{ from: 0, size: 7 }]);
    expect(splitBatch(256, { parts: 2, size: 16 })).toEqual([
      { from: 0, size: 128 },
      { from: 128, size: 128 },
    ]);
    expect(splitBatch(100, { parts: 3, size: 16 })).toEqual([
      { from: 0, size: 32 },
      { from: 32, size: 32 },
      { from: 64, size: 36 },
    ]);
    expect(splitBatch(10, { parts: 4, size: 1 })).toEqual([
      { from: 0, size: 2 },
      { from: 2, size: 3 },
      { from: 5, size: 2 },
      { from: 7, size: 3 },
    ]);
    // Fewer slices than parts: some parts get nothing.
    expect(splitBatch(20, { parts: 4, size: 16 })).toEqual([
      { from: 0, size: 16 },
      { from: 16, size: 4 },
    ]);
    expect(() => splitBatch(8, { size: 0 })).toThrow(/size must be a positive whole number/);
    expect(() => splitBatch(8, { parts: 1.5 })).toThrow(/parts must be a positive whole number/);
  });
});

describe('DataParallel (worker threads with a model factory)', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });
  const pools: DataParallel[] = [];
  afterAll(async () => {
    for (const p of pools) await p.close();
  });
  const cases = [
    {
      name: 'recurrent net, 3 threads',
      args: { kind: 'recurrent', hidden: 24, seqLength: 10 },
      threads: 3,
      batch: 24,
      micro: undefined,
    },
    {
      name: 'conv net, 2 threads, micro-batches of 2',
      args: { kind: 'conv', seqLength: 6 },
      threads: 2,
      batch: 6,
      micro: 2,
    },
  ] as const;

  for (const c of cases) {
    it(`${c.name}: the same gradients, loss and hits as one thread; no tensors grow`, async () => {
      const m = model({
        encoder: new ConstantCurrentLIFEncoder(c.args.seqLength),
        network:
          c.args.kind === 'conv'
            ? convSNN({ seed: 0 })
            : recurrentSNN({ inputFeatures: 784, hiddenFeatures: 24, outputFeatures: 10, seed: 0 }),
      });
      const pool = await DataParallel.start({ threads: c.threads, factory, args: c.args, ...plain });
      pools.push(pool);
      expect(pool.threads).toBe(c.threads);
      const images = tf.mul(tf.randomUniform([c.batch, 1, 28, 28], 0, 1, 'float32', 5), 2.5);
      const labels = tf.tensor1d(
        Array.from({ length: c.batch }, (_, k) => (k * 7) % 10),
        'int32',
      );
      const options = c.micro ? { microBatchSize: c.micro } : {};
      const before = tf.memory().numTensors;
      const one = await batchGradients(m, { images, labels }, options);
      const many = await pool.gradients(m, { images, labels }, options);
      expect(many.correct).toBe(one.correct);
      expect(many.loss).toBeCloseTo(one.loss, 5);
      const names = Object.keys(one.grads);
      expect(Object.keys(many.grads).sort()).toEqual([...names].sort());
      for (const name of names) {
        const a = await one.grads[name]!.data();
        const b = await many.grads[name]!.data();
        let scale = 1e-6;
        for (const x of a as Float32Array) scale = Math.max(scale, Math.abs(x));
        let worst = 0;
        for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k]! - b[k]!) / scale);
        expect(worst, name).toBeLessThan(1e-4);
      }
      tf.dispose([...Object.values(one.grads), ...Object.values(many.grads)]);
      const single = await batchMetrics(m, { images, labels });
      const shared = await pool.metrics(m, { images, labels }, {});
      expect(shared.correct).toBe(single.correct);
      expect(shared.loss).toBeCloseTo(single.loss, 5);
      const after = [...pool.workerTensors];
      expect(after).toHaveLength(c.threads - 1);
      for (let k = 0; k < 2; k++) {
        const again = await pool.gradients(m, { images, labels }, options);
        tf.dispose(Object.values(again.grads));
        await pool.metrics(m, { images, labels }, {});
      }
      expect(pool.workerTensors).toEqual(after);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([images, labels]);
      m.dispose();
    }, 120_000);
  }

  it("hands back each worker's state (a Poisson generator) and starts workers from states given in args", async () => {
    const args = { kind: 'recurrent', hidden: 8, seqLength: 4, encoder: 'poisson' };
    const pool = await DataParallel.start({ threads: 3, factory, args, ...plain });
    pools.push(pool);
    const states = (await pool.states()) as { s: number[] }[];
    expect(states).toHaveLength(2);
    expect(states[0]!.s).not.toEqual(states[1]!.s);
    await pool.close();
    const again = await DataParallel.start({
      threads: 2,
      factory,
      args: { ...args, rng: [states[1]] },
      ...plain,
    });
    pools.push(again);
    expect(await again.states()).toEqual([states[1]]);
  }, 60_000);

  it('says what is wrong: a batch, a factory without createModel, a closed pool', async () => {
    const m = model({
      encoder: new ConstantCurrentLIFEncoder(4),
      network: recurrentSNN({ inputFeatures: 784, hiddenFeatures: 8, outputFeatures: 10, seed: 0 }),
    });
    await expect(
      DataParallel.start({
        threads: 2,
        factory: new URL('./fixtures/no-factory.mjs', import.meta.url),
        ...plain,
      }),
    ).rejects.toThrow(/exports no createModel/);
    const pool = await DataParallel.start({
      threads: 2,
      factory,
      args: { kind: 'recurrent', hidden: 8, seqLength: 4 },
      ...plain,
    });
    pools.push(pool);
    const images = tf.zeros([4, 1, 28, 28]);
    const labels = tf.tensor2d([[1], [2], [3], [4]], [4, 1], 'int32');
    await expect(pool.gradients(m, { images, labels }, {})).rejects.toThrow(/labels must be \[B\]/);
    await pool.close();
    const good = tf.tensor1d([1, 2, 3, 4], 'int32');
    await expect(pool.gradients(m, { images, labels: good }, {})).rejects.toThrow(
      /gradient workers were closed/,
    );
    tf.dispose([images, labels, good]);
    m.dispose();
  }, 60_000);
});
