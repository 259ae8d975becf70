import { type BackendName, useBackend } from '@snn/core';
import { type ImageSplit, loadMnistFromUrl } from '@snn/datasets';
import * as tf from '@tensorflow/tfjs-core';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';
import {
  browserLoaders,
  browserReason,
  hostBackend,
  startBrowserBackend,
  type WasmPaths,
} from './backend.js';
import type { Change, Panel, PanelContext, SharedState } from './context.js';
import { bundledDigits, type DigitSet, digitImage } from './digits.js';
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

/**
 * Which tfjs backend the visualizer computes on. tfjs has one backend per page, shared by every
 * copy of tfjs on it: a name or `'auto'` makes the visualizer choose it for the whole page
 * (`tf.setBackend`), `'host'` uses the page's backend as it is and never changes it.
 */
export type VisualizerBackend = BackendName | 'auto' | 'host';

/** Options of {@link mountVisualizer}. */
export interface VisualizerOptions {
  /** Which panels, in order. Default all six. */
  panels?: readonly PanelName[];
  /**
   * tfjs backend: `'auto'` tries webgpu → webgl → wasm → cpu; `'host'` leaves the page's backend
   * alone (and hides the backend switch). Default `'auto'`.
   */
  backend?: VisualizerBackend;
  /** A URL of a trained model's `model.json` to load at start (panel 5). */
  modelUrl?: string;
  /**
   * A URL of a folder serving the four official MNIST files: the full test set replaces the bundled
   * digits and the train panel trains on the full training set (loaded with @snn/datasets, checked).
   */
  mnistUrl?: string;
  /**
   * Where the wasm backend fetches its binary (only the variant it runs): a folder URL or a URL per
   * file, passed to tfjs's `setWasmPaths`. Leave it out if the page calls `setWasmPaths` itself.
   */
  wasmPaths?: WasmPaths;
  /** The document to build in (for iframes and tests). Default the element's own. */
  document?: Document;
  /** Show the title bar with the backend switch. Default `true`. */
  header?: boolean;
}

/** New options for {@link VisualizerHandle.update}: a key given as `undefined` goes back to its default. */
export type VisualizerUpdate = { [K in keyof VisualizerOptions]?: VisualizerOptions[K] | undefined };

/** What {@link mountVisualizer} returns. */
export interface VisualizerHandle {
  /**
   * Applies new options (panels, backend, model URL, MNIST URL) without remounting the element.
   * Updates run one after another, in call order.
   */
  update(options: VisualizerUpdate): Promise<void>;
  /** Removes everything it added, frees every tensor and listener. The element is left empty. */
  destroy(): void;
  /** Resolves once the backend is up and the panels are drawn. */
  readonly ready: Promise<void>;
  /** The panels now mounted. */
  readonly panels: () => readonly Panel[];
}

/** A message with a button that removes it. */
function dismissible(doc: Document, kind: 'error' | 'notice', text: string): HTMLElement {
  const close = h(
    doc,
    'button',
    { type: 'button', class: 'dismiss', 'aria-label': `dismiss this ${kind}` },
    '×',
  );
  const p = h(
    doc,
    'div',
    { class: kind, role: kind === 'error' ? 'alert' : 'status' },
    h(doc, 'span', { class: 'text' }, text),
    close,
  );
  close.addEventListener('click', () => p.remove());
  return p;
}

/** The error area of a panel, right under its title (made on first use). */
function panelErrors(panel: HTMLElement): HTMLElement {
  const found = panel.querySelector<HTMLElement>(':scope > .panel-errors');
  if (found) return found;
  const box = panel.ownerDocument.createElement('div');
  box.className = 'panel-errors';
  const title = panel.querySelector(':scope > h2');
  if (title) title.after(box);
  else panel.prepend(box);
  return box;
}

