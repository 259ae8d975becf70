// Every reader of model and checkpoint files in @snn/train, fed thousands of random and mutated
// inputs: each ends in a CheckpointError or a valid result; never another error, a hang, a tensor
// left behind, or a model changed by a file that was refused.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBackend } from '@snn/core';
import { ConstantCurrentLIFEncoder } from '@snn/encoders';
import { mutatedBytes, mutatedJson, mutatedJsonText } from '@snn/test-utils/fuzz';
import {
  adam,
  artifactsToFiles,
  CheckpointError,
  loadModelArtifacts,
  modelArtifacts,
  parseModelJson,
  recurrentSNN,
  model as snnModel,
} from '@snn/train';
import { loadCheckpoint, loadModel, saveCheckpoint, saveModel } from '@snn/train/node';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Inputs each property runs (reported by the trainer README). */
const RUNS = { modelJson: 3000, artifacts: 1000, modelDir: 300, checkpoint: 300 };
const async = { timeout: 5000, markInterruptAsFailure: true } as const;

const make = () =>
  snnModel({
    encoder: new ConstantCurrentLIFEncoder(4),
    network: recurrentSNN({ inputFeatures: 16, hiddenFeatures: 6, outputFeatures: 4, seed: 2 }),
  });

let outcomes = { valid: 0, refused: 0 };
const refused = (error: unknown) => {
  expect(error, String((error as Error)?.stack ?? error)).toBeInstanceOf(CheckpointError);
  outcomes.refused++;
};
const expectBoth = () => {
  expect(outcomes.valid, 'some inputs should be valid').toBeGreaterThan(0);
  expect(outcomes.refused, 'some inputs should be refused').toBeGreaterThan(0);
  outcomes = { valid: 0, refused: 0 };
};
const values = (m: ReturnType<typeof make>) => m.trainableVariables.map((v) => Array.from(v.dataSync()));

