/**
 * The tutorial networks train on webgpu in Node (Dawn; SwiftShader's Vulkan where the machine has
 * no GPU) exactly as on wasm: the same seeded weights and batches give the same loss at every step,
 * within float32 rounding (the GPU sums in another order). Skipped, with the reason, where Node
 * has no WebGPU adapter.
 */
import { Random } from '@snn/core';
import { ConstantCurrentLIFEncoder } from '@snn/encoders';
import { activateBackend, describeBackends } from '@snn/test-utils';
import { adam, convSNN, model, type Network, recurrentSNN, trainStep } from '@snn/train';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

/**
 * Digit-like inputs: background (the normalised zero) and bright strokes; labels 0-9. The conv net
 * gets denser, brighter strokes: its third spiking layer first fires after ~30 steps of the
 * tutorial's digits, and these runs are short (SwiftShader convolves slowly).
 */
function batchOf(rng: Random, B: number, conv: boolean) {
  const n = B * 28 * 28;
  const [background, stroke] = conv ? [0.3, 30] : [0.8, 3.2457];
  const u = rng.uniformArray(2 * n + B);
  const images = new Float32Array(n);
  for (let k = 0; k < n; k++) images[k] = u[k]! < background ? -0.4242 : -0.4242 + stroke * u[n + k]!;
  const labels = Int32Array.from({ length: B }, (_, b) => Math.floor(u[2 * n + b]! * 10));
  return {
    images: tf.tensor(images, conv ? [B, 1, 28, 28] : [B, 784]),
    labels: tf.tensor1d(labels, 'int32'),
    indices: Int32Array.from({ length: B }, (_, b) => b),
  };
}

/** The loss of each of `steps` training steps from the seeded weights, on the active backend. */
async function losses(
  network: () => Network,
  T: number,
  lr: number,
  steps: number,
  B: number,
  conv: boolean,
) {
  const m = model({ encoder: new ConstantCurrentLIFEncoder(T), network: network() });
  const optimizer = adam(lr);
  const rng = new Random(11);
  const out: number[] = [];
  for (let s = 0; s < steps; s++) out.push((await trainStep(m, batchOf(rng, B, conv), optimizer)).loss);
  optimizer.dispose();
  m.dispose();
  return out;
}

const CASES = {
  // The tutorial's recurrent net (100 hidden) and conv net, at small batches and few steps.
  recurrent: () => losses(() => recurrentSNN({ seed: 3 }), 16, 2e-3, 4, 16, false),
  conv: () => losses(() => convSNN({ seed: 3 }), 16, 1e-3, 2, 2, true),
};

describeBackends('training on webgpu in Node equals wasm, step by step', { only: ['webgpu'] }, () => {
  for (const [name, run] of Object.entries(CASES))
    it(`${name}: the same loss at every step as wasm`, { timeout: 600_000 }, async () => {
      await activateBackend('wasm');
      const want = await run();
      await activateBackend('webgpu');
      const got = await run();
      console.log(
        `[webgpu] ${name} losses ${got.map((l) => l.toFixed(6)).join(' ')} (wasm ${want.map((l) => l.toFixed(6)).join(' ')})`,
      );
      // Losses that move: the runs are not stuck at ln 10 (a readout without spikes).
      expect(new Set(want.map((l) => l.toFixed(4))).size).toBeGreaterThan(1);
      got.forEach((l, s) => {
        expect(Math.abs(l - want[s]!), `step ${s + 1}: webgpu ${l}, wasm ${want[s]}`).toBeLessThan(
          1e-4 * Math.max(1, want[s]!),
        );
      });
    });
});
