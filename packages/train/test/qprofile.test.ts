import { useBackend } from '@snn/core';
import { ConstantCurrentLIFEncoder } from '@snn/encoders';
import { adam, model, recurrentSNN, convSNN, trainStep, LOSSES } from '@snn/train';
import { DataLoader } from '@snn/datasets';
import { loadMnist } from '@snn/datasets/node';
import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';

it('qprofile', { timeout: 600000 }, async () => {
  await useBackend('wasm');
  const ds = await loadMnist({ dir: process.env.SNN_MNIST_DIR! });
  const conv = process.env.QB === 'conv';
  const B = conv ? 16 : 256;
  const loader = new DataLoader(ds.train, { batchSize: B, shuffle: false });
  const m = model({ encoder: new ConstantCurrentLIFEncoder(conv ? 48 : 32), network: conv ? convSNN() : recurrentSNN() });
  const opt = adam(2e-3);
  for (let r = 0; r < 3; r++) await trainStep(m, loader.batches(0).next().value!, opt);
  const b = loader.batches(0).next().value!;
  const labels = tf.cast(b.labels, 'int32');
  const byName = new Map<string, { n: number; ms: number }>();
  let total = 0;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    const prof = await tf.profile(() => {
      const { value, grads } = tf.variableGrads(() => LOSSES.nll(m.forward(b.images, { training: true }), labels), m.trainableVariables as tf.Variable[]);
      tf.dispose([value, ...Object.values(grads)]);
    });
    total += performance.now() - t0;
    for (const k of prof.kernels) {
      const e = byName.get(k.name) ?? { n: 0, ms: 0 };
      e.n++;
      e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      byName.set(k.name, e);
    }
  }
  const rows = [...byName.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25);
  console.log(`total per step ${(total / 5).toFixed(1)} ms`);
  for (const [n, e] of rows) console.log(`${n.padEnd(34)} ${(e.n / 5).toFixed(1).padStart(6)} calls ${(e.ms / 5).toFixed(2).padStart(8)} ms`);
});