describe('fuzz: model and checkpoint files', () => {
  let m: ReturnType<typeof make>;
  let files: ReturnType<typeof artifactsToFiles>;
  let artifacts: tf.io.ModelArtifacts;
  const root = mkdtempSync(join(tmpdir(), 'snn-fuzz-train-'));
  beforeAll(async () => {
    await useBackend('cpu');
    m = make();
    artifacts = await modelArtifacts(m);
    files = artifactsToFiles(artifacts);
  });
  afterAll(() => {
    m.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it(`parseModelJson: ${RUNS.modelJson} mutated model.json texts end in CheckpointError or a checked manifest`, () => {
    fc.assert(
      fc.property(mutatedJsonText(JSON.parse(files.modelJson)), (text) => {
        try {
          const parsed = parseModelJson(text);
          for (const p of parsed.groups.flatMap((g) => g.paths))
            expect(p).not.toMatch(/(^|\/)\.\.(\/|$)|^\//);
          expect(parsed.bytes).toBeLessThanOrEqual(2 ** 32);
          outcomes.valid++;
        } catch (error) {
          refused(error);
        }
      }),
      { numRuns: RUNS.modelJson, seed: 16 },
    );
    expectBoth();
  });

  it(`loadModelArtifacts: ${RUNS.artifacts} mutated artifacts load whole or not at all, leaving no tensor`, () => {
    const topology = artifacts.modelTopology;
    const specs = artifacts.weightSpecs;
    const data = new Uint8Array(artifacts.weightData as ArrayBuffer);
    const before = values(m);
    const tensors = tf.memory().numTensors;
    fc.assert(
      fc.property(
        mutatedJson(topology),
        mutatedJson(specs),
        mutatedBytes(fc.constant(data)),
        (top, sp, bytes) => {
          const target = m;
          try {
            loadModelArtifacts(target, {
              modelTopology: top as object,
              weightSpecs: sp as tf.io.WeightsManifestEntry[],
              weightData: bytes.slice().buffer,
            });
            outcomes.valid++;
          } catch (error) {
            refused(error);
            // Refused: nothing was assigned.
            expect(values(target)).toEqual(before);
          }
          // Whatever was loaded, put the original weights back for the next input.
          loadModelArtifacts(target, artifacts);
        },
      ),
      { numRuns: RUNS.artifacts, seed: 16 },
    );
    expect(tf.memory().numTensors).toBe(tensors);
    expectBoth();
  });

  it(`loadModel: ${RUNS.modelDir} folders of mutated model.json and weights.bin end in CheckpointError or a loaded model`, async () => {
    const good = join(root, 'good');
    await saveModel(m, good);
    const json = JSON.parse(readFileSync(join(good, 'model.json'), 'utf8'));
    const weights = new Uint8Array(readFileSync(join(good, 'weights.bin')));
    const tensors = tf.memory().numTensors;
    let k = 0;
    await fc.assert(
      fc.asyncProperty(mutatedJsonText(json), mutatedBytes(fc.constant(weights)), async (text, bytes) => {
        const dir = join(root, `model-${k++}`);
        cpSync(good, dir, { recursive: true });
        writeFileSync(join(dir, 'model.json'), text);
        writeFileSync(join(dir, 'weights.bin'), bytes);
        const target = make();
        try {
          await loadModel(target, dir);
          outcomes.valid++;
        } catch (error) {
          refused(error);
        } finally {
          target.dispose();
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: RUNS.modelDir, seed: 16, ...async },
    );
    expect(tf.memory().numTensors).toBe(tensors);
    expectBoth();
  }, 120_000);

  it(`loadCheckpoint: ${RUNS.checkpoint} checkpoints with mutated latest.json, training.json and optimizer.bin`, async () => {
    const run = join(root, 'run');
    const optimizer = adam(1e-3);
    // One real step, so the optimizer has moments to save.
    optimizer.minimize(() => tf.sum(tf.square(m.trainableVariables[0]!)) as tf.Scalar, false, [
      m.trainableVariables[0] as tf.Variable,
    ]);
    await saveCheckpoint(run, m, optimizer, {
      progress: { epoch: 0, nextBatch: 3, history: [], running: { loss: 1, correct: 2, samples: 3 } },
      config: { options: { lr: 1e-3 } },
    });
    optimizer.dispose();
    const cp = join(run, 'checkpoints', 'epoch-0001-batch-000003');
    const latest = JSON.parse(readFileSync(join(run, 'checkpoints', 'latest.json'), 'utf8'));
    const training = JSON.parse(readFileSync(join(cp, 'training.json'), 'utf8'));
    const opt = new Uint8Array(readFileSync(join(cp, 'optimizer.bin')));
    m.trainableVariables[0]!.assign(tf.zerosLike(m.trainableVariables[0]!));
    loadModelArtifacts(m, artifacts);
    const tensors = tf.memory().numTensors;
    let k = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({ which: fc.constant('latest' as const), text: mutatedJsonText(latest) }),
          fc.record({ which: fc.constant('training' as const), text: mutatedJsonText(training) }),
          fc.record({ which: fc.constant('optimizer' as const), bytes: mutatedBytes(fc.constant(opt)) }),
        ),
        async (damage) => {
          const dir = join(root, `run-${k++}`);
          cpSync(run, dir, { recursive: true });
          const at = join(dir, 'checkpoints', 'epoch-0001-batch-000003');
          if (damage.which === 'latest') writeFileSync(join(dir, 'checkpoints', 'latest.json'), damage.text);
          if (damage.which === 'training') writeFileSync(join(at, 'training.json'), damage.text);
          if (damage.which === 'optimizer') writeFileSync(join(at, 'optimizer.bin'), damage.bytes);
          const target = make();
          const o = adam(1e-3);
          try {
            const meta = await loadCheckpoint(dir, target, o);
            expect(meta.progress.nextBatch).toBeGreaterThanOrEqual(0);
            outcomes.valid++;
          } catch (error) {
            refused(error);
          } finally {
            o.dispose();
            target.dispose();
            rmSync(dir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: RUNS.checkpoint, seed: 16, ...async },
    );
    expect(tf.memory().numTensors).toBe(tensors);
    expectBoth();
  }, 180_000);
});
