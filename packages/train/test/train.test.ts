import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { customSurrogate, useBackend } from '@snn/core';
import { DataLoader, type ImageSplit } from '@snn/datasets';
import { loadMnist } from '@snn/datasets/node';
import { ConstantCurrentLIFEncoder, PoissonEncoder } from '@snn/encoders';
import { LIFExRecurrentCell, LILinearCell, lifExParams, sequential } from '@snn/neurons';
import { describeBackends, expectClose } from '@snn/test-utils';
import {
  adam,
  batchGradients,
  batchMetrics,
  CheckpointError,
  convSNN,
  cosineLR,
  evaluate,
  fit,
  LOSSES,
  loadModelArtifacts,
  model,
  modelArtifacts,
  recordedToArrays,
  recurrentSNN,
  sequentialNetwork,
  stepLR,
  TrainingDivergedError,
  trainStep,
} from '@snn/train';
import { hasCheckpoint, loadCheckpoint, loadModel, saveCheckpoint, saveModel } from '@snn/train/node';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

const mnistDir = process.env.SNN_MNIST_DIR;
if (!mnistDir)
  console.warn(
    'skipping the MNIST training test: set SNN_MNIST_DIR to the folder of the four MNIST .gz files',
  );

/** A small synthetic split: 4x4 "images" whose class is the brightest quadrant. */
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

const tiny = (seed = 0) =>
  model({
    encoder: new ConstantCurrentLIFEncoder(8),
    network: recurrentSNN({ inputFeatures: 16, hiddenFeatures: 12, outputFeatures: 4, seed }),
  });

describe.skipIf(!mnistDir)('the tutorial recurrent model on real MNIST (wasm)', () => {
  it('trained on a fixed 5,000-image slice for 2 epochs reaches >= 80% held-out accuracy, loss falling', async () => {
    await useBackend('wasm');
    const mnist = await loadMnist({ dir: mnistDir! });
    const m = model({ encoder: new ConstantCurrentLIFEncoder(32), network: recurrentSNN({ seed: 0 }) });
    const train = new DataLoader(mnist.train, { batchSize: 128, limit: 5000, seed: 0 });
    const test = new DataLoader(mnist.test, { batchSize: 500, limit: 1000, shuffle: false });
    const losses: number[] = [];
    const { history } = await fit(m, train, {
      epochs: 2,
      testLoader: test,
      callbacks: { onBatchEnd: (l) => void losses.push(l.loss) },
    });
    expect(history).toHaveLength(2);
    expect(history[1]!.testAccuracy!).toBeGreaterThanOrEqual(0.8);
    const first = losses.slice(0, 3).reduce((a, b) => a + b) / 3;
    const last = losses.slice(-3).reduce((a, b) => a + b) / 3;
    expect(last).toBeLessThan(first * 0.6);
    m.dispose();
  }, 600_000);
});

