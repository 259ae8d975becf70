import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBackend } from '@snn/core';
import { DataLoader, type ImageSplit } from '@snn/datasets';
import { ConstantCurrentLIFEncoder } from '@snn/encoders';
import {
  adam,
  CheckpointError,
  type EpochLog,
  fit,
  model,
  recurrentSNN,
  type TrainingProgress,
} from '@snn/train';
import { listCheckpoints, loadCheckpoint, saveCheckpoint } from '@snn/train/node';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

/** 4x4 "images" whose class is the brightest quadrant. */
function synthetic(n: number, seed = 1): ImageSplit {
  let s = seed;
  const rnd = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  const images = new Uint8Array(n * 16);
  const labels = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const c = Math.floor(rnd() * 4);
    labels[k] = c;
    for (let p = 0; p < 16; p++) {
      const quadrant = (Math.floor(p / 8) << 1) | (p % 4 >= 2 ? 1 : 0);
      images[k * 16 + p] = Math.floor((quadrant === c ? 200 : 40) + rnd() * 50);
    }
  }
  return { images, labels, count: n, rows: 4, cols: 4 };
}
const tiny = () =>
  model({
    encoder: new ConstantCurrentLIFEncoder(6),
    network: recurrentSNN({ inputFeatures: 16, hiddenFeatures: 10, outputFeatures: 4, seed: 3 }),
  });
const loader = (n = 64) =>
  new DataLoader(synthetic(n), { batchSize: 8, seed: 2, normalize: { mean: 0, std: 0.15 } });
const testLoader = () =>
  new DataLoader(synthetic(32, 9), { batchSize: 16, shuffle: false, normalize: { mean: 0, std: 0.15 } });
const values = async (m: ReturnType<typeof tiny>) =>
  Promise.all(m.trainableVariables.map(async (v) => Array.from(await v.data())));

beforeAll(async () => {
  await useBackend('wasm');
});

describe('fit: what its users need', () => {
  it('checkpointEvery calls checkpoint every N batches of an epoch and at its end', async () => {
    const m = tiny();
    const saved: [number, number][] = [];
    await fit(m, loader(), {
      epochs: 2,
      checkpointEvery: 3,
      checkpoint: async (p) => void saved.push([p.epoch, p.nextBatch]),
    });
    expect(saved).toEqual([
      [0, 3],
      [0, 6],
      [0, 8],
      [1, 3],
      [1, 6],
      [1, 8],
    ]);
    await expect(fit(m, loader(), { checkpointEvery: 0 })).rejects.toThrow(
      /checkpointEvery must be a positive whole number/,
    );
    m.dispose();
  });

  it('onBatchBegin is awaited (a pause); a stop while paused ends before the next batch, with a checkpoint', async () => {
    const m = tiny();
    const ac = new AbortController();
    const seen: string[] = [];
    let resumePaused: (() => void) | undefined;
    const run = fit(m, loader(), {
      epochs: 1,
      signal: ac.signal,
      callbacks: {
        onBatchBegin: ({ batch }) => {
          seen.push(`begin ${batch}`);
          return batch === 2 ? new Promise<void>((r) => (resumePaused = r)) : undefined;
        },
        onBatchEnd: ({ batch }) => void seen.push(`end ${batch}`),
      },
      checkpoint: async (p) => void seen.push(`checkpoint ${p.nextBatch}`),
    });
    while (!resumePaused) await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual(['begin 0', 'end 0', 'begin 1', 'end 1', 'begin 2']);
    ac.abort();
    resumePaused();
    const result = await run;
    expect(result.aborted).toBe(true);
    expect(result.progress.nextBatch).toBe(2);
    expect(seen.slice(5)).toEqual(['checkpoint 2']);
    m.dispose();
  });

  it('an epoch stopped after its last batch finishes on resume: test pass, log, the same weights as never stopping', async () => {
    const straight = tiny();
    const whole = await fit(straight, loader(), { epochs: 2, testLoader: testLoader() });
    const m = tiny();
    const optimizer = adam(2e-3);
    const ac = new AbortController();
    const first = await fit(m, loader(), {
      epochs: 2,
      optimizer,
      testLoader: testLoader(),
      signal: ac.signal,
      callbacks: { onBatchEnd: (l) => void (l.batch === l.batches - 1 && ac.abort()) },
    });
    expect(first.aborted).toBe(true);
    expect(first.progress).toMatchObject({ epoch: 0, nextBatch: 8, history: [] });
    const epochs: EpochLog[] = [];
    const second = await fit(m, loader(), {
      epochs: 2,
      optimizer,
      testLoader: testLoader(),
      resume: first.progress,
      callbacks: { onEpochEnd: (e) => void epochs.push(e) },
    });
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1]);
    expect(second.history.map((h) => h.testAccuracy)).toEqual(whole.history.map((h) => h.testAccuracy));
    expect(second.history[0]!.trainLoss).toBe(whole.history[0]!.trainLoss);
    expect(await values(m)).toEqual(await values(straight));
    tf.dispose([m, straight].flatMap((x) => x.trainableVariables));
  });
});

