import type { BackendName } from '@snn/core';
import { type ImageSplit, loadMnistFromUrl } from '@snn/datasets';
import * as tf from '@tensorflow/tfjs-core';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';
import { startBrowserBackend } from './backend.js';
import type { Panel, PanelContext, SharedState } from './context.js';
import { bundledDigits, digitImage } from './digits.js';
import { h, Listeners, nextId } from './dom.js';
import { mountNetworkActivity } from './panels/activity.js';
import { mountInputEncoding } from './panels/encoding.js';
import { mountLoadPanel } from './panels/load.js';
import { mountNeuronPlayground } from './panels/neuron.js';
import { mountNIRPanel } from './panels/nir.js';
import { mountTrainPanel } from './panels/train.js';
import { STYLES } from './styles.js';

/** The panels, by name. */
export type PanelName = 'neuron' | 'encoding' | 'activity' | 'train' | 'load' | 'nir';

/** Options of {@link mountVisualizer}. */
export interface VisualizerOptions {
  /** Which panels, in order. Default all six. */
  panels?: readonly PanelName[];
  /** tfjs backend: `'auto'` tries webgpu → webgl → wasm → cpu. Default `'auto'`. */
  backend?: BackendName | 'auto';
  /** A URL of a trained model's `model.json` to load at start (panel 5). */
  modelUrl?: string;
  /**
   * A URL of a folder serving the four official MNIST files: the full test set replaces the bundled
   * digits and the train panel trains on the full training set (loaded with @snn/datasets, checked).
   */
  mnistUrl?: string;
  /** The document to build in (for iframes and tests). Default the element's own. */
  document?: Document;
  /** Show the title bar with the backend switch. Default `true`. */
  header?: boolean;
}

/** What {@link mountVisualizer} returns. */
export interface VisualizerHandle {
  /** Applies new options (panels, backend, model URL) without remounting the element. */
  update(options: VisualizerOptions): Promise<void>;
  /** Removes everything it added, frees every tensor and listener. The element is left empty. */
  destroy(): void;
  /** Resolves once the backend is up and the panels are drawn. */
  readonly ready: Promise<void>;
  /** The panels now mounted. */
  readonly panels: () => readonly Panel[];
}

const ALL: readonly PanelName[] = ['neuron', 'encoding', 'activity', 'train', 'load', 'nir'];
const MOUNTED = new WeakSet<Element>();

/**
 * Mounts the visualizer into `element` (a shadow root inside a container it adds, so styles are
 * scoped). Nothing global: no fixed ids, nothing on `document.body`. Mounting twice into one element throws.
 *
 * @example
 * ```ts
 * const viz = mountVisualizer(document.querySelector('#here')!, { panels: ['neuron', 'encoding'] });
 * await viz.ready;
 * viz.destroy();
 * ```
 */
