import type { Model } from '@snn/train';
import * as tf from '@tensorflow/tfjs-core';
import { lineChart } from '../chart.js';
import type { Panel, PanelContext } from '../context.js';
import { h, Listeners } from '../dom.js';
import { constantCurrentSpikes } from '../encode.js';
import { tutorialModel } from '../network.js';
import { digitPicker } from '../picker.js';
import { spikeRaster } from '../raster.js';
import { efficiencyMeter } from './efficiency.js';

const MEAN = 0.1307;
const STD = 0.3081;

/** What one forward pass with recording shows. */
export interface Activity {
  /** Time steps. */
  readonly T: number;
  /** Readout voltages `[T, 10]`. */
  readonly readout: Float32Array;
  /** Hidden voltages `[T, H]`. */
  readonly v: Float32Array;
  /** Hidden synaptic currents `[T, H]`. */
  readonly i: Float32Array;
  /** Hidden spikes `[T, H]`. */
  readonly z: Float32Array;
  /** Hidden neurons H. */
  readonly hidden: number;
  /** The class with the highest log-probability. */
  readonly predicted: number;
  /** Log-probabilities of the ten classes. */
  readonly logProbs: Float32Array;
}

/** Runs the image through a recurrent model, recording the hidden layer and the readout. */
export async function activityOf(m: Model, image: Float32Array): Promise<Activity> {
  const out = tf.tidy(() => {
    const x = tf.reshape(tf.div(tf.sub(tf.tensor(image), MEAN), STD), [1, 1, 28, 28]);
    const o = m.forward(x, { record: true });
    return [
      o.recorded!.readout!.v!,
      o.recorded!.lif0!.v!,
      o.recorded!.lif0!.i!,
      o.recorded!.lif0!.z!,
      o.logProbs,
    ];
  });
  const [readout, v, i, z, lp] = await Promise.all(out.map((t) => t.data() as Promise<Float32Array>));
  const T = out[0]!.shape[0]!;
  const hidden = out[1]!.shape[2]!;
  tf.dispose(out);
  let predicted = 0;
  for (let k = 1; k < 10; k++) if (lp![k]! > lp![predicted]!) predicted = k;
  return { T, readout: readout!, v: v!, i: i!, z: z!, hidden, predicted, logProbs: lp! };
}

/** Column `k` of a row-major `[T, n]` array. */
export const column = (a: Float32Array, T: number, n: number, k: number) =>
  Float32Array.from({ length: T }, (_, t) => a[t * n + k]!);

/** The `k` neurons of `[T, H]` spikes that spike most (ties: lower index first), in index order. */
export function mostActive(z: Float32Array, T: number, H: number, k = 10): number[] {
  const counts = new Array<number>(H).fill(0);
  for (let t = 0; t < T; t++) for (let n = 0; n < H; n++) if (z[t * H + n]! > 0) counts[n]!++;
  return [...counts.keys()]
    .sort((a, b) => counts[b]! - counts[a]! || a - b)
    .slice(0, Math.min(k, H))
    .sort((a, b) => a - b);
}

/** Probability bars of the ten classes: the winner highlighted and labelled, the true label marked. */
export function probabilityBars(doc: Document): {
  element: HTMLElement;
  show(logProbs: Float32Array, predicted: number, label: number | undefined): void;
} {
  const rows = Array.from({ length: 10 }, (_, k) => {
    const bar = h(doc, 'span', { class: 'bar' });
    const value = h(doc, 'span', { class: 'value' });
    const row = h(
      doc,
      'li',
      { class: 'prob' },
      h(doc, 'span', { class: 'digit-name' }, String(k)),
      h(doc, 'span', { class: 'track' }, bar),
      value,
    );
    return { row, bar, value };
  });
  const element = h(
    doc,
    'ol',
    { class: 'probs', start: 0, 'aria-label': 'probability of each digit' },
    ...rows.map((r) => r.row),
  );
  return {
    element,
    show(logProbs, predicted, label) {
      rows.forEach((r, k) => {
        const p = Math.exp(logProbs[k]!);
        r.bar.style.width = `${(100 * p).toFixed(1)}%`;
        const tags = [k === predicted ? 'predicted' : '', k === label ? 'true label' : '']
          .filter(Boolean)
          .join(', ');
        r.value.textContent = `${(100 * p).toFixed(1)}%${tags ? ` ← ${tags}` : ''}`;
        r.row.classList.toggle('winner', k === predicted);
        r.row.classList.toggle('truth', k === label);
      });
    },
  };
}

/**
 * Panel 3, network activity (tutorial §3.2, §3.4's last figures): for the shared input digit
 * (with a keyboard-usable picker), the ten class probabilities with the winner highlighted, the
 * readout voltages over time, the v and i of the ten most active hidden neurons (named), the hidden
 * raster with axes, and the efficiency meter computed from the recorded spikes.
 */
