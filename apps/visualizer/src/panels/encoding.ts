import { ConstantCurrentLIFEncoder, PoissonEncoder, SpikeLatencyLIFEncoder } from '@snn/encoders';
import * as tf from '@tensorflow/tfjs-core';
import { drawRaster } from '../chart.js';
import type { Panel, PanelContext } from '../context.js';
import { digitImage } from '../digits.js';
import { h, Listeners, slider } from '../dom.js';
import { digitCanvas } from '../draw.js';

const MEAN = 0.1307;
const STD = 0.3081;

/**
 * Panel 2, input encoding (tutorial §3.1): pick a digit or draw one; its spike rasters under the
 * constant-current, Poisson and latency encoders, with a sequence-length slider and spike counts.
 */
export function mountInputEncoding(root: HTMLElement, ctx: PanelContext): Panel {
  const doc = ctx.doc;
  const listeners = new Listeners();
  const element = h(
    doc,
    'section',
    { class: 'panel', 'aria-label': 'Input encoding' },
    h(doc, 'h2', {}, 'Input encoding'),
  );
  root.append(element);
  let T = 32;
  let destroyed = false;
  const pad = digitCanvas(doc, 'input digit', (img) => {
    ctx.state.image = img;
    ctx.state.label = undefined;
    ctx.changed('image');
  });
  const pick = slider(doc, 'dataset digit', { min: 0, max: ctx.digits.count - 1, step: 1, value: 0 }, (k) => {
    ctx.state.image = digitImage(ctx.digits, k);
    ctx.state.label = ctx.digits.labels[k];
    ctx.changed('image');
  });
  const seq = slider(doc, 'sequence length T', { min: 4, max: 100, step: 1, value: T }, (v) => {
    T = v;
    void render();
  });
  element.append(
    h(doc, 'div', { class: 'split' }, pad.element, h(doc, 'div', { class: 'controls' }, pick.row, seq.row)),
  );
  const rasters = ['constant current', 'Poisson', 'latency'].map((name) => {
    const canvas = h(doc, 'canvas', {
      width: 640,
      height: 160,
      class: 'raster',
      'aria-label': `${name} encoder spike raster`,
    });
    const caption = h(doc, 'figcaption', {}, name);
    element.append(h(doc, 'figure', {}, caption, canvas));
    return { name, canvas, caption };
  });
  let rendering = false;
  let again = false;
  const render = async () => {
    if (rendering) {
      again = true;
      return;
    }
    rendering = true;
    try {
      pad.show(ctx.state.image);
      const encoders = [
        new ConstantCurrentLIFEncoder(T),
        new PoissonEncoder(T, { seed: 1, fMax: 200 }),
        new SpikeLatencyLIFEncoder(T),
      ];
      const outs = tf.tidy(() => {
        const raw = tf.tensor2d(ctx.state.image, [1, 784]);
        const normalized = tf.div(tf.sub(raw, MEAN), STD);
        return encoders.map((e, k) => e.encode(k === 1 ? raw : normalized));
      });
      const data = await Promise.all(outs.map((o) => o.data()));
      tf.dispose(outs);
      if (destroyed) return;
      data.forEach((d, k) => {
        const n = drawRaster(rasters[k]!.canvas, d as Float32Array, T, 784);
        rasters[k]!.caption.textContent =
          `${rasters[k]!.name} encoder: ${n} spikes over ${T} steps (time →, 784 pixels ↓)`;
        rasters[k]!.canvas.dataset.spikes = String(n);
      });
    } catch (error) {
      ctx.error(`input encoding: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      rendering = false;
      if (again && !destroyed) {
        again = false;
        void render();
      }
    }
  };
  ctx.subscribe((what) => {
    if (what === 'image') void render();
  }, listeners);
  void render();
  return {
    title: 'Input encoding',
    element,
    destroy() {
      destroyed = true;
      listeners.dispose();
      pad.destroy();
      element.remove();
    },
  };
}
