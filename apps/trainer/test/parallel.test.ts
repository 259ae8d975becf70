import { useBackend } from '@snn/core';
import { batchGradients, batchMetrics } from '@snn/train';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeModel } from '../src/build.js';
import { resolveOptions } from '../src/options.js';
import { autoThreads, DataParallel, splitBatch } from '../src/parallel.js';

// Workers run the built worker and packages, as a user's Node does (not this runner's source condition).
const plainNode = { url: new URL('../dist/worker.js', import.meta.url), execArgv: [] };

describe('splitBatch', () => {
  it('splits into contiguous parts of whole micro-batches, as even as it can', () => {
    expect(splitBatch(256, 2, 16)).toEqual([
      { from: 0, size: 128 },
      { from: 128, size: 128 },
    ]);
    expect(splitBatch(100, 3, 16)).toEqual([
      { from: 0, size: 32 },
      { from: 32, size: 32 },
      { from: 64, size: 36 },
    ]);
    expect(splitBatch(10, 4)).toEqual([
      { from: 0, size: 2 },
      { from: 2, size: 3 },
      { from: 5, size: 2 },
      { from: 7, size: 3 },
    ]);
    // Fewer micro-batches than threads: some threads get nothing.
    expect(splitBatch(20, 4, 16)).toEqual([
      { from: 0, size: 16 },
      { from: 16, size: 4 },
    ]);
  });
});

describe('DataParallel', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });
  const cases = [
    {
      name: 'recurrent net, 3 threads',
      options: { model: 'recurrent', hidden: 24, seqLength: 10 },
      threads: 3,
      batch: 24,
      micro: undefined,
    },
    {
      name: 'conv net, 2 threads, micro-batches of 2',
      options: { model: 'conv', seqLength: 6 },
      threads: 2,
      batch: 6,
      micro: 2,
    },
  ] as const;
  const pools: DataParallel[] = [];
  afterAll(async () => {
    for (const p of pools) await p.close();
  });

  for (const c of cases) {
    it(`${c.name}: the same gradients, loss and hits as one thread`, async () => {
      const o = resolveOptions({ ...c.options, backend: 'wasm', threads: c.threads } as never);
      const m = makeModel(o, 10);
      const pool = await DataParallel.start(o, 10, 'wasm', c.threads, plainNode);
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
      // A test batch split the same way: the same mean loss and hits.
      const single = await batchMetrics(m, { images, labels });
      const shared = await pool.metrics(m, { images, labels }, {});
      expect(shared.correct).toBe(single.correct);
      expect(shared.loss).toBeCloseTo(single.loss, 5);
      // The workers' loops do not grow their tensors either.
      const after = [...pool.workerTensors];
      expect(after).toHaveLength(c.threads - 1);
      for (let k = 0; k < 2; k++) {
        const again = await pool.gradients(m, { images, labels }, options);
        tf.dispose(Object.values(again.grads));
        await pool.metrics(m, { images, labels }, {});
      }
      expect(pool.workerTensors).toEqual(after);
      // Nothing kept on this thread beyond the returned gradients.
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([images, labels]);
      m.dispose();
    }, 120_000);
  }

  it('says what is wrong with a batch, and that a closed pool cannot run', async () => {
    const o = resolveOptions({ model: 'recurrent', hidden: 8, seqLength: 4, backend: 'wasm', threads: 2 });
    const m = makeModel(o, 10);
    const pool = await DataParallel.start(o, 10, 'wasm', 2, plainNode);
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

describe('autoThreads', () => {
  it('shares the conv net on the single-threaded backends only', async () => {
    const { availableParallelism } = await import('node:os');
    const cores = Math.min(availableParallelism(), 8);
    expect(autoThreads('wasm', 'conv')).toBe(cores);
    expect(autoThreads('cpu', 'conv')).toBe(cores);
    expect(autoThreads('wasm', 'recurrent')).toBe(1);
    expect(autoThreads('tensorflow', 'conv')).toBe(1);
  });
});
