import { ConstantCurrentLIFEncoder } from '@snn/encoders';
import { describeBackends } from '@snn/test-utils';
import {
  convSNN,
  countSpikes,
  layerEfficiency,
  measureEfficiency,
  model,
  recurrentSNN,
  spikeTargets,
} from '@snn/train';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

describe('efficiency figures (pure)', () => {
  it('per sample: events, rate, events × fan-out, steps × dense MACs', () => {
    const [input, hidden] = layerEfficiency(
      [
        {
          name: 'input',
          neurons: 784,
          steps: 32,
          samples: 4,
          spikes: 1600,
          fanOut: 100,
          macsPerStep: 78_400,
        },
        { name: 'lif0', neurons: 100, steps: 32, samples: 4, spikes: 320, fanOut: 110, macsPerStep: 11_000 },
      ],
      1,
    );
    expect(input).toEqual({
      name: 'input',
      neurons: 784,
      events: 400,
      rateHz: (1000 * 400) / (784 * 32),
      synOps: 40_000,
      denseMacs: 32 * 78_400,
    });
    expect(hidden!.events).toBe(80);
    expect(hidden!.rateHz).toBe(25);
    expect(hidden!.synOps).toBe(8800);
    expect(hidden!.denseMacs).toBe(352_000);
    expect(
      layerEfficiency(
        [{ name: 'x', neurons: 10, steps: 5, samples: 1, spikes: 5, fanOut: 1, macsPerStep: 10 }],
        2,
      )[0]!.rateHz,
    ).toBe(50);
    expect(countSpikes([0, 1, 0.5, 0, -1, 1])).toBe(3);
  });
});

describeBackends('measureEfficiency', { only: ['cpu', 'wasm'] }, () => {
  it('knows where the built-in networks send their spikes', () => {
    expect(spikeTargets(recurrentSNN({ hiddenFeatures: 20 }).config)).toEqual([
      { name: 'input', fanOut: 20, macsPerStep: 784 * 20 },
      { name: 'lif0', fanOut: 30, macsPerStep: 20 * 30 },
    ]);
    const conv = spikeTargets(convSNN().config)!;
    expect(conv.map((t) => t.name)).toEqual(['input', 'lif0', 'lif1', 'lif2']);
    expect(conv[0]!.macsPerStep).toBe(20 * 24 * 24 * 25);
    expect(conv[1]!.macsPerStep).toBe(50 * 8 * 8 * 25 * 20);
    expect(conv[2]!.macsPerStep).toBe(800 * 500);
    expect(spikeTargets({ kind: 'sequential' })).toBeUndefined();
  });
  it('counts the spikes the model records, per sample, and frees every tensor', async () => {
    for (const network of [recurrentSNN({ hiddenFeatures: 20, seed: 1 }), convSNN({ seed: 2 })]) {
      const m = model({ encoder: new ConstantCurrentLIFEncoder(8), network });
      const u = tf.randomUniform([3, 1, 28, 28], 0, 1, 'float32', 4);
      const images = tf.where(tf.greater(u, 0.6), tf.mul(u, 2.8), tf.fill(u.shape, -0.4242));
      const out = m.forward(images);
      const expected = await Promise.all(
        [out.encoded, ...out.spikes].map(async (s) => (await tf.sum(s).data())[0]! / 3),
      );
      for (const t of [out.logProbs, out.readout, out.encoded, ...out.spikes]) t.dispose();
      const before = tf.memory().numTensors;
      const figures = (await measureEfficiency(m, images))!;
      expect(tf.memory().numTensors).toBe(before);
      const targets = spikeTargets(network.config)!;
      expect(figures.map((f) => f.events)).toEqual(expected);
      expect(expected[0]).toBeGreaterThan(0);
      figures.forEach((f, k) => {
        expect(f.synOps).toBe(f.events * targets[k]!.fanOut);
        expect(f.denseMacs).toBe(8 * targets[k]!.macsPerStep);
      });
      expect(figures[0]!.neurons).toBe(784);
      tf.dispose([u, images]);
      m.dispose();
    }
  });
});
