import type { Panel, PanelContext } from '../context.js';
import { h, Listeners, nextId, slider } from '../dom.js';
import { digitCanvas } from '../draw.js';
import { constantCurrentSpikes, firstSpikesOnly, poissonSpikes } from '../encode.js';
import { digitPicker, timeControl } from '../picker.js';
import { spikeRaster } from '../raster.js';

const MEAN = 0.1307;
const STD = 0.3081;

/** The three encoders, with what each one does in a sentence. */
const ENCODERS = [
  {
    name: 'constant current',
    note: 'each pixel drives a LIF neuron with a constant current (its normalised intensity): bright pixels fire early and often, dark ones never',
  },
  { name: 'Poisson', note: 'each pixel fires at random, with probability dt·200 Hz·intensity per step' },
  {
    name: 'latency',
    note: 'only the first spike of the constant-current encoder: brighter pixels fire sooner',
  },
] as const;

/**
 * Panel 2, input encoding (tutorial §3.1): pick a digit (keyboard or pointer) or draw one; its spike
 * rasters under the constant-current, Poisson and latency encoders, with axes and a hover readout;
 * the 28×28 frame of spikes at each time step with the shared play/scrub control. The encoders run
 * in JavaScript on the CPU (the same arithmetic as @snn/encoders), whatever the page's backend.
 */
export function mountInputEncoding(root: HTMLElement, ctx: PanelContext): Panel {
  const doc = ctx.doc;
  const listeners = new Listeners();
  const element = h(
    doc,
    'section',
    { class: 'panel', 'aria-label': 'Input encoding' },
    h(doc, 'h2', {}, 'Input encoding'),
    h(
      doc,
      'p',
      { class: 'explain' },
      'A spiking network sees the image as spikes over time. An encoder turns each of the 784 pixel intensities into a spike train of T steps (1 ms each). Pick or draw a digit and compare three encoders; play or scrub the time step to watch the 28×28 frame of spikes.',
    ),
    h(
      doc,
      'p',
      { class: 'equation' },
      'constant current: v ← v + dt/τ_mem·(v_leak − v + x);  spike when v > v_th, then v ← v_reset',
    ),
  );
  root.append(element);
  let T = 32;
  let shown = 0;
  let destroyed = false;
  let data: Uint8Array[] = [];
  const pad = digitCanvas(doc, 'input digit', (img) => {
    ctx.state.image = img;
    ctx.state.label = undefined;
    ctx.state.digitIndex = undefined;
    picker.sync();
    ctx.changed('image');
  });
  const picker = digitPicker(ctx, listeners);
  const seq = slider(doc, 'sequence length T (steps)', { min: 4, max: 100, step: 1, value: T }, (v) => {
    T = v;
    time.setSteps(T);
    render();
  });
  const time = timeControl(ctx, listeners, () => T);
  const frame = h(doc, 'canvas', {
    width: 168,
    height: 168,
    class: 'frame',
    role: 'img',
    'aria-label': 'spikes of the 28×28 input at the chosen step',
  });
  const whichId = nextId('frame');
  const which = h(
    doc,
    'select',
    { id: whichId },
    ...ENCODERS.map((e, k) => h(doc, 'option', { value: k }, e.name)),
  );
  const frameCaption = h(doc, 'figcaption', {});
  element.append(
    h(
      doc,
      'div',
      { class: 'split' },
      pad.element,
      h(doc, 'figure', { class: 'frame-figure' }, frame, frameCaption),
      h(
        doc,
        'div',
        { class: 'controls grow' },
        picker.element,
        seq.row,
        time.element,
        h(doc, 'div', { class: 'row' }, h(doc, 'label', { for: whichId }, 'frame shows'), which),
      ),
    ),
  );
  const rasters = ENCODERS.map((e) => {
    const r = spikeRaster(doc, `${e.name} encoder`, { rows: 'pixel' });
    element.append(r.element);
    return r;
  });

  const drawFrame = () => {
    const c = frame.getContext?.('2d');
    const spikes = data[shown];
    const t = Math.min(ctx.state.step ?? 0, T - 1);
    let count = 0;
    if (spikes) for (let p = 0; p < 784; p++) count += spikes[t * 784 + p]!;
    frameCaption.textContent = `${ENCODERS[shown]!.name}: ${count} pixels spike (black) at step ${t + 1}`;
    frame.dataset.spikes = String(count);
    frame.dataset.step = String(t);
    if (!c || !spikes) return;
    const img = c.createImageData(28, 28);
    for (let p = 0; p < 784; p++) {
      // The digit in light grey, the pixels that spike at this step in black.
      const faint = 255 - Math.round(ctx.state.image[p]! * 120);
      const on = spikes[t * 784 + p]! > 0;
      img.data.set(on ? [0, 0, 0, 255] : [faint, faint, faint, 255], p * 4);
    }
    const small = doc.createElement('canvas');
    small.width = 28;
    small.height = 28;
    small.getContext('2d')?.putImageData(img, 0, 0);
    c.imageSmoothingEnabled = false;
    c.drawImage(small, 0, 0, frame.width, frame.height);
  };

  const render = () => {
    if (destroyed) return;
    try {
      pad.show(ctx.state.image);
      const normalized = Float32Array.from(ctx.state.image, (v) => (v - MEAN) / STD);
      const cc = constantCurrentSpikes(normalized, T);
      data = [cc, poissonSpikes(ctx.state.image, T, 200, 1), firstSpikesOnly(cc, T, 784)];
      data.forEach((d, k) => {
        const n = rasters[k]!.draw(d, T, 784);
        rasters[k]!.element.querySelector('figcaption')!.textContent =
          `${ENCODERS[k]!.name} encoder: ${n} spikes over ${T} steps; ${ENCODERS[k]!.note}`;
      });
      drawFrame();
      ctx.clearError(element);
    } catch (error) {
      ctx.error(`input encoding: ${error instanceof Error ? error.message : String(error)}`, element);
    }
  };
  listeners.on(which, 'change', () => {
    shown = Number(which.value);
    drawFrame();
  });
  ctx.subscribe((what) => {
    if (what === 'image') {
      picker.sync();
      render();
    } else if (what === 'step') {
      drawFrame();
      for (const r of rasters) r.cursor(ctx.state.step);
    }
  }, listeners);
  render();
  return {
    title: 'Input encoding',
    element,
    destroy() {
      destroyed = true;
      listeners.dispose();
      pad.destroy();
      for (const r of rasters) r.destroy();
      element.remove();
    },
  };
}
