import type { ImageSplit } from '@snn/datasets';
import type { Model } from '@snn/train';
import * as tf from '@tensorflow/tfjs-core';
import { h } from '../dom.js';
import { countSpikes, type LayerEfficiency, layerEfficiency, recurrentMemory } from '../efficiency.js';
import { constantCurrentSpikes } from '../encode.js';

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
  const figures = (inputSpikes: number, hiddenSpikes: number, T: number, H: number, samples: number) =>
    layerEfficiency([
      { name: 'input encoder', neurons: 784, steps: T, samples, spikes: inputSpikes, fanOut: H },
      { name: 'hidden LIF', neurons: H, steps: T, samples, spikes: hiddenSpikes, fanOut: H + 10 },
    ]);
  return {
    element,
    show(input, hidden, T, H) {
      const layers = figures(countSpikes(input), countSpikes(hidden), T, H, 1);
      render(layers, T, H, 1);
      return layers;
    },
    async measure(model, split) {
      const n = Math.min(100, split.count);
      const images = Float32Array.from(split.images.subarray(0, n * 784), (v) => v / 255);
      const z = tf.tidy(() => {
        const x = tf.reshape(tf.div(tf.sub(tf.tensor(images), MEAN), STD), [n, 1, 28, 28]);
        return model.forward(x, { record: true }).recorded!.lif0!.z!;
      });
      const [T, , H] = z.shape as [number, number, number];
      const hidden = countSpikes(await z.data());
      z.dispose();
      let input = 0;
      for (let s = 0; s < n; s++) {
        const img = images.subarray(s * 784, (s + 1) * 784);
        input += countSpikes(
          constantCurrentSpikes(
            Float32Array.from(img, (v) => (v - MEAN) / STD),
            T,
          ),
        );
      }
      render(figures(input, hidden, T, H, n), T, H, n);
    },
  };
}
