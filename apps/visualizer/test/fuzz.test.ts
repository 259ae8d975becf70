// The visualizer's model loader (files chosen by a user or fetched from a URL), fed thousands of
// random and mutated model.json + weights.bin: each ends in a CheckpointError or a model, never
// another error, a hang, or a tensor left behind.
import { useBackend } from '@snn/core';
import { mutatedBytes, mutatedJson, mutatedJsonText } from '@snn/test-utils/fuzz';
import { CheckpointError, modelFiles } from '@snn/train';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { browserLoaders } from '../src/backend.js';
import { artifactsFromFiles, artifactsFromUrl, modelFromArtifacts, tutorialModel } from '../src/network.js';

/** Inputs each property runs (reported by the trainer README). */
const RUNS = { artifacts: 1000, files: 500, url: 300 };
const async = { timeout: 5000, markInterruptAsFailure: true } as const;

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

describe('fuzz: the model loader', () => {
  let json: Record<string, unknown>;
  let weights: Uint8Array;
  beforeAll(async () => {
    await useBackend('cpu', { loaders: browserLoaders(undefined), platform: 'browser' });
    // A small tutorial-shaped model (784 → 4 → 10) as snn-train saves it.
    const m = tutorialModel(4, 1, 8);
    const files = await modelFiles(m);
    m.dispose();
    json = JSON.parse(files.modelJson);
    weights = files.weights;
  });

  it(`modelFromArtifacts: ${RUNS.artifacts} mutated artifacts build a model or are refused, leaving no tensor`, () => {
    const tensors = tf.memory().numTensors;
    fc.assert(
      fc.property(
        mutatedJson(json.modelTopology),
        mutatedJson((json.weightsManifest as { weights: unknown }[])[0]!.weights),
        mutatedBytes(fc.constant(weights)),
        (topology, specs, bytes) => {
          try {
            const m = modelFromArtifacts({
              modelTopology: topology as object,
              weightSpecs: specs as tf.io.WeightsManifestEntry[],
              weightData: bytes.slice().buffer,
            });
            m.dispose();
            outcomes.valid++;
          } catch (error) {
            refused(error);
          }
        },
      ),
      { numRuns: RUNS.artifacts, seed: 16 },
    );
    expect(tf.memory().numTensors).toBe(tensors);
    expectBoth();
  });

  it(`artifactsFromFiles: ${RUNS.files} mutated file pairs read as artifacts or are refused`, async () => {
    await fc.assert(
      fc.asyncProperty(mutatedJsonText(json), mutatedBytes(fc.constant(weights)), async (text, bytes) => {
        const files = [
          new File([text], 'model.json', { type: 'application/json' }),
          new File([bytes as Uint8Array<ArrayBuffer>], 'weights.bin'),
        ];
        try {
          const a = await artifactsFromFiles(files);
          const m = modelFromArtifacts(a);
          m.dispose();
          outcomes.valid++;
        } catch (error) {
          refused(error);
        }
      }),
      { numRuns: RUNS.files, seed: 16, ...async },
    );
    expectBoth();
  }, 120_000);

  it(`artifactsFromUrl: ${RUNS.url} mutated responses read as artifacts or are refused`, async () => {
    await fc.assert(
      fc.asyncProperty(
        mutatedJsonText(json),
        mutatedBytes(fc.constant(weights)),
        fc.constantFrom(200, 200, 200, 404, 500),
        async (text, bytes, status) => {
          const fetchFn = (async (url: string) =>
            String(url).endsWith('model.json')
              ? new Response(text, { status: 200 })
              : new Response(bytes as Uint8Array<ArrayBuffer>, { status })) as typeof fetch;
          try {
            const a = await artifactsFromUrl('http://fuzz.invalid/run/model/model.json', fetchFn);
            modelFromArtifacts(a).dispose();
            outcomes.valid++;
          } catch (error) {
            refused(error);
          }
        },
      ),
      { numRuns: RUNS.url, seed: 16, ...async },
    );
    expectBoth();
  }, 120_000);
});
