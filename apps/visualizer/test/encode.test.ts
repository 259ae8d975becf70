// The input panel's JavaScript encoders against @snn/encoders on tfjs' cpu backend: equal spikes.
import '@tensorflow/tfjs-backend-cpu';
import { ConstantCurrentLIFEncoder, PoissonEncoder, SpikeLatencyLIFEncoder } from '@snn/encoders';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { constantCurrentSpikes, firstSpikesOnly, poissonSpikes } from '../src/encode.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// A synthetic digit-like image: a ring of intensities in [0, 1].
const image = Float32Array.from({ length: 784 }, (_, p) => {
  const r = Math.hypot((p % 28) - 14, Math.floor(p / 28) - 14);
  return Math.max(0, 1 - Math.abs(r - 7) / 3);
});
const normalized = Float32Array.from(image, (v) => (v - 0.1307) / 0.3081);

describe('JavaScript encoders equal @snn/encoders', () => {
  it('constant current LIF and latency', async () => {
    const T = 32;
    const x = tf.tensor2d(normalized, [1, 784]);
    const cc = await new ConstantCurrentLIFEncoder(T).encode(x).data();
    const lat = await new SpikeLatencyLIFEncoder(T).encode(x).data();
    const js = constantCurrentSpikes(normalized, T);
    expect(Array.from(js)).toEqual(Array.from(cc));
    expect(Array.from(firstSpikesOnly(js, T, 784))).toEqual(Array.from(lat));
    expect(js.reduce((a, b) => a + b, 0)).toBeGreaterThan(100);
    x.dispose();
  });

  it('Poisson with the same seed', async () => {
    const x = tf.tensor2d(image, [1, 784]);
    const ts = await new PoissonEncoder(20, { seed: 1, fMax: 200 }).encode(x).data();
    const js = poissonSpikes(image, 20, 200, 1);
    expect(Array.from(js)).toEqual(Array.from(ts));
    expect(js.reduce((a, b) => a + b, 0)).toBeGreaterThan(50);
    x.dispose();
  });
});
