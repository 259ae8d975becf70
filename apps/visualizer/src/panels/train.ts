import { DataLoader, type ImageSplit } from '@snn/datasets';
import { adam, fit, modelFiles } from '@snn/train';
import { ensureGradients } from '../backend.js';
import { lineChart } from '../chart.js';
import type { Panel, PanelContext } from '../context.js';
import { h, Listeners, slider } from '../dom.js';
import { tutorialModel } from '../network.js';

/** Splits the bundled digits: the first 80% to train, the rest to test. */
export function splitDigits(ctx: PanelContext): { train: ImageSplit; test: ImageSplit } {
  const { count, images, labels } = ctx.digits;
  if (ctx.trainSet) {
    // Loaded MNIST: train on its training set, test on (the first 1,000 of) its test set.
    const n = Math.min(count, 1000);
    return {
      train: ctx.trainSet,
      test: {
        count: n,
        rows: 28,
        cols: 28,
        images: images.subarray(0, n * 784),
        labels: labels.subarray(0, n),
      },
    };
  }
  const n = Math.floor(count * 0.8);
  const part = (a: number, b: number): ImageSplit => ({
    count: b - a,
    rows: 28,
    cols: 28,
    images: images.subarray(a * 784, b * 784),
    labels: labels.subarray(a, b),
  });
  return { train: part(0, n), test: part(n, count) };
}

/**
 * Panel 4, train in the browser: the tutorial's recurrent model on the bundled digits, with live
 * loss and accuracy charts, samples per second and the backend; start, pause, stop; export of the
 * trained weights in the @snn/train format. It yields to the page between batches.
 */
