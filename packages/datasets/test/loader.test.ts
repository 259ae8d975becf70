import type { ImageSplit } from '@snn/datasets';
import { DataLoader, makeBatch } from '@snn/datasets';
import { describeBackends, expectClose, expectNoLeak } from '@snn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

const N = 103;
const split: ImageSplit = {
  count: N,
  rows: 2,
  cols: 2,
  images: Uint8Array.from({ length: N * 4 }, (_, k) => Math.floor(k / 4) % 256),
  labels: Uint8Array.from({ length: N }, (_, k) => k % 10),
};

describeBackends('DataLoader', {}, () => {
  it('batches: [B, 1, rows, cols] float32 normalised, labels [B] int32; options flatten, oneHot, raw', async () => {
    const b = makeBatch(split, [3, 0]);
    expect(b.images.shape).toEqual([2, 1, 2, 2]);
    expect(b.images.dtype).toBe('float32');
    expect(b.labels.dtype).toBe('int32');
    await expectClose(
      b.images,
      [3, 3, 3, 3, 0, 0, 0, 0].map((p) => (p / 255 - 0.1307) / 0.3081),
      { atol: 1e-6 },
    );
    const raw = makeBatch(split, [5], { scale: false, normalize: false, flatten: true, oneHot: true });
    expect(raw.images.shape).toEqual([1, 4]);
    await expectClose(raw.images, [5, 5, 5, 5]);
    await expectClose(raw.labels, [0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
    expect(() => makeBatch(split, [N])).toThrow(/sample index 103 is outside \[0, 103\)/);
  });

  it('every sample once per epoch; epochs differ; the same seed repeats them', async () => {
    const a = new DataLoader(split, { batchSize: 10, seed: 4 });
    expect(a.length).toBe(11);
    const seen = async (loader: DataLoader) => {
      const order: number[] = [];
      for await (const { images, labels, indices } of loader) {
        order.push(...indices);
        tf.dispose([images, labels]);
      }
      return order;
    };
    const e0 = await seen(a);
    const e1 = await seen(a);
    expect([...e0].sort((x, y) => x - y)).toEqual(Array.from({ length: N }, (_, k) => k));
    expect([...e1].sort((x, y) => x - y)).toEqual(Array.from({ length: N }, (_, k) => k));
    expect(e1).not.toEqual(e0);
    const b = new DataLoader(split, { batchSize: 10, seed: 4 });
    expect(await seen(b)).toEqual(e0);
    expect(await seen(new DataLoader(split, { batchSize: 10, seed: 5 }))).not.toEqual(e0);
    expect(await seen(new DataLoader(split, { batchSize: 10, shuffle: false }))).toEqual(
      Array.from({ length: N }, (_, k) => k),
    );
  });

  it('dropLast, limit and bad options', () => {
    expect(new DataLoader(split, { batchSize: 10, dropLast: true }).length).toBe(10);
    expect(new DataLoader(split, { batchSize: 10, limit: 25 }).length).toBe(3);
    expect(() => new DataLoader(split, { batchSize: 0 })).toThrow(/batchSize must be a positive integer/);
  });

  it('epochSize: shorter epochs, a different reproducible subset each, drawing on the whole split', () => {
    const loader = new DataLoader(split, { batchSize: 10, epochSize: 30, seed: 3 });
    expect(loader.size).toBe(30);
    expect(loader.poolSize).toBe(N);
    expect(loader.length).toBe(3);
    const seen = (epoch: number) => {
      const indices = [...loader.batches(epoch)].flatMap((b) => {
        tf.dispose([b.images, b.labels]);
        return [...b.indices];
      });
      return indices;
    };
    const e0 = seen(0);
    expect(e0).toHaveLength(30);
    expect(new Set(e0).size).toBe(30);
    expect(seen(0)).toEqual(e0);
    expect(seen(1)).not.toEqual(e0);
    const union = new Set([0, 1, 2, 3, 4, 5, 6, 7].flatMap(seen));
    expect(union.size).toBeGreaterThan(90);
    expect(new DataLoader(split, { epochSize: 500 }).size).toBe(N);
    expect(() => new DataLoader(split, { epochSize: 0 })).toThrow(/epochSize must be a positive integer/);
  });

  it('iterating a whole epoch while disposing batches leaves tf.memory().numTensors unchanged', async () => {
    const loader = new DataLoader(split, { batchSize: 8, oneHot: true });
    await expectNoLeak('one epoch', async () => {
      for await (const { images, labels } of loader) tf.dispose([images, labels]);
    });
  });
});
