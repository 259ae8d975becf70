/**
 * The tutorial networks' first training steps, pinned: 20 steps of the recurrent net and 10 of the
 * conv net from their seeded initial weights on fixed synthetic digits give the losses and weights
 * recorded in `golden/first-steps.json`. Recorded before `@snn/neurons` was restructured (ops,
 * kernels and models in their own files; the public layers as the fast path), so a restructure that
 * changes what the networks compute fails here.
 *
 * The decoder is the mean over time (no ties to break, so the test pins the networks, not the
 * decoder's tie rule) and the inputs are floats built here (not read through a data loader).
 *
 * Re-record (only when a change of results is intended): `SNN_UPDATE_GOLDEN=1 pnpm -F @snn/train test first-steps`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Random } from '@snn/core';
import { ConstantCurrentLIFEncoder } from '@snn/encoders';
import { describeBackends } from '@snn/test-utils';
import { adam, convSNN, model, type Network, recurrentSNN, trainStep } from '@snn/train';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

const GOLDEN = join(import.meta.dirname, 'golden', 'first-steps.json');
const update = process.env.SNN_UPDATE_GOLDEN === '1';

/** What a run leaves: the loss of every step and a summary of every weight after the last. */
interface Trace {
  readonly losses: number[];
  readonly weights: Record<string, { sum: number; sumSq: number; sample: number[] }>;
}

/** Digit-like inputs: background (the normalised zero) and bright strokes; labels 0-9. */
function batchOf(rng: Random, B: number, S: number, conv: boolean) {
  const n = B * S * S;
  // The conv net's last layer hardly fires on 20% strokes before training: give it more.
  const background = conv ? 0.5 : 0.8;
  const u = rng.uniformArray(2 * n + B);
  const images = new Float32Array(n);
  for (let k = 0; k < n; k++) images[k] = u[k]! < background ? -0.4242 : -0.4242 + 3.2457 * u[n + k]!;
  const labels = Int32Array.from({ length: B }, (_, b) => Math.floor(u[2 * n + b]! * 10));
  return {
    images: tf.tensor(images, conv ? [B, 1, S, S] : [B, S * S]),
    labels: tf.tensor1d(labels, 'int32'),
    indices: Int32Array.from({ length: B }, (_, b) => b),
  };
}

const meanOverTime = (readout: tf.Tensor) => tf.logSoftmax(tf.mean(readout, 0));

async function run(network: Network, T: number, lr: number, steps: number, B: number, conv: boolean) {
  const m = model({ encoder: new ConstantCurrentLIFEncoder(T), network, decoder: meanOverTime });
  const optimizer = adam(lr);
  const rng = new Random(7);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const { loss } = await trainStep(m, batchOf(rng, B, 28, conv), optimizer);
    losses.push(loss);
  }
  const weights: Trace['weights'] = {};
  for (const [name, v] of Object.entries(network.namedVariables())) {
    const data = await v.data();
    let sum = 0;
    let sumSq = 0;
    for (const x of data) {
      sum += x;
      sumSq += x * x;
    }
    const stride = Math.max(1, Math.floor(data.length / 16));
    const sample = Array.from({ length: Math.min(16, data.length) }, (_, k) => data[k * stride]!);
    weights[name] = { sum, sumSq, sample };
  }
  optimizer.dispose();
  m.dispose();
  return { losses, weights } satisfies Trace;
}

const CASES = {
  recurrent: () => run(recurrentSNN({ seed: 3 }), 32, 2e-3, 20, 32, false),
  // tfjs-cpu's dense convolutions (the input gradient) take ~6 s a step here: fewer steps there.
  conv: (backend: string) => run(convSNN({ seed: 3 }), 48, 1e-3, backend === 'cpu' ? 3 : 10, 8, true),
} as const;

const golden: Record<string, Record<string, Trace>> = existsSync(GOLDEN)
  ? JSON.parse(readFileSync(GOLDEN, 'utf8'))
  : {};

describeBackends('the tutorial networks’ first training steps', {}, ({ backend }) => {
  for (const [name, make] of Object.entries(CASES)) {
    it(`${name}: losses and weights as recorded`, { timeout: 300_000 }, async () => {
      const trace = await make(backend);
      if (update) {
        golden[backend] = { ...golden[backend], [name]: trace };
        writeFileSync(GOLDEN, `${JSON.stringify(golden, null, 1)}\n`);
        return;
      }
      const want = golden[backend]?.[name];
      expect(want, `no golden for ${backend}/${name}: record it (see the file's comment)`).toBeDefined();
      // Float32 rounding of a changed summation order moves losses by ~1e-7 and weights by ~1e-6
      // (Adam's epsilon amplifies tiny gradients); a changed computation moves them far more.
      trace.losses.forEach((l, s) => {
        expect(Math.abs(l - want!.losses[s]!), `step ${s + 1} loss`).toBeLessThan(1e-5 * Math.max(1, l));
      });
      for (const [v, w] of Object.entries(want!.weights)) {
        const got = trace.weights[v]!;
        expect(got, v).toBeDefined();
        expect(Math.abs(got.sum - w.sum), `${v} sum`).toBeLessThan(1e-3 + 1e-5 * Math.abs(w.sum));
        expect(Math.abs(got.sumSq - w.sumSq), `${v} sum of squares`).toBeLessThan(1e-4 * w.sumSq + 1e-6);
        got.sample.forEach((x, k) => {
          expect(Math.abs(x - w.sample[k]!), `${v}[${k}]`).toBeLessThan(2e-5);
        });
      }
    });
  }
});