export function mountNetworkActivity(root: HTMLElement, ctx: PanelContext): Panel {
  const doc = ctx.doc;
  const listeners = new Listeners();
  const element = h(
    doc,
    'section',
    { class: 'panel', 'aria-label': 'Network activity' },
    h(doc, 'h2', {}, 'Network activity'),
    h(
      doc,
      'p',
      { class: 'explain' },
      'The encoded digit drives 100 hidden LIF neurons, which also feed back into each other; ten leaky readout neurons integrate the hidden spikes without spiking themselves. The class whose readout voltage peaks highest wins; a softmax of those peaks gives the probabilities.',
    ),
    h(
      doc,
      'p',
      { class: 'equation' },
      'i_h ← i_h + W_in·x_t + W_rec·z_(t−1);  hidden LIF → z_t;  v_out ← v_out + dt/τ_mem·(−v_out + i_out), i_out ← i_out + W_out·z_t;  p = softmax(max_t v_out)',
    ),
  );
  root.append(element);
  const picker = digitPicker(ctx, listeners);
  const which = h(doc, 'p', { class: 'status' });
  const bars = probabilityBars(doc);
  const prediction = h(doc, 'p', { class: 'prediction', 'aria-live': 'polite' });
  element.append(picker.element, which, h(doc, 'div', { class: 'split' }, bars.element, prediction));
  const charts = h(doc, 'div', { class: 'charts' });
  element.append(charts);
  const readout = lineChart(charts, {
    title: 'Readout voltages of the ten classes',
    xLabel: 'time (ms)',
    yLabel: 'readout v',
    series: Array.from({ length: 10 }, (_, k) => ({ name: `${k}` })),
    directLabels: true,
  });
  let shown: number[] = Array.from({ length: 10 }, (_, k) => k);
  const hiddenCharts = h(doc, 'div', { class: 'charts' });
  charts.after(hiddenCharts);
  let hv: ReturnType<typeof lineChart> | undefined;
  let hi: ReturnType<typeof lineChart> | undefined;
  const makeHidden = (H: number) => {
    hv?.destroy();
    hi?.destroy();
    const names = shown.map((n) => `#${n}`);
    hv = lineChart(hiddenCharts, {
      title: `Hidden v of the ${shown.length} most active of ${H} neurons (${names.join(', ')})`,
      xLabel: 'time (ms)',
      yLabel: 'voltage (v_th = 1)',
      series: names.map((name) => ({ name })),
    });
    hi = lineChart(hiddenCharts, {
      title: `Hidden synaptic current i of the same neurons`,
      xLabel: 'time (ms)',
      yLabel: 'current (units of v)',
      series: names.map((name) => ({ name })),
    });
  };
  const raster = spikeRaster(doc, 'hidden layer spikes', { rows: 'neuron', activeOnly: false });
  const meter = efficiencyMeter(doc, 'Efficiency for this digit (one sample)');
  element.append(raster.element, meter.element);
  const untrained = tutorialModel(100, 0);
  let destroyed = false;
  let generation = 0;
  let busy = false;
  let again = false;
  const render = async () => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    const mine = ++generation;
    element.setAttribute('aria-busy', 'true');
    prediction.classList.add('busy');
    try {
      const m = ctx.state.model ?? untrained;
      which.textContent = ctx.state.model
        ? `trained network (${ctx.state.modelSource ?? 'trained'})`
        : 'untrained network (random weights, seed 0): train one below or load one';
      const image = ctx.state.image;
      const label = ctx.state.label;
      const digit = ctx.state.digitIndex;
      const a = await activityOf(m, image);
      // A newer input arrived meanwhile: draw that one instead of this stale result.
      if (destroyed || again || mine !== generation) return;
      const ms = Float64Array.from({ length: a.T }, (_, t) => t + 1);
      readout.setData(
        ms,
        Array.from({ length: 10 }, (_, k) => column(a.readout, a.T, 10, k)),
      );
      const next = mostActive(a.z, a.T, a.hidden);
      if (!hv || next.join() !== shown.join()) {
        shown = next;
        makeHidden(a.hidden);
      }
      hv!.setData(
        ms,
        shown.map((k) => column(a.v, a.T, a.hidden, k)),
      );
      hi!.setData(
        ms,
        shown.map((k) => column(a.i, a.T, a.hidden, k)),
      );
      raster.draw(a.z, a.T, a.hidden);
      bars.show(a.logProbs, a.predicted, label);
      const truth =
        label === undefined
          ? ' (drawn: no label)'
          : label === a.predicted
            ? ` (label ${label}: right)`
            : ` (label ${label}: wrong)`;
      prediction.textContent = `predicted: ${a.predicted}, ${(100 * Math.exp(a.logProbs[a.predicted]!)).toFixed(0)}% sure${truth}`;
      element.dataset.predicted = String(a.predicted);
      element.dataset.digit = digit === undefined ? 'drawn' : String(digit);
      element.dataset.renders = String(Number(element.dataset.renders ?? 0) + 1);
      element.dataset.shownNeurons = shown.join(',');
      const input = constantCurrentSpikes(
        Float32Array.from(image, (v) => (v - MEAN) / STD),
        a.T,
      );
      meter.show(input, a.z, a.T, a.hidden);
      ctx.clearError(element);
    } catch (error) {
      ctx.error(`network activity: ${error instanceof Error ? error.message : String(error)}`, element);
    } finally {
      busy = false;
      element.setAttribute('aria-busy', 'false');
      prediction.classList.remove('busy');
      if (again && !destroyed) {
        again = false;
        void render();
      }
    }
  };
  ctx.subscribe((what) => {
    if (what === 'step') raster.cursor(ctx.state.step);
    else {
      picker.sync();
      void render();
    }
  }, listeners);
  void render();
  return {
    title: 'Network activity',
    element,
    destroy() {
      destroyed = true;
      listeners.dispose();
      for (const c of [readout, hv, hi]) c?.destroy();
      raster.destroy();
      untrained.dispose();
      element.remove();
    },
  };
}
