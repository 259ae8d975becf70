import type { ImageSplit } from '@snn/datasets';
import {
  countSpikes,
  type LayerEfficiency,
  layerEfficiency,
  type Model,
  measureEfficiency,
} from '@snn/train';
import * as tf from '@tensorflow/tfjs-core';
import { h } from '../dom.js';

/** Memory of the tutorial's recurrent network: float32 weights, state per sample, spikes as bits. */
export function recurrentMemory(hidden: number, steps: number, inputs = 784, outputs = 10) {
  return {
    /** Bytes of the weights (input, recurrent, readout). */
    weights: 4 * (inputs * hidden + hidden * hidden + hidden * outputs),
    /** Bytes of one sample's state at one step: v, i, z of the hidden layer, v, i of the readout. */
    state: 4 * (3 * hidden + 2 * outputs),
    /** Bytes of one sample's spikes over all steps, one bit each (input and hidden). */
    spikeBits: Math.ceil((steps * (inputs + hidden)) / 8),
  };
}

const MEAN = 0.1307;
const STD = 0.3081;

const fmt = (x: number) =>
  x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(x < 10 ? 1 : 0);

/** A table of the efficiency figures, refreshed with `show` or `measure`. */
export interface EfficiencyMeter {
  readonly element: HTMLElement;
  /** Shows figures computed from spikes the caller recorded (`input [T×784]`, `hidden [T×H]`, one sample). */
  show(input: ArrayLike<number>, hidden: ArrayLike<number>, T: number, H: number): LayerEfficiency[];
  /** Runs `model` on up to 100 digits of `split`, recording spikes, and shows the figures per sample. */
  measure(model: Model, split: ImageSplit): Promise<void>;
}

/**
 * The live efficiency meter: per layer, spikes per sample, rate, synaptic operations (events ×
 * fan-out) against the dense multiply-accumulates of the same layer, and the network's memory.
 */
export function efficiencyMeter(doc: Document, title: string): EfficiencyMeter {
  const body = h(doc, 'tbody');
  const memory = h(doc, 'p', { class: 'note' });
  const table = h(
    doc,
    'table',
    { class: 'meter' },
    h(doc, 'caption', {}, title),
    h(
      doc,
      'thead',
      {},
      h(
        doc,
        'tr',
        {},
        ...[
          'layer',
          'spikes / sample',
          'rate (Hz)',
          'synaptic ops (events × fan-out)',
          'dense MACs',
          'ops saved',
        ].map((c) => h(doc, 'th', { scope: 'col' }, c)),
      ),
    ),
    body,
  );
  const element = h(
    doc,
    'div',
    { class: 'meter-box' },
    table,
    h(
      doc,
      'p',
      { class: 'note' },
      'A spike is an event: it costs one addition per synapse it reaches. A conventional (dense) layer of the same shape multiplies and adds every weight at every step, spike or not.',
    ),
    memory,
  );
  const render = (layers: LayerEfficiency[], T: number, H: number, samples: number) => {
    body.replaceChildren(
      ...layers.map((l) =>
        h(
          doc,
          'tr',
          {},
          h(doc, 'th', { scope: 'row' }, `${l.name} (${l.neurons})`),
          h(doc, 'td', {}, fmt(l.events)),
          h(doc, 'td', {}, l.rateHz.toFixed(1)),
          h(doc, 'td', {}, fmt(l.synOps)),
          h(doc, 'td', {}, fmt(l.denseMacs)),
          h(doc, 'td', {}, l.denseMacs > 0 ? `${(100 * (1 - l.synOps / l.denseMacs)).toFixed(1)}%` : '–'),
        ),
      ),
    );
    const mem = recurrentMemory(H, T);
    memory.textContent = `Memory: weights ${fmt(mem.weights)}B (float32); state ${fmt(mem.state)}B per sample; the spikes of a sample over ${T} steps fit in ${fmt(mem.spikeBits)}B as bits. Measured on ${samples} digit${samples === 1 ? '' : 's'}.`;
    const [input, hidden] = layers;
    element.dataset.inputEvents = String(input?.events ?? 0);
    element.dataset.hiddenEvents = String(hidden?.events ?? 0);
    element.dataset.inputSynOps = String(input?.synOps ?? 0);
    element.dataset.hiddenSynOps = String(hidden?.synOps ?? 0);
    element.dataset.hiddenDenseMacs = String(hidden?.denseMacs ?? 0);
  };
  const figures = (inputSpikes: number, hiddenSpikes: number, T: number, H: number) =>
    layerEfficiency([
      {
        name: 'input encoder',
        neurons: 784,
        steps: T,
        samples: 1,
        spikes: inputSpikes,
        fanOut: H,
        macsPerStep: 784 * H,
      },
      {
        name: 'hidden LIF',
        neurons: H,
        steps: T,
        samples: 1,
        spikes: hiddenSpikes,
        fanOut: H + 10,
        macsPerStep: H * (H + 10),
      },
    ]);
  return {
    element,
    show(input, hidden, T, H) {
      const layers = figures(countSpikes(input), countSpikes(hidden), T, H);
      render(layers, T, H, 1);
      return layers;
    },
    async measure(model, split) {
      const n = Math.min(100, split.count);
      const x = tf.tidy(() =>
        tf.reshape(
          tf.div(
            tf.sub(tf.div(tf.tensor(split.images.subarray(0, n * 784), undefined, 'float32'), 255), MEAN),
            STD,
          ),
          [n, 1, 28, 28],
        ),
      );
      try {
        const layers = await measureEfficiency(model, x);
        if (!layers) return;
        const H = layers[1]?.neurons ?? 0;
        const named = layers.map((l, k) => ({ ...l, name: k === 0 ? 'input encoder' : 'hidden LIF' }));
        render(named, model.encoder.seqLength ?? 32, H, n);
      } finally {
        x.dispose();
      }
    },
  };
}