describeBackends('@snn/train', {}, ({ backend }) => {
  it('the model: forward shapes, predict, recorded states as plain arrays, summary', async () => {
    const m = tiny();
    const x = tf.randomUniform([3, 1, 4, 4], 0, 3, 'float32', 1);
    const out = m.forward(x, { record: true });
    expect(out.logProbs.shape).toEqual([3, 4]);
    expect(out.readout.shape).toEqual([8, 3, 4]);
    expect(out.encoded.shape).toEqual([8, 3, 1, 4, 4]);
    const arrays = await recordedToArrays(out.recorded!);
    expect(Object.keys(arrays)).toEqual(['lif0', 'readout']);
    expect((arrays.lif0!.v as number[][][]).length).toBe(8);
    expect((arrays.readout!.v as number[][][])[7]![2]!.length).toBe(4);
    await expectClose(tf.sum(tf.exp(m.predict(x)), 1), [1, 1, 1], { atol: 1e-5 });
    expect(m.summary()).toMatch(/lif0\s+LIFRecurrentCell\s+\[B, 12\]\s+336/);
    expect(m.summary()).toMatch(/total trainable parameters: 384/);
    m.dispose();
  });

  it('convSNN forward/backward on a small batch: shapes, and gradients reach every variable', async () => {
    const net = convSNN({ seed: 1 });
    const m = model({ encoder: new ConstantCurrentLIFEncoder(6), network: net });
    // An untrained net at initialisation barely spikes in 6 steps; strengthen the weights so every
    // layer fires (without hidden spikes the tutorial's relu passes no gradient at all).
    for (const v of m.trainableVariables) v.assign(tf.mul(v, 4));
    const x = tf.randomUniform([2, 1, 28, 28], 0, 20, 'float32', 2);
    const { grads, value } = tf.variableGrads(
      () => LOSSES.nll(m.forward(x), tf.tensor1d([3, 7], 'int32')),
      m.trainableVariables as tf.Variable[],
    );
    expect(Number.isFinite((await value.data())[0]!)).toBe(true);
    expect(Object.keys(grads)).toHaveLength(7);
    for (const v of m.trainableVariables) {
      const g = grads[v.name]!;
      expect(g.shape).toEqual(v.shape);
      expect((await tf.sum(tf.abs(g)).data())[0], `gradient of ${v.name}`).toBeGreaterThan(0);
    }
    expect(m.forward(x).readout.shape).toEqual([6, 2, 10]);
    expect(m.parameterCount()).toBe(20 * 25 + 20 + 50 * 20 * 25 + 50 + 800 * 500 + 500 + 500 * 10);
    m.dispose();
  });

  it('gradients of a small recurrent model match central finite differences (smooth surrogate)', async () => {
    const smooth = customSurrogate({
      name: 'sigmoid',
      defaultAlpha: 3,
      forward: (v, a) => tf.sigmoid(tf.mul(a, v)),
      derivative: (v, a) => {
        const s = tf.sigmoid(tf.mul(a, v));
        return tf.mul(a, tf.mul(s, tf.sub(1, s)));
      },
    });
    const cell = new LIFExRecurrentCell(16, 6, lifExParams({ method: smooth, alpha: 3, vTh: 0.3 }), {
      seed: 2,
      autapses: true,
    });
    const m = model({
      encoder: new ConstantCurrentLIFEncoder(6, undefined),
      network: sequentialNetwork(
        sequential(
          (x: tf.Tensor) => tf.reshape(x, [x.shape[0]!, 16]),
          cell,
          new LILinearCell(6, 4, undefined, { seed: 3 }),
        ),
      ),
    });
    const x = tf.mul(tf.randomUniform([2, 1, 4, 4], 0, 1, 'float32', 4), 60);
    const labels = tf.tensor1d([1, 2], 'int32');
    const lossOf = () => tf.tidy(() => LOSSES.crossEntropy(m.forward(x), labels));
    const vars = m.trainableVariables as tf.Variable[];
    const { grads } = tf.variableGrads(lossOf, vars);
    const h = 1e-2;
    for (const v of vars) {
      const values = (await v.data()).slice();
      const g = await grads[v.name]!.data();
      for (const k of [0, Math.floor(values.length / 2), values.length - 1]) {
        const at = (d: number) => {
          const c = values.slice();
          c[k]! += d;
          v.assign(tf.tensor(c, v.shape));
          return lossOf().dataSync()[0]!;
        };
        const fd = (at(h) - at(-h)) / (2 * h);
        v.assign(tf.tensor(values, v.shape));
        expect(Math.abs(g[k]! - fd), `${v.name}[${k}]: autodiff ${g[k]} vs FD ${fd}`).toBeLessThan(
          3e-2 * Math.abs(fd) + 2e-3,
        );
      }
    }
    m.dispose();
  });

  it('fit learns a synthetic task; evaluate; callbacks carry loss, accuracy, throughput', async () => {
    const m = tiny(1);
    const train = new DataLoader(synthetic(256), {
      batchSize: 32,
      seed: 1,
      normalize: { mean: 0, std: 0.15 },
    });
    const test = new DataLoader(synthetic(128, 7), {
      batchSize: 64,
      shuffle: false,
      normalize: { mean: 0, std: 0.15 },
    });
    const before = await evaluate(m, test);
    const logs: number[] = [];
    const { history } = await fit(m, train, {
      epochs: 3,
      learningRate: 1e-2,
      testLoader: test,
      lrSchedule: stepLR(2, 0.5),
      clipNorm: 5,
      weightDecay: 1e-5,
      rateRegularization: 1e-3,
      callbacks: {
        onBatchEnd: (l) => {
          logs.push(l.loss);
          expect(l.samplesPerSecond).toBeGreaterThan(0);
          expect(l.batches).toBe(8);
        },
      },
    });
    expect(logs).toHaveLength(24);
    expect(history.map((h) => h.learningRate)).toEqual([1e-2, 1e-2, 5e-3]);
    expect(history[2]!.testAccuracy!).toBeGreaterThan(Math.max(0.7, before.accuracy));
    expect(cosineLR(10)(5, 1)).toBeCloseTo(0.5, 10);
    m.dispose();
  });

  it('microBatchSize: slices of a batch add up to the same update, with uneven slices and no leaks', async () => {
    const loader = () =>
      new DataLoader(synthetic(30), { batchSize: 30, shuffle: false, normalize: { mean: 0, std: 0.15 } });
    const weights = async (micro?: number) => {
      const m = tiny(4);
      const optimizer = tf.train.sgd(0.5);
      const before = tf.memory().numTensors;
      const result = await trainStep(m, loader().batches(0).next().value!, optimizer, {
        rateRegularization: 1e-2,
        ...(micro ? { microBatchSize: micro } : {}),
      });
      expect(tf.memory().numTensors).toBe(before);
      const values = await Promise.all(m.trainableVariables.map((v) => v.data()));
      optimizer.dispose();
      m.dispose();
      return { result, values };
    };
    const whole = await weights();
    for (const micro of [7, 10, 30]) {
      const sliced = await weights(micro);
      expect(sliced.result.correct).toBe(whole.result.correct);
      expect(sliced.result.loss).toBeCloseTo(whole.result.loss, 5);
      for (const [k, v] of sliced.values.entries()) await expectClose(v, whole.values[k]!, { atol: 1e-5 });
    }
    await expect(weights(0.5)).rejects.toThrow(/microBatchSize must be a positive whole number/);
  });

  it('fit and evaluate hand every batch to the gradients and metrics they are given (data parallelism)', async () => {
    const data = () =>
      new DataLoader(synthetic(64), { batchSize: 32, shuffle: false, normalize: { mean: 0, std: 0.15 } });
    const run = async (hooked: boolean) => {
      const m = tiny(5);
      const seen = { gradients: 0, metrics: 0, micro: [] as (number | undefined)[] };
      const { history } = await fit(m, data(), {
        epochs: 1,
        learningRate: 1e-2,
        microBatchSize: 16,
        testLoader: data(),
        ...(hooked
          ? {
              // Two halves, each weighted by its share: the whole batch's gradient.
              gradients: async (model, batch, options) => {
                seen.gradients++;
                seen.micro.push(options.microBatchSize);
                const halves = [0, 16].map((from) =>
                  tf.tidy(() => ({
                    images: tf.slice(batch.images, from, 16),
                    labels: tf.slice(batch.labels, from, 16),
                  })),
                );
                const [a, b] = [
                  await batchGradients(model, halves[0]!, { ...options, scale: 0.5 }),
                  await batchGradients(model, halves[1]!, { ...options, scale: 0.5 }),
                ];
                tf.dispose(halves.flatMap((h) => [h.images, h.labels]));
                const grads = tf.tidy(() =>
                  Object.fromEntries(Object.entries(a!.grads).map(([k, g]) => [k, tf.add(g, b!.grads[k]!)])),
                );
                tf.dispose([...Object.values(a!.grads), ...Object.values(b!.grads)]);
                return { grads, loss: a!.loss + b!.loss, correct: a!.correct + b!.correct };
              },
              metrics: async (model, batch, options) => {
                seen.metrics++;
                return batchMetrics(model, batch, options);
              },
            }
          : {}),
      });
      const values = await Promise.all(m.trainableVariables.map((v) => v.data()));
      m.dispose();
      return { history, values, seen };
    };
    const plain = await run(false);
    const hooked = await run(true);
    expect(hooked.seen).toEqual({ gradients: 2, metrics: 2, micro: [16, 16] });
    expect(hooked.history[0]!.testAccuracy).toBe(plain.history[0]!.testAccuracy);
    expect(hooked.history[0]!.trainLoss).toBeCloseTo(plain.history[0]!.trainLoss, 5);
    for (const [k, v] of hooked.values.entries()) await expectClose(v, plain.values[k]!, { atol: 1e-5 });
  });

  it('memory: tf.memory().numTensors is the same after batch 10 and batch 100', async () => {
    const m = tiny(2);
    const train = new DataLoader(synthetic(16 * 100), { batchSize: 16, normalize: { mean: 0, std: 0.15 } });
    const counts: number[] = [];
    await fit(m, train, {
      callbacks: {
        onBatchEnd: (l) => void ((l.batch === 9 || l.batch === 99) && counts.push(tf.memory().numTensors)),
      },
    });
    expect(counts).toHaveLength(2);
    expect(counts[1]).toBe(counts[0]);
    m.dispose();
  }, 120_000);

  it('a NaN loss stops training with the epoch and batch, leaving the weights of the last good batch', async () => {
    const m = tiny(3);
    const train = new DataLoader(synthetic(128), { batchSize: 32, normalize: { mean: 0, std: 0.15 } });
    let calls = 0;
    const poisoned = (out: Parameters<typeof LOSSES.nll>[0], labels: tf.Tensor) => {
      calls++;
      const l = LOSSES.nll(out, labels);
      return calls === 3 ? (tf.mul(l, Number.NaN) as tf.Scalar) : l;
    };
    let snapshot: Float32Array | undefined;
    const error = await fit(m, train, {
      loss: poisoned,
      callbacks: {
        onBatchEnd: async () => {
          snapshot = (await m.trainableVariables[0]!.data()) as Float32Array;
        },
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingDivergedError);
    expect((error as Error).message).toMatch(/the loss is NaN at epoch 1, batch 3/);
    expect(Array.from(await m.trainableVariables[0]!.data())).toEqual(Array.from(snapshot!));
    m.dispose();
  });

  it('an AbortSignal stops cleanly after the current batch and checkpoints', async () => {
    const m = tiny(4);
    const train = new DataLoader(synthetic(128), { batchSize: 32, normalize: { mean: 0, std: 0.15 } });
    const ac = new AbortController();
    let saved: number | undefined;
    const result = await fit(m, train, {
      epochs: 2,
      signal: ac.signal,
      callbacks: { onBatchEnd: (l) => void (l.batch === 1 && ac.abort()) },
      checkpoint: async (p) => {
        saved = p.nextBatch;
      },
    });
    expect(result.aborted).toBe(true);
    expect(result.progress).toMatchObject({ epoch: 0, nextBatch: 2 });
    expect(saved).toBe(2);
    m.dispose();
  });

  it.runIf(backend === 'wasm' || backend === 'cpu')(
    'checkpoints: round trip, resume equivalence, corrupt and wrong-architecture errors',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'snn-ckpt-'));
      const split = synthetic(96);
      const make = () =>
        model({
          encoder: new PoissonEncoder(6, { seed: 5, fMax: 300 }),
          network: recurrentSNN({ inputFeatures: 16, hiddenFeatures: 8, outputFeatures: 4, seed: 9 }),
        });
      const loader = () =>
        new DataLoader(split, { batchSize: 32, seed: 2, normalize: { mean: 0, std: 0.15 } });
      const rngOf = (mm: ReturnType<typeof make>) => (mm.encoder as PoissonEncoder).rng;

      // Two epochs straight.
      const a = make();
      await fit(a, loader(), { epochs: 2, learningRate: 5e-3 });
      const straight = await Promise.all(a.trainableVariables.map((v) => v.data()));

      // One epoch, checkpoint, a fresh process-like model, resume for the second.
      const b = make();
      const optB = adam(5e-3);
      await fit(b, loader(), {
        epochs: 1,
        optimizer: optB,
        checkpoint: (p, opt) =>
          saveCheckpoint(dir, b, opt, {
            progress: p,
            config: { note: 'test' },
            extra: { rng: rngOf(b).state },
          }).then(() => {}),
      });
      expect(hasCheckpoint(dir)).toBe(true);
      const c = make();
      const optC = adam(5e-3);
      const meta = await loadCheckpoint(dir, c, optC);
      expect(meta.config).toEqual({ note: 'test' });
      const restored = new PoissonEncoder(6, {
        rng: new (await import('@snn/core')).Random((meta.extra as { rng: never }).rng),
        fMax: 300,
      });
      const c2 = model({ encoder: restored, network: c.network });
      await fit(c2, loader(), { epochs: 2, optimizer: optC, resume: meta.progress });
      const resumed = await Promise.all(c2.trainableVariables.map((v) => v.data()));
      for (const [k, r] of resumed.entries()) expect(Array.from(r)).toEqual(Array.from(straight[k]!));

      // Model round trip through model.json + weights.bin (tfjs layout).
      await saveModel(a, join(dir, 'model'));
      const json = JSON.parse(readFileSync(join(dir, 'model', 'model.json'), 'utf8'));
      expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
      const d = make();
      await loadModel(d, join(dir, 'model'));
      const x = tf.randomUniform([2, 1, 4, 4], 0, 1, 'float32', 3);
      await expectClose(
        d.network.forward(tf.stack([x, x])).output,
        a.network.forward(tf.stack([x, x])).output,
      );

      // Wrong architecture and corrupt files give clear errors.
      const other = model({
        encoder: new ConstantCurrentLIFEncoder(6),
        network: recurrentSNN({ inputFeatures: 16, hiddenFeatures: 9, outputFeatures: 4 }),
      });
      await expect(loadModel(other, join(dir, 'model'))).rejects.toThrow(
        /wrong architecture: the checkpoint holds .*"hiddenFeatures":8/,
      );
      writeFileSync(join(dir, 'model', 'weights.bin'), new Uint8Array(10));
      await expect(loadModel(d, join(dir, 'model'))).rejects.toThrow(
        /weights\.bin: 10 bytes where \d+ are expected/,
      );
      writeFileSync(join(dir, 'model', 'model.json'), '{"weightsManifest": [');
      await expect(loadModel(d, join(dir, 'model'))).rejects.toThrow(CheckpointError);
      const artifacts = await modelArtifacts(a);
      expect(() => loadModelArtifacts(d, { ...artifacts, modelTopology: {} })).toThrow(
        /not an @snn checkpoint/,
      );
      for (const mm of [a, b, c, d, other]) mm.dispose();
    },
    120_000,
  );
});