export function mountTrainPanel(root: HTMLElement, ctx: PanelContext): Panel {
  const doc = ctx.doc;
  const listeners = new Listeners();
  const element = h(
    doc,
    'section',
    { class: 'panel', 'aria-label': 'Train in the browser' },
    h(doc, 'h2', {}, 'Train in the browser'),
  );
  root.append(element);
  let hidden = 100;
  let batchSize = 32;
  let lr = 2e-3;
  const start = h(doc, 'button', { type: 'button', class: 'primary' }, 'start');
  const pause = h(doc, 'button', { type: 'button', disabled: true }, 'pause');
  const stop = h(doc, 'button', { type: 'button', disabled: true }, 'stop');
  const exportButton = h(doc, 'button', { type: 'button', disabled: true }, 'export weights');
  const status = h(
    doc,
    'p',
    { class: 'status', 'aria-live': 'polite' },
    ctx.trainSet
      ? 'ready: the tutorial model (T 32, 100 hidden, Adam) on the loaded MNIST training set'
      : 'ready: the tutorial model (T 32, 100 hidden, Adam) on the bundled digits',
  );
  const links = h(doc, 'p', { class: 'links' });
  element.append(
    h(
      doc,
      'div',
      { class: 'controls' },
      slider(doc, 'hidden neurons', { min: 10, max: 200, step: 10, value: hidden }, (v) => (hidden = v)).row,
      slider(doc, 'batch size', { min: 8, max: 128, step: 8, value: batchSize }, (v) => (batchSize = v)).row,
      slider(doc, 'learning rate', { min: 0.0005, max: 0.01, step: 0.0005, value: lr }, (v) => (lr = v)).row,
    ),
    h(doc, 'div', { class: 'buttons' }, start, pause, stop, exportButton),
    status,
    links,
  );
  const charts = h(doc, 'div', { class: 'charts' });
  element.append(charts);
  const lossChart = lineChart(charts, {
    title: 'Training loss per batch',
    xLabel: 'batch',
    yLabel: 'NLL loss',
    series: [{ name: 'loss' }],
  });
  const accChart = lineChart(charts, {
    title: 'Test accuracy per epoch',
    xLabel: 'epoch',
    yLabel: 'accuracy (%)',
    series: [{ name: 'test', points: true }],
  });
  let phase: 'idle' | 'running' | 'paused' | 'stopping' = 'idle';
  // Read through a function: the phase changes while `run` awaits.
  const now = () => phase;
  let resume: (() => void) | undefined;
  let stopper: AbortController | undefined;
  let destroyed = false;
  const losses: number[] = [];
  const accuracies: number[] = [];

  const setButtons = () => {
    start.disabled = phase === 'running' || phase === 'stopping';
    start.textContent = phase === 'paused' ? 'resume' : 'start';
    pause.disabled = phase !== 'running';
    stop.disabled = phase === 'idle' || phase === 'stopping';
    exportButton.disabled = ctx.state.model === undefined || phase === 'running';
    element.dataset.phase = phase;
  };

  // The training loop is @snn/train's `fit`: pausing is its awaited onBatchBegin, stopping its signal.
  const run = async () => {
    try {
      await ensureGradients();
    } catch (error) {
      ctx.error(
        `training needs tfjs-core's gradients, which could not load: ${error instanceof Error ? error.message : String(error)}`,
        element,
      );
      phase = 'idle';
      setButtons();
      return;
    }
    const { train, test } = splitDigits(ctx);
    const m = tutorialModel(hidden, 1);
    const optimizer = adam(lr);
    const trainLoader = new DataLoader(train, { batchSize, seed: 1 });
    const testLoader = new DataLoader(test, { batchSize: 100, shuffle: false });
    stopper = new AbortController();
    losses.length = 0;
    accuracies.length = 0;
    let step = 0;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    try {
      await fit(m, trainLoader, {
        epochs: Number.POSITIVE_INFINITY,
        optimizer,
        testLoader,
        signal: stopper.signal,
        callbacks: {
          onBatchBegin: () => (now() === 'paused' ? new Promise<void>((r) => (resume = r)) : undefined),
          onBatchEnd: async (l) => {
            losses.push(l.loss);
            step++;
            lossChart.setData(
              Float64Array.from(losses, (_, k) => k + 1),
              [losses],
            );
            status.textContent = `epoch ${l.epoch + 1}, batch ${step}: loss ${l.loss.toFixed(3)}, ${l.samplesPerSecond.toFixed(0)} samples/s on ${ctx.backend()}`;
            element.dataset.batches = String(step);
            element.dataset.lossStart = String(mean(losses.slice(0, 3)));
            element.dataset.lossRecent = String(mean(losses.slice(-3)));
            // Let the page breathe between batches.
            await new Promise((r) => setTimeout(r, 0));
          },
          onEpochEnd: (e) => {
            accuracies.push(100 * (e.testAccuracy ?? 0));
            accChart.setData(
              Float64Array.from(accuracies, (_, k) => k + 1),
              [accuracies],
            );
            if (ctx.state.model !== m) ctx.state.model?.dispose();
            ctx.state.model = m;
            ctx.state.modelSource = `trained in the browser: ${e.epoch + 1} epoch(s), test accuracy ${(100 * (e.testAccuracy ?? 0)).toFixed(1)}%`;
            ctx.changed('model');
            setButtons();
          },
        },
      });
    } catch (error) {
      ctx.error(`training: ${error instanceof Error ? error.message : String(error)}`, element);
    } finally {
      optimizer.dispose();
      if (ctx.state.model !== m) m.dispose();
      phase = 'idle';
      if (!destroyed) {
        status.textContent = `stopped after ${step} batches${ctx.state.model ? `; ${ctx.state.modelSource}` : ''}`;
        setButtons();
      }
    }
  };

  listeners.on(start, 'click', () => {
    if (phase === 'paused') {
      phase = 'running';
      resume?.();
      resume = undefined;
    } else if (phase === 'idle') {
      phase = 'running';
      void run();
    }
    setButtons();
  });
  listeners.on(pause, 'click', () => {
    phase = 'paused';
    status.textContent += ' (paused)';
    setButtons();
  });
  listeners.on(stop, 'click', () => {
    const wasPaused = phase === 'paused';
    phase = 'stopping';
    stopper?.abort();
    if (wasPaused) resume?.();
    setButtons();
  });
  listeners.on(exportButton, 'click', async () => {
    const m = ctx.state.model;
    if (!m) return;
    // The files snn-train writes to <run>/model/, laid out by @snn/train.
    const files = await modelFiles(m);
    const make = (name: string, blob: Blob) => {
      const link = h(doc, 'a', { href: URL.createObjectURL(blob), download: name }, name);
      listeners.add(() => URL.revokeObjectURL(link.href));
      return link;
    };
    links.replaceChildren(
      'download: ',
      make('model.json', new Blob([files.modelJson], { type: 'application/json' })),
      ' ',
      make('weights.bin', new Blob([files.weights as Uint8Array<ArrayBuffer>])),
    );
  });
  ctx.subscribe((what) => {
    if (what === 'model') setButtons();
  }, listeners);
  setButtons();
  return {
    title: 'Train in the browser',
    element,
    destroy() {
      destroyed = true;
      stopper?.abort();
      resume?.();
      listeners.dispose();
      lossChart.destroy();
      accChart.destroy();
      element.remove();
    },
  };
}
