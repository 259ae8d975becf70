import type { Model } from '@snn/train';
import * as tf from '@tensorflow/tfjs-core';
import { drawRaster, lineChart } from '../chart.js';
import type { Panel, PanelContext } from '../context.js';
import { h, Listeners } from '../dom.js';
import { tutorialModel } from '../network.js';

const MEAN = 0.1307;
const STD = 0.3081;

/** What one forward pass with recording shows. */
export interface Activity {
  readonly T: number;
  readonly readout: Float32Array; // [T, 10]
  readonly v: Float32Array; // [T, H]
  readonly i: Float32Array; // [T, H]
  readonly z: Float32Array; // [T, H]
  readonly hidden: number;
  readonly predicted: number;
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

/**
 * Panel 3, network activity (tutorial §3.2, §3.4's last figures): the readout voltages of the ten
 * classes over time and the hidden layer's v and i, for an untrained network or the trained one.
 */
export function mountNetworkActivity(root: HTMLElement, ctx: PanelContext): Panel {
  const doc = ctx.doc;
  const listeners = new Listeners();
  const element = h(
    doc,
    'section',
    { class: 'panel', 'aria-label': 'Network activity' },
    h(doc, 'h2', {}, 'Network activity'),
  );
  root.append(element);
  const which = h(doc, 'p', { class: 'status' });
  const prediction = h(doc, 'p', { class: 'prediction', 'aria-live': 'polite' });
  element.append(which, prediction);
  const charts = h(doc, 'div', { class: 'charts' });
  element.append(charts);
  const readout = lineChart(charts, {
    title: 'Readout voltages (10 classes)',
    xLabel: 'time (ms)',
    yLabel: 'voltage (a.u.)',
    series: Array.from({ length: 10 }, (_, k) => ({ name: `${k}` })),
  });
  const hv = lineChart(charts, {
    title: 'Hidden layer: v of 10 neurons',
    xLabel: 'time (ms)',
    yLabel: 'voltage (a.u.)',
    series: Array.from({ length: 10 }, (_, k) => ({ name: `n${k}` })),
  });
  const hi = lineChart(charts, {
    title: 'Hidden layer: i of 10 neurons',
    xLabel: 'time (ms)',
    yLabel: 'current (a.u.)',
    series: Array.from({ length: 10 }, (_, k) => ({ name: `n${k}` })),
  });
  const raster = h(doc, 'canvas', {
    width: 640,
    height: 120,
    class: 'raster',
    'aria-label': 'hidden layer spike raster',
  });
  element.append(
    h(doc, 'figure', {}, h(doc, 'figcaption', {}, 'Hidden layer spikes (time →, neurons ↓)'), raster),
  );
  const untrained = tutorialModel(100, 0);
  let destroyed = false;
  let busy = false;
  let again = false;
  const render = async () => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      const m = ctx.state.model ?? untrained;
      which.textContent = ctx.state.model
        ? `trained network (${ctx.state.modelSource ?? 'trained'})`
        : 'untrained network (random weights, seed 0): train one below or load one';
      const a = await activityOf(m, ctx.state.image);
      if (destroyed) return;
      const ms = Float64Array.from({ length: a.T }, (_, t) => t + 1);
      readout.setData(
        ms,
        Array.from({ length: 10 }, (_, k) => column(a.readout, a.T, 10, k)),
      );
      hv.setData(
        ms,
        Array.from({ length: 10 }, (_, k) => column(a.v, a.T, a.hidden, k)),
      );
      hi.setData(
        ms,
        Array.from({ length: 10 }, (_, k) => column(a.i, a.T, a.hidden, k)),
      );
      drawRaster(raster, a.z, a.T, a.hidden);
      const truth = ctx.state.label === undefined ? '' : ` (label ${ctx.state.label})`;
      prediction.textContent = `predicted class: ${a.predicted}${truth}`;
      element.dataset.predicted = String(a.predicted);
    } catch (error) {
      ctx.error(`network activity: ${error instanceof Error ? error.message : String(error)}`, element);
    } finally {
      busy = false;
      if (again && !destroyed) {
        again = false;
        void render();
      }
    }
  };
  ctx.subscribe(() => void render(), listeners);
  void render();
  return {
    title: 'Network activity',
    element,
    destroy() {
      destroyed = true;
      listeners.dispose();
      for (const c of [readout, hv, hi]) c.destroy();
      untrained.dispose();
      element.remove();
    },
  };
}
