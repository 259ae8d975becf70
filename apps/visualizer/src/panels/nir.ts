import { ConstantCurrentLIFEncoder } from '@snn/encoders';
import {
  arrayValues,
  flattenGraph,
  fromNIR,
  isNIRArray,
  lintNIR,
  NIR_CONVENTIONS,
  type NIRConvention,
  type NIRGraph,
  type NIRModel,
  orderGraph,
  readNIR,
  toNIR,
  writeNIR,
} from '@snn/nir';
import * as tf from '@tensorflow/tfjs-core';
import { lineChart } from '../chart.js';
import type { Panel, PanelContext } from '../context.js';
import { h, Listeners, nextId } from '../dom.js';
import { digitCanvas } from '../draw.js';
import { drawNIRGraph } from '../nir-graph.js';
import { type SpikeRaster, spikeRaster } from '../raster.js';

const TITLE = 'Open a NIR file';
const MEAN = 0.1307;
const STD = 0.3081;
/** Raster rows shown per spiking node. */
const MAX_ROWS = 200;

/** What one run of the loaded model shows. */
interface NIRActivity {
  readonly T: number;
  readonly output: Float32Array; // [T, n]
  readonly outputs: number;
  readonly rasters: { name: string; z: Float32Array; n: number; shown: number; every: number }[];
  readonly predicted: number;
  readonly inputNote: string;
}

/** The model's input for one image: the image at every step, constant-current spikes, or (not 28×28) random spikes. */
function inputFor(
  model: NIRModel,
  graph: NIRGraph,
  image: Float32Array,
  T: number,
): { x: tf.Tensor; note: string } {
  const shape = model.inputShape;
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tidy(() => {
    if (size !== 784) {
      const x = tf.cast(tf.less(tf.randomUniform([T, 1, ...shape], 0, 1, 'float32', 0), 0.2), 'float32');
      return { x, note: `input [${shape.join(', ')}] is not a 28×28 image: random spikes (p = 0.2, seed 0)` };
    }
    const img = tf.reshape(tf.div(tf.sub(tf.tensor(image), MEAN), STD), [1, ...shape]);
    const takesImage = String(graph.metadata?.input ?? '').startsWith('image');
    if (takesImage)
      return {
        x: tf.tile(tf.expandDims(img, 0), [T, 1, ...shape.map(() => 1)]),
        note: 'the image at every step',
      };
    const x = tf.reshape(new ConstantCurrentLIFEncoder(T).encode(img), [T, 1, ...shape]);
    return { x, note: 'constant-current spikes of the image' };
  });
}

async function activityOf(
  model: NIRModel,
  graph: NIRGraph,
  image: Float32Array,
  T: number,
): Promise<NIRActivity> {
  const { x, note } = inputFor(model, graph, image, T);
  const r = model.run(x, { record: true });
  x.dispose();
  const spiking = model.nodes.filter((n) => n.spiking && n.type !== 'Output');
  const rasters = [];
  for (const n of spiking) {
    const t = r.nodes![n.name]!;
    const size = t.size / T;
    // Large layers: every k-th neuron, so the raster spans the whole layer (an image's centre too).
    const every = Math.ceil(size / MAX_ROWS);
    const shown = Math.ceil(size / every);
    const all = await t.data();
    const z = new Float32Array(T * shown);
    for (let s = 0; s < T; s++) for (let r = 0; r < shown; r++) z[s * shown + r] = all[s * size + r * every]!;
    rasters.push({ name: n.name, z, n: size, shown, every });
  }
  const output = Float32Array.from(await r.output.data());
  tf.dispose(Object.values(r.nodes!));
  const outputs = output.length / T;
  const last = model.nodes.filter((n) => n.type !== 'Output').at(-1);
  const score = Array.from({ length: outputs }, (_, k) => {
    let s = last?.spiking ? 0 : Number.NEGATIVE_INFINITY;
    for (let t = 0; t < T; t++)
      s = last?.spiking ? s + output[t * outputs + k]! : Math.max(s, output[t * outputs + k]!);
    return s;
  });
  const predicted = score.indexOf(Math.max(...score));
  return { T, output, outputs, rasters, predicted, inputNote: note };
}

/**
 * Panel 6, NIR files: drop or choose a `.nir` file (Norse, snnTorch, Spyx, `snn-train export-nir`),
 * or export the model trained in this page; see the graph as layers with their sizes and
 * parameters and the lint warnings, and run it on a digit with every spiking layer's raster and the
 * readout traces.
 */
