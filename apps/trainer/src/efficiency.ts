import { DataLoader, type ImageDataset } from '@snn/datasets';
import { type LayerEfficiency, type Model, measureEfficiency, model } from '@snn/train';
import type * as tf from '@tensorflow/tfjs-core';
import { makeEncoder } from './build.js';
import type { TrainOptions } from './options.js';

/** Test images the efficiency is measured on, per epoch (the first ones, normalised as in training). */
export const EFFICIENCY_SAMPLES = 32;

/** The first {@link EFFICIENCY_SAMPLES} test images as a batch `[B, 1, 28, 28]` (the caller disposes it). */
export function efficiencyBatch(ds: ImageDataset): tf.Tensor {
  const batch = new DataLoader(ds.test, {
    batchSize: Math.min(EFFICIENCY_SAMPLES, ds.test.count),
    shuffle: false,
    normalize: { mean: ds.info.mean, std: ds.info.std },
  })
    .batches(0)
    .next().value!;
  batch.labels.dispose();
  return batch.images;
}

/**
 * Per spiking layer (and the encoded input), spikes, rate, synaptic operations and dense MACs per
 * sample of the run's network on `images`. The input is encoded by a fresh encoder with the run's
 * settings, so a Poisson encoder's generator (saved in checkpoints) is not advanced by measuring.
 */
export async function runEfficiency(
  m: Model,
  o: Pick<TrainOptions, 'encoder' | 'seqLength' | 'seed' | 'fMax'>,
  images: tf.Tensor,
): Promise<LayerEfficiency[] | undefined> {
  return measureEfficiency(
    model({ encoder: makeEncoder(o), network: m.network, decoder: m.decoder }),
    images,
  );
}

/** The epoch row's columns: mean rate of the spiking layers (not the input), and the totals per sample. */
export function efficiencyColumns(layers: readonly LayerEfficiency[] | undefined): Record<string, number> {
  if (!layers) return {};
  const hidden = layers.slice(1);
  const neurons = hidden.reduce((a, l) => a + l.neurons, 0);
  return {
    spikeRateHz: neurons > 0 ? hidden.reduce((a, l) => a + l.rateHz * l.neurons, 0) / neurons : 0,
    synOps: layers.reduce((a, l) => a + l.synOps, 0),
    denseMacs: layers.reduce((a, l) => a + l.denseMacs, 0),
  };
}

/** The summary's efficiency table (Markdown lines). */
export function efficiencyTable(layers: readonly LayerEfficiency[]): string[] {
  const n = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));
  return [
    `## Efficiency (per test sample, on the first ${EFFICIENCY_SAMPLES} test digits)`,
    '',
    'A spike is an event that costs one addition per synapse it reaches (synaptic operations = spikes × fan-out); the same layer run densely multiplies and adds every weight at every step.',
    '',
    '| layer | neurons | spikes / sample | rate (Hz) | synaptic ops | dense MACs | ops saved |',
    '|---|---|---|---|---|---|---|',
    ...layers.map(
      (l) =>
        `| ${l.name} | ${l.neurons} | ${n(l.events)} | ${l.rateHz.toFixed(1)} | ${n(l.synOps)} | ${n(l.denseMacs)} | ${l.denseMacs > 0 ? `${(100 * (1 - l.synOps / l.denseMacs)).toFixed(1)}%` : '–'} |`,
    ),
    '',
  ];
}
