import type * as tf from '@tensorflow/tfjs-core';
import { lineChart } from '../chart.js';
import type { Panel, PanelContext } from '../context.js';
import { h, Listeners, nextId } from '../dom.js';
import { digitCanvas } from '../draw.js';
import { artifactsFromFiles, artifactsFromUrl, modelFromArtifacts } from '../network.js';
import { digitPicker } from '../picker.js';
import { spikeRaster } from '../raster.js';
import { activityOf, column, probabilityBars } from './activity.js';

/**
 * Panel 5, load a trained model: a run directory's `model/` from `snn-train` (files or URL); then
 * classify drawn digits live, with the hidden layer's spike raster and the readout traces.
 */
export function mountLoadPanel(
  root: HTMLElement,
  ctx: PanelContext,
  options: { modelUrl?: string } = {},
): Panel {
  const doc = ctx.doc;
  const listeners = new Listeners();
  const element = h(
    doc,
    'section',
    { class: 'panel', 'aria-label': 'Load a trained model' },
    h(doc, 'h2', {}, 'Load a trained model'),
    h(
      doc,
      'p',
      { class: 'explain' },
      'A model trained with snn-train (or exported from the train panel) is two files: model.json, which describes the network, and weights.bin, its weights. Load them and the network classifies the shared input digit: pick one, or draw in the box, and watch which readout wins.',
    ),
    h(doc, 'p', { class: 'equation' }, 'prediction = argmax_c max_t v_out,c(t);  p = softmax(max_t v_out)'),
  );
  root.append(element);
  const fileId = nextId('file');
  const urlId = nextId('url');
  const files = h(doc, 'input', { id: fileId, type: 'file', multiple: true, accept: '.json,.bin' });
  const url = h(doc, 'input', {
    id: urlId,
    type: 'url',
    placeholder: 'https://…/runs/<run>/model/model.json',
    value: options.modelUrl ?? '',
  });
  const fetchButton = h(doc, 'button', { type: 'button' }, 'load URL');
  const status = h(
    doc,
    'p',
    { class: 'status', 'aria-live': 'polite' },
    'no model loaded: choose model.json + weights.bin of a run (snn-train writes them to <run>/model/)',
  );
  element.append(
    h(doc, 'div', { class: 'row' }, h(doc, 'label', { for: fileId }, 'model files'), files),
    h(doc, 'div', { class: 'row' }, h(doc, 'label', { for: urlId }, 'or a URL'), url, fetchButton),
    status,
  );
  // The one shared input: drawing here or picking a digit changes it in every panel.
  const pad = digitCanvas(doc, 'digit to classify', (img) => {
    ctx.state.image = img;
    ctx.state.label = undefined;
    ctx.state.digitIndex = undefined;
    ctx.changed('image');
  });
  const picker = digitPicker(ctx, listeners);
  const prediction = h(doc, 'p', { class: 'prediction', 'aria-live': 'polite' });
  const bars = probabilityBars(doc);
  element.append(picker.element, h(doc, 'div', { class: 'split' }, pad.element, bars.element, prediction));
  const charts = h(doc, 'div', { class: 'charts' });
  element.append(charts);
  const readout = lineChart(charts, {
    title: 'Readout voltages',
    xLabel: 'time (ms)',
    yLabel: 'voltage (a.u.)',
    series: Array.from({ length: 10 }, (_, k) => ({ name: `${k}` })),
  });
  const raster = spikeRaster(doc, 'hidden layer spikes of the loaded model', {
    rows: 'neuron',
    activeOnly: false,
  });
  element.append(raster.element);
  pad.show(ctx.state.image);
  let destroyed = false;

  const classify = async () => {
    const m = ctx.state.model;
    if (!m) {
      prediction.textContent = 'load (or train) a model first';
      return;
    }
    try {
      const a = await activityOf(m, ctx.state.image);
      if (destroyed) return;
      readout.setData(
        Float64Array.from({ length: a.T }, (_, t) => t + 1),
        Array.from({ length: 10 }, (_, k) => column(a.readout, a.T, 10, k)),
      );
      raster.draw(a.z, a.T, a.hidden);
      bars.show(a.logProbs, a.predicted, ctx.state.label);
      prediction.textContent = `predicted: ${a.predicted}${ctx.state.label === undefined ? '' : ` (label ${ctx.state.label})`}`;
      element.dataset.predicted = String(a.predicted);
    } catch (error) {
      ctx.error(`classify: ${error instanceof Error ? error.message : String(error)}`, element);
    }
  };

  const install = async (load: () => Promise<tf.io.ModelArtifacts>, source: string) => {
    try {
      status.textContent = `loading ${source}…`;
      const m = modelFromArtifacts(await load());
      if (destroyed) {
        m.dispose();
        return;
      }
      ctx.state.model?.dispose();
      ctx.state.model = m;
      ctx.state.modelSource = `loaded from ${source}`;
      status.textContent = `loaded ${source}: ${m.parameterCount()} parameters`;
      element.dataset.loaded = 'true';
      ctx.clearError(element);
      ctx.changed('model');
      await classify();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      status.textContent = `could not load ${source}: ${message}`;
      ctx.error(`load model: ${message}`, element);
    }
  };

  listeners.on(files, 'change', () => {
    const list = Array.from(files.files ?? []);
    if (list.length > 0) void install(() => artifactsFromFiles(list), list.map((f) => f.name).join(' + '));
  });
  listeners.on(fetchButton, 'click', () => {
    if (url.value) void install(() => artifactsFromUrl(url.value), url.value);
  });
  ctx.subscribe((what) => {
    if (what === 'image') {
      pad.show(ctx.state.image);
      picker.sync();
    }
    if (what !== 'step') void classify();
  }, listeners);
  if (options.modelUrl) void install(() => artifactsFromUrl(options.modelUrl!), options.modelUrl);
  return {
    title: 'Load a trained model',
    element,
    destroy() {
      destroyed = true;
      listeners.dispose();
      pad.destroy();
      readout.destroy();
      raster.destroy();
      element.remove();
    },
  };
}