export function mountNIRPanel(root: HTMLElement, ctx: PanelContext): Panel {
  const doc = ctx.doc;
  const listeners = new Listeners();
  const element = h(
    doc,
    'section',
    { class: 'panel nir', 'aria-label': TITLE },
    h(doc, 'h2', {}, TITLE),
    h(
      doc,
      'p',
      { class: 'explain' },
      'NIR (the Neuromorphic Intermediate Representation) is a file format shared by Norse, snnTorch, Spyx and neuromorphic chips: a graph of layers with their parameters, each a differential equation in continuous time. Open one to see its graph and run it here on the shared digit, discretised with the dt you choose.',
    ),
    h(
      doc,
      'p',
      { class: 'equation' },
      'NIR LIF: τ·dv/dt = (v_leak − v) + R·I;  spike when v > v_threshold, then v ← v_reset;  Euler step: v ← v + dt/τ·(…)',
    ),
  );
  root.append(element);
  const fileId = nextId('nir-file');
  const urlId = nextId('nir-url');
  const convId = nextId('nir-convention');
  const dtId = nextId('nir-dt');
  const file = h(doc, 'input', { id: fileId, type: 'file', accept: '.nir,.h5,.hdf5' });
  const url = h(doc, 'input', { id: urlId, type: 'url', placeholder: 'https://…/model.nir' });
  const fetchButton = h(doc, 'button', { type: 'button' }, 'load URL');
  const fromTrained = h(doc, 'button', { type: 'button' }, 'export the trained model');
  const download = h(doc, 'a', { class: 'download', hidden: true }, 'download .nir');
  const convention = h(
    doc,
    'select',
    { id: convId },
    h(doc, 'option', { value: '' }, "as the file says (else 'norse')"),
    ...NIR_CONVENTIONS.map((c) => h(doc, 'option', { value: c }, c)),
  );
  const dt = h(doc, 'input', {
    id: dtId,
    type: 'number',
    step: 'any',
    min: '0',
    placeholder: 'from the file',
  });
  const status = h(
    doc,
    'p',
    { class: 'status', 'aria-live': 'polite' },
    'drop a .nir file here, or choose one',
  );
  element.append(
    h(
      doc,
      'div',
      { class: 'row' },
      h(doc, 'label', { for: fileId }, 'NIR file'),
      file,
      fromTrained,
      download,
    ),
    h(doc, 'div', { class: 'row' }, h(doc, 'label', { for: urlId }, 'or a URL'), url, fetchButton),
    h(
      doc,
      'div',
      { class: 'row' },
      h(doc, 'label', { for: convId }, 'convention'),
      convention,
      h(doc, 'label', { for: dtId }, 'dt (s)'),
      dt,
    ),
    status,
  );
  const lint = h(doc, 'ul', { class: 'lint', 'aria-label': 'lint warnings' });
  const graphBox = h(doc, 'figure', { class: 'graph' });
  element.append(h(doc, 'div', { class: 'split' }, graphBox, lint));
  // The one shared input: drawing here changes the digit of every panel (and runs this model).
  const pad = digitCanvas(doc, 'digit for the NIR model', (img) => {
    ctx.state.image = img;
    ctx.state.label = undefined;
    ctx.state.digitIndex = undefined;
    ctx.changed('image');
  });
  const prediction = h(doc, 'p', { class: 'prediction', 'aria-live': 'polite' });
  const inputNote = h(doc, 'p', { class: 'status' });
  element.append(h(doc, 'div', { class: 'split' }, pad.element, h(doc, 'div', {}, prediction, inputNote)));
  const charts = h(doc, 'div', { class: 'charts' });
  const rasters = h(doc, 'div', { class: 'rasters' });
  let shownRasters: SpikeRaster[] = [];
  element.append(charts, rasters);
  pad.show(ctx.state.image);

  let graph: NIRGraph | undefined;
  let model: NIRModel | undefined;
  let readout: ReturnType<typeof lineChart> | undefined;
  let destroyed = false;
  let objectUrl: string | undefined;
  let last: { bytes: Uint8Array; source: string } | undefined;

  const run = async (image: Float32Array) => {
    if (!model || !graph) return;
    try {
      const stated = graph.metadata?.seq_length;
      const T = isNIRArray(stated) ? arrayValues(stated)[0]! : 32;
      const a = await activityOf(model, graph, image, T);
      if (destroyed) return;
      const n = Math.min(a.outputs, 10);
      readout?.destroy();
      readout = lineChart(charts, {
        title: `Output [${model.outputShape.join('×')}]${n < a.outputs ? ` (first ${n})` : ''} over time`,
        xLabel: 'time step',
        yLabel: 'value',
        series: Array.from({ length: n }, (_, k) => ({ name: `${k}` })),
      });
      readout.setData(
        Float64Array.from({ length: a.T }, (_, t) => t + 1),
        Array.from({ length: n }, (_, k) =>
          Float32Array.from({ length: a.T }, (_, t) => a.output[t * a.outputs + k]!),
        ),
      );
      for (const r of shownRasters) r.destroy();
      shownRasters = [];
      rasters.replaceChildren();
      let total = 0;
      for (const r of a.rasters) {
        const raster = spikeRaster(
          doc,
          `${r.name}${r.every > 1 ? ` (every ${r.every}th of ${r.n} neurons)` : ''}`,
          { rows: 'neuron', activeOnly: false, rowIndex: (row) => row * r.every },
        );
        const count = raster.draw(r.z, a.T, r.shown);
        total += count;
        shownRasters.push(raster);
        rasters.append(raster.element);
      }
      prediction.textContent = `predicted class: ${a.predicted}`;
      inputNote.textContent = `input: ${a.inputNote}; T ${a.T}, dt ${model.dt} s`;
      element.dataset.predicted = String(a.predicted);
      element.dataset.spikes = String(total);
    } catch (error) {
      ctx.error(`NIR run: ${error instanceof Error ? error.message : String(error)}`, element);
    }
  };

  const show = async (bytes: Uint8Array, source: string) => {
    try {
      status.textContent = `reading ${source}…`;
      last = { bytes, source };
      const g = await readNIR(bytes);
      const conv = (convention.value || undefined) as NIRConvention | undefined;
      const stated = typeof g.metadata?.convention === 'string';
      const m = fromNIR(g, {
        ...(conv ? { convention: conv } : stated ? {} : { convention: 'norse' as const }),
        ...(Number(dt.value) > 0 ? { dt: Number(dt.value) } : {}),
      });
      if (destroyed) {
        m.dispose();
        return;
      }
      model?.dispose();
      model = m;
      graph = g;
      const order = orderGraph(flattenGraph(g));
      const flat = flattenGraph(g);
      graphBox.replaceChildren(drawNIRGraph(doc, m.nodes, flat.edges, order.backEdges, nextId('nir-arrow')));
      const warnings = lintNIR(g);
      lint.replaceChildren(
        ...(warnings.length === 0 ? [h(doc, 'li', { class: 'ok' }, 'lint: nothing to report')] : []),
        ...warnings.map((w) =>
          h(doc, 'li', { class: w.severity }, `${w.severity}${w.node ? ` (${w.node})` : ''}: ${w.message}`),
        ),
      );
      if (objectUrl) URL.revokeObjectURL?.(objectUrl);
      objectUrl = URL.createObjectURL?.(new Blob([bytes as BlobPart], { type: 'application/x-hdf5' }));
      if (objectUrl) {
        download.href = objectUrl;
        download.download = source.endsWith('.nir') ? source.split('/').pop()! : 'model.nir';
        download.hidden = false;
      }
      status.textContent = `${source}: ${m.nodes.length} nodes${m.recurrent ? ' (recurrent)' : ''}, convention ${m.convention}, dt ${m.dt} s, NIR ${g.version ?? '?'}`;
      element.dataset.loaded = 'true';
      element.dataset.nodes = String(m.nodes.length);
      element.dataset.warnings = String(warnings.filter((w) => w.severity === 'warning').length);
      await run(pad.image());
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      status.textContent = `could not open ${source}: ${message}`;
      ctx.error(`NIR file: ${message}`, element);
    }
  };

  const openFile = async (f: File) => show(new Uint8Array(await f.arrayBuffer()), f.name);
  listeners.on(file, 'change', () => {
    const f = file.files?.[0];
    if (f) void openFile(f);
  });
  listeners.on(element, 'dragover', (e) => {
    e.preventDefault();
    element.classList.add('dragging');
  });
  listeners.on(element, 'dragleave', () => element.classList.remove('dragging'));
  listeners.on(element, 'drop', (e) => {
    e.preventDefault();
    element.classList.remove('dragging');
    const f = (e as DragEvent).dataTransfer?.files?.[0];
    if (f) void openFile(f);
  });
  listeners.on(fetchButton, 'click', async () => {
    if (!url.value) return;
    try {
      const r = await fetch(url.value);
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      await show(new Uint8Array(await r.arrayBuffer()), url.value);
    } catch (error) {
      ctx.error(`NIR file: ${url.value}: ${error instanceof Error ? error.message : String(error)}`, element);
    }
  });
  listeners.on(fromTrained, 'click', async () => {
    const m = ctx.state.model;
    if (!m) {
      status.textContent = 'no trained model yet: train one (or load one) in the panels above';
      return;
    }
    await show(await writeNIR(await toNIR(m)), 'the trained model');
  });
  for (const c of [convention, dt])
    listeners.on(c, 'change', () => {
      if (last) void show(last.bytes, last.source);
    });
  ctx.subscribe((what) => {
    if (what === 'image') {
      pad.show(ctx.state.image);
      void run(ctx.state.image);
    }
  }, listeners);
  return {
    title: TITLE,
    element,
    destroy() {
      destroyed = true;
      listeners.dispose();
      pad.destroy();
      readout?.destroy();
      for (const r of shownRasters) r.destroy();
      model?.dispose();
      if (objectUrl) URL.revokeObjectURL?.(objectUrl);
      element.remove();
    },
  };
}
