import type * as tf from '@tensorflow/tfjs-core';
import type { Model } from './model.js';

/**
 * What a spiking layer costs, from its recorded spikes: a spike is an event that reaches only the
 * synapses it fans out to (one synaptic operation, an addition, each), where the same layer run
 * densely multiplies and accumulates every weight at every step, spike or not.
 */
export interface LayerActivity {
  /** The layer's name (`input` for the encoded input). */
  readonly name: string;
  /** Neurons in the layer. */
  readonly neurons: number;
  /** Time steps recorded. */
  readonly steps: number;
  /** Samples recorded (the batch). */
  readonly samples: number;
  /** Spikes counted over all steps and samples. */
  readonly spikes: number;
  /** Synapses one spike of this layer reaches downstream. */
  readonly fanOut: number;
  /** Multiply-accumulates per step and sample of the downstream weights run densely on this layer's output. */
  readonly macsPerStep: number;
}

/** One layer's efficiency figures, per sample. */
export interface LayerEfficiency {
  readonly name: string;
  readonly neurons: number;
  /** Spikes per sample. */
  readonly events: number;
  /** Mean spike rate per neuron (Hz), for steps of `dtMs`. */
  readonly rateHz: number;
  /** Synaptic operations per sample: events × fan-out. */
  readonly synOps: number;
  /** Multiply-accumulates per sample of the same layer run densely: steps × MACs per step. */
  readonly denseMacs: number;
}

/** Counts the spikes (entries > 0) of a recording. */
export function countSpikes(spikes: ArrayLike<number>): number {
  let n = 0;
  for (let k = 0; k < spikes.length; k++) if (spikes[k]! > 0) n++;
  return n;
}

/** The per-sample figures of each layer from its recorded activity (a pure function). */
export function layerEfficiency(layers: readonly LayerActivity[], dtMs = 1): LayerEfficiency[] {
  return layers.map((l) => {
    const events = l.samples > 0 ? l.spikes / l.samples : 0;
    const neuronSteps = l.neurons * l.steps;
    return {
      name: l.name,
      neurons: l.neurons,
      events,
      rateHz: neuronSteps > 0 ? (1000 * events) / (neuronSteps * dtMs) : 0,
      synOps: events * l.fanOut,
      denseMacs: l.steps * l.macsPerStep,
    };
  });
}

/** Where the spikes of one source (the encoded input, then each spiking layer) go. */
export interface SpikeTarget {
  readonly name: string;
  /** Synapses one spike reaches. */
  readonly fanOut: number;
  /** Dense multiply-accumulates per step and sample of the weights it feeds. */
  readonly macsPerStep: number;
}

/**
 * The synapses each spike source of the built-in networks feeds: `[input, ...spiking layers]`, in
 * the order of `ModelOutput.encoded` and `.spikes`; undefined for other networks. For the
 * convolutional network the fan-out of a layer followed by max-pooling counts every spike as if it
 * passed the pool, an upper bound.
 */
export function spikeTargets(config: Readonly<Record<string, unknown>>): SpikeTarget[] | undefined {
  if (config.kind === 'recurrentSNN') {
    const i = config.inputFeatures as number;
    const h = config.hiddenFeatures as number;
    const o = config.outputFeatures as number;
    return [
      { name: 'input', fanOut: h, macsPerStep: i * h },
      { name: 'lif0', fanOut: h + o, macsPerStep: h * (h + o) },
    ];
  }
  if (config.kind === 'convSNN') {
    const c = config.channels as number;
    const f = config.featureSize as number;
    const s1 = (f - 4) / 2;
    const s2 = (s1 - 4) / 2;
    const o = config.outputFeatures as number;
    return [
      { name: 'input', fanOut: 25 * 20, macsPerStep: 20 * (f - 4) ** 2 * 25 * c },
      { name: 'lif0', fanOut: 25 * 50, macsPerStep: 50 * (s1 - 4) ** 2 * 25 * 20 },
      { name: 'lif1', fanOut: 500, macsPerStep: s2 * s2 * 50 * 500 },
      { name: 'lif2', fanOut: o, macsPerStep: 500 * o },
    ];
  }
  return undefined;
}

/**
 * Runs `model` on `images` (`[B, ...]`, as for `model.forward`), counts the spikes of the encoded
 * input and of every spiking layer, and returns each one's figures per sample; undefined for a
 * network {@link spikeTargets} does not know.
 */
export async function measureEfficiency(
  m: Model,
  images: tf.Tensor,
  dtMs = 1,
): Promise<LayerEfficiency[] | undefined> {
  const targets = spikeTargets(m.network.config);
  if (!targets) return undefined;
  const out = m.forward(images);
  try {
    const sources = [out.encoded, ...out.spikes];
    if (sources.length !== targets.length) return undefined;
    const layers: LayerActivity[] = [];
    for (const [k, s] of sources.entries()) {
      const [steps, samples, ...rest] = s.shape as number[];
      layers.push({
        ...targets[k]!,
        neurons: rest.reduce((a, b) => a * b, 1),
        steps: steps!,
        samples: samples!,
        spikes: countSpikes((await s.data()) as Float32Array),
      });
    }
    return layerEfficiency(layers, dtMs);
  } finally {
    for (const t of [out.logProbs, out.readout, out.encoded, ...out.spikes]) t.dispose();
  }
}