const ALL: readonly PanelName[] = ['neuron', 'encoding', 'activity', 'train', 'load', 'nir'];
const MOUNTED = new WeakSet<Element>();
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

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
  const subscribers = new Set<(what: Change) => void>();
  let digits: DigitSet = { count: 0, images: new Uint8Array(0), labels: new Uint8Array(0) };
  let bundled: DigitSet | undefined;
  let trainSet: ImageSplit | undefined;
  let loadedMnistUrl: string | undefined;
  const state: SharedState = {
    image: new Float32Array(784),
    label: undefined,
    model: undefined,
    modelSource: undefined,
    digitIndex: undefined,
    step: undefined,
  };
  let opts: VisualizerUpdate = { ...options };
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
    error(text, panel) {
      console.error(`[snn visualizer] ${text}`);
      const box = panel ? panelErrors(panel) : notices;
      // The same message twice is shown once.
      for (const old of box.querySelectorAll('.error'))
        if (old.querySelector('.text')?.textContent === text) return;
      box.append(dismissible(doc, 'error', text));
    },
    clearError(panel) {
      panel.querySelector(':scope > .panel-errors')?.replaceChildren();
    },
    notice(text) {
      notices.append(dismissible(doc, 'notice', text));
    },
    backend: () => tf.getBackend() ?? 'none',
    backendPreference: () => opts.backend ?? 'auto',
    async switchBackend(name, why) {
      if (tf.getBackend() === name) return true;
      try {
        const choice = await useBackend([name], {
          loaders: browserLoaders(opts.wasmPaths),
          platform: 'browser',
        });
        backendStatus.textContent = `running on ${choice.name} (${why})`;
        container.dataset.backend = choice.name;
        return true;
      } catch {
        return false;
      }
    },
  };

  const backendId = nextId('backend');
  const backendSelect = h(
    doc,
    'select',
    { id: backendId },
    ...['auto', 'webgpu', 'webgl', 'wasm', 'cpu'].map((b) => h(doc, 'option', { value: b }, b)),
  );
  const backendLabel = h(doc, 'label', { for: backendId }, 'backend');
  const backendStatus = h(doc, 'span', { class: 'status' });
  if (opts.header !== false) {
    root.append(
      h(
        doc,
        'header',
        {},
        h(doc, 'h1', {}, 'Spiking neural networks, live'),
        backendLabel,
        backendSelect,
        backendStatus,
      ),
    );
  }
  root.append(notices);
  const body = h(doc, 'div', { class: 'panels' });
  root.append(body);

  const startBackend = async (pref: VisualizerBackend) => {
    const host = pref === 'host';
    backendSelect.hidden = host;
    backendLabel.hidden = host;
    if (host) {
      const name = await hostBackend();
      backendStatus.textContent = `running on the page's backend, ${name}`;
      container.dataset.backend = name;
      return;
    }
    backendSelect.value = pref;
    const choice = await startBrowserBackend(pref, opts.wasmPaths);
    const skipped = choice.attempts.filter((a) => !a.ok);
    backendStatus.textContent = `running on ${choice.name}`;
    container.dataset.backend = choice.name;
    const hint = (name: string) =>
      name === 'wasm' && opts.wasmPaths === undefined
        ? ' (the page did not say where its WebAssembly files are: set wasmPaths)'
        : '';
    if (pref !== 'auto' && choice.name !== pref)
      ctx.error(
        `${pref} could not start: ${browserReason(skipped.find((a) => a.name === pref))}${hint(pref)}. Computing with ${choice.name} instead.`,
      );
    else if (skipped.length > 0 && pref === 'auto')
      ctx.notice(
        `Computing with ${choice.name}. Not used: ${skipped.map((a) => `${a.name}, because ${browserReason(a)}${hint(a.name)}`).join('; ')}.`,
      );
  };

  const showDigit = (set: DigitSet) => {
    digits = set;
    state.image = set.count > 0 ? digitImage(set, 0) : new Float32Array(784);
    state.label = set.labels[0];
    state.digitIndex = set.count > 0 ? 0 : undefined;
    container.dataset.digits = String(set.count);
  };

  /** Full MNIST from `url`, or the bundled digits when there is no URL or it fails. */
  const loadDigits = async (url: string | undefined) => {
    loadedMnistUrl = url;
    if (url !== undefined) {
      try {
        const base = new URL(url, doc.location?.href ?? undefined).href;
        const mnist = await loadMnistFromUrl(base, {
          onProgress: (p) => {
            backendStatus.textContent = `loading MNIST ${p.file}: ${(p.loaded / 1e6).toFixed(1)} MB`;
          },
        });
        trainSet = mnist.train;
        showDigit({ count: mnist.test.count, images: mnist.test.images, labels: mnist.test.labels });
        ctx.notice(`loaded ${mnist.description}`);
        return;
      } catch (error) {
        ctx.error(`could not load MNIST from ${url}: ${message(error)}; using the bundled digits`);
      } finally {
        backendStatus.textContent = `running on ${tf.getBackend()}`;
      }
    }
    trainSet = undefined;
    bundled ??= await bundledDigits();
    showDigit(bundled);
  };

  const mountPanels = () => {
    for (const p of panels) p.destroy();
    panels = [];
    if (destroyed) return;
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
      ctx.error(`no tfjs backend could start: ${message(error)}`);
      return;
    }
    await loadDigits(opts.mnistUrl);
    mountPanels();
    // For hosts and tests: the backend is up and the panels are drawn.
    container.dataset.ready = 'true';
  })();

  // Updates and backend switches run one after another.
  let queue: Promise<void> = ready;
  const enqueue = (task: () => Promise<void>): Promise<void> => {
    const next = queue.then(task);
    queue = next.catch(() => undefined);
    return next;
  };

  listeners.on(backendSelect, 'change', () =>
    enqueue(async () => {
      opts = { ...opts, backend: backendSelect.value as BackendName | 'auto' };
      await startBackend(opts.backend ?? 'auto');
      mountPanels();
    }).catch((error) => ctx.error(`backend switch failed: ${message(error)}`)),
  );

  return {
    ready,
    panels: () => panels,
    update: (next) =>
      enqueue(async () => {
        if (destroyed) return;
        const before = opts;
        opts = { ...opts, ...next };
        if ((opts.backend ?? 'auto') !== (before.backend ?? 'auto'))
          await startBackend(opts.backend ?? 'auto');
        if (opts.mnistUrl !== loadedMnistUrl) await loadDigits(opts.mnistUrl);
        mountPanels();
      }),
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