describe('checkpoints on disk', () => {
  const dirOf = () => mkdtempSync(join(tmpdir(), 'snn-cp-'));
  const meta = (p: TrainingProgress) => ({ progress: p, config: { note: 'test' } });

  it('saving and loading leak no tensors (a checkpoint every batch for two epochs)', async () => {
    const dir = dirOf();
    const m = tiny();
    const counts: number[] = [];
    const optimizer = adam(2e-3);
    await fit(m, loader(), {
      epochs: 2,
      optimizer,
      checkpointEvery: 1,
      checkpoint: (p, opt) =>
        saveCheckpoint(dir, m, opt, meta(p)).then(() => void counts.push(tf.memory().numTensors)),
    });
    expect(counts).toHaveLength(16);
    expect(new Set(counts.slice(1)).size).toBe(1);
    const before = tf.memory().numTensors;
    for (let k = 0; k < 3; k++) {
      const other = adam(2e-3);
      await loadCheckpoint(dir, m, other);
      other.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    m.dispose();
  });

  it('reads only inside the run directory and names the file and field at fault', async () => {
    const dir = dirOf();
    const m = tiny();
    await fit(m, loader(), {
      epochs: 1,
      checkpointEvery: 4,
      checkpoint: (p, opt) => saveCheckpoint(dir, m, opt, meta(p)).then(() => {}),
    });
    expect(await listCheckpoints(dir)).toEqual(['epoch-0001-batch-000008', 'epoch-0001-batch-000004']);
    const latest = join(dir, 'checkpoints', 'latest.json');
    const fails = async (message: RegExp, intact?: string[]) => {
      const e = await loadCheckpoint(dir, tiny(), adam(1e-3)).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(CheckpointError);
      expect((e as Error).message).toMatch(message);
      if (intact) expect((e as CheckpointError).intact).toEqual(intact);
    };
    writeFileSync(latest, JSON.stringify({ checkpoint: '../../x' }));
    await fails(/checkpoints\/latest\.json: "checkpoint" must name a folder/, [
      'epoch-0001-batch-000008',
      'epoch-0001-batch-000004',
    ]);
    writeFileSync(latest, JSON.stringify({ checkpoint: 'epoch-0001-batch-000008' }));
    const training = join(dir, 'checkpoints', 'epoch-0001-batch-000008', 'training.json');
    const t = JSON.parse(readFileSync(training, 'utf8'));
    writeFileSync(training, JSON.stringify({ ...t, progress: { ...t.progress, nextBatch: -1 } }));
    await fails(/training\.json: "progress\.nextBatch" must be a whole number ≥ 0/, [
      'epoch-0001-batch-000004',
    ]);
    writeFileSync(training, JSON.stringify(t));
    // A checkpoint folder that is a link out of the run.
    const outside = mkdtempSync(join(tmpdir(), 'snn-outside-'));
    const cp = join(dir, 'checkpoints', 'epoch-0001-batch-000008');
    cpSync(cp, join(outside, 'cp'), { recursive: true });
    rmSync(cp, { recursive: true });
    symlinkSync(join(outside, 'cp'), cp);
    await fails(/a link that leads outside/);
    m.dispose();
  });
});