export function mountVisualizer(element: HTMLElement, options: VisualizerOptions = {}): VisualizerHandle {
  if (MOUNTED.has(element))
    throw new Error(
      'mountVisualizer: this element already has a visualizer; destroy() it first or use another element.',
    );
  MOUNTED.add(element);
  const doc = options.document ?? element.ownerDocument;
  const container = h(doc, 'div', { class: 'snn-visualizer-host' });
  element.append(container);
  const shadow = container.attachShadow({ mode: 'open' });
  const style = h(doc, 'style', {}, `${uplotCss}\n${STYLES}`);
  const root = h(doc, 'div', { class: 'snnv' });
  shadow.append(style, root);
  const listeners = new Listeners();
  const notices = h(doc, 'div', { class: 'notices', 'aria-live': 'polite' });
  const subscribers = new Set<(what: 'image' | 'model') => void>();
  let digits = bundledDigits();
  let trainSet: ImageSplit | undefined;
  const state: SharedState = {
    image: digitImage(digits, 0),
    label: digits.labels[0],
    model: undefined,
    modelSource: undefined,
  };
  let opts: VisualizerOptions = { ...options };
  let panels: Panel[] = [];
  let destroyed = false;
  const ctx: PanelContext = {
    doc,
    get digits() {
      return digits;
    },
    get trainSet() {
      return trainSet;
    },
    state,
    changed: (what) => {
      for (const fn of [...subscribers]) fn(what);
    },
    subscribe(fn, l) {
      subscribers.add(fn);
      l.add(() => subscribers.delete(fn));
    },
    error(message) {
      console.error(`[snn visualizer] ${message}`);
      notices.append(h(doc, 'p', { class: 'error', role: 'alert' }, message));
    },
    notice(message) {
      notices.append(h(doc, 'p', { class: 'notice' }, message));
    },
    backend: () => tf.getBackend() ?? 'none',
  };

  const backendId = nextId('backend');
  const backendSelect = h(
    doc,
    'select',
    { id: backendId },
    ...['auto', 'webgpu', 'webgl', 'wasm', 'cpu'].map((b) => h(doc, 'option', { value: b }, b)),
  );
  const backendStatus = h(doc, 'span', { class: 'status' });
  if (opts.header !== false) {
    root.append(
      h(
        doc,
        'header',
        {},
        h(doc, 'h1', {}, 'Spiking neural networks, live'),
        h(doc, 'label', { for: backendId }, 'backend'),
        backendSelect,
        backendStatus,
      ),
    );
  }
  root.append(notices);
  const body = h(doc, 'div', { class: 'panels' });
  root.append(body);

  const startBackend = async (pref: BackendName | 'auto') => {
    backendSelect.value = pref;
    const choice = await startBrowserBackend(pref);
    const skipped = choice.attempts.filter((a) => !a.ok);
    backendStatus.textContent = `running on ${choice.name}`;
    container.dataset.backend = choice.name;
    if (pref !== 'auto' && choice.name !== pref)
      ctx.error(
        `${pref} could not start (${skipped.find((a) => a.name === pref)?.reason ?? 'unknown'}); fell back to ${choice.name}`,
      );
    else if (skipped.length > 0 && pref === 'auto')
      ctx.notice(`using ${choice.name}; skipped ${skipped.map((a) => `${a.name} (${a.reason})`).join('; ')}`);
  };

  const loadMnist = async (url: string) => {
    try {
      const base = new URL(url, doc.location?.href ?? undefined).href;
      const mnist = await loadMnistFromUrl(base, {
        onProgress: (p) => {
          backendStatus.textContent = `loading MNIST ${p.file}: ${(p.loaded / 1e6).toFixed(1)} MB`;
        },
      });
      digits = { count: mnist.test.count, images: mnist.test.images, labels: mnist.test.labels };
      trainSet = mnist.train;
      state.image = digitImage(digits, 0);
      state.label = digits.labels[0];
      container.dataset.digits = String(digits.count);
      ctx.notice(`loaded ${mnist.description}`);
    } catch (error) {
      ctx.error(
        `could not load MNIST from ${url}: ${error instanceof Error ? error.message : String(error)}; using the bundled digits`,
      );
    } finally {
      backendStatus.textContent = `running on ${tf.getBackend()}`;
    }
  };

  const mountPanels = () => {
    for (const p of panels) p.destroy();
    panels = [];
    for (const name of opts.panels ?? ALL) {
      if (!ALL.includes(name)) {
        ctx.error(`unknown panel "${name}" (use ${ALL.join(', ')})`);
        continue;
      }
      panels.push(
        name === 'neuron'
          ? mountNeuronPlayground(body, ctx)
          : name === 'encoding'
            ? mountInputEncoding(body, ctx)
            : name === 'activity'
              ? mountNetworkActivity(body, ctx)
              : name === 'train'
                ? mountTrainPanel(body, ctx)
                : name === 'nir'
                  ? mountNIRPanel(body, ctx)
                  : mountLoadPanel(body, ctx, opts.modelUrl ? { modelUrl: opts.modelUrl } : {}),
      );
    }
  };

  const ready = (async () => {
    try {
      await startBackend(opts.backend ?? 'auto');
    } catch (error) {
      ctx.error(`no tfjs backend could start: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (opts.mnistUrl) await loadMnist(opts.mnistUrl);
    if (!destroyed) mountPanels();
  })();

  listeners.on(backendSelect, 'change', async () => {
    try {
      await startBackend(backendSelect.value as BackendName | 'auto');
      mountPanels();
    } catch (error) {
      ctx.error(`backend switch failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  });

  return {
    ready,
    panels: () => panels,
    async update(next) {
      await ready;
      const backendChanged = next.backend !== undefined && next.backend !== opts.backend;
      opts = { ...opts, ...next };
      if (backendChanged) await startBackend(opts.backend ?? 'auto');
      mountPanels();
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      for (const p of panels) p.destroy();
      panels = [];
      listeners.dispose();
      subscribers.clear();
      state.model?.dispose();
      state.model = undefined;
      container.remove();
      MOUNTED.delete(element);
    },
  };
}

/**
 * Defines the `<snn-visualizer>` custom element (attributes `panels="neuron,encoding"`,
 * `backend`, `model-url`, `mnist-url`). Call it once in your page; it does nothing if already defined.
 */
export function defineVisualizerElement(
  registry: CustomElementRegistry = customElements,
  tag = 'snn-visualizer',
): void {
  if (registry.get(tag)) return;
  registry.define(
    tag,
    class SnnVisualizerElement extends HTMLElement {
      private handle: VisualizerHandle | undefined;
      connectedCallback() {
        const panels = this.getAttribute('panels')
          ?.split(',')
          .map((s) => s.trim()) as PanelName[] | undefined;
        const backend = (this.getAttribute('backend') ?? 'auto') as BackendName | 'auto';
        const modelUrl = this.getAttribute('model-url') ?? undefined;
        this.handle = mountVisualizer(this, {
          backend,
          ...(panels ? { panels } : {}),
          ...(modelUrl ? { modelUrl } : {}),
        });
      }
      disconnectedCallback() {
        this.handle?.destroy();
        this.handle = undefined;
      }
    },
  );
}
