import type { BackendName } from '@snn/core';
import { DataLoader, type ImageSplit } from '@snn/datasets';
import { adam, fit, modelFiles } from '@snn/train';
import { ensureGradients } from '../backend.js';
import { lineChart } from '../chart.js';
import type { Panel, PanelContext } from '../context.js';
import { h, Listeners, nextId, slider } from '../dom.js';
import { tutorialModel } from '../network.js';
import { efficiencyMeter } from './efficiency.js';

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

/** Exponential moving average of `xs` with weight `beta` on the past (bias-corrected). */
export function smoothed(xs: readonly number[], beta = 0.9): number[] {
  let m = 0;
  return xs.map((x, k) => {
    m = beta * m + (1 - beta) * x;
    return m / (1 - beta ** (k + 1));
  });
}

/**
 * Times one training batch (the second: the first compiles shaders) of the tutorial model on each
 * backend that starts, and returns the fastest with every time measured (ms).
 */
async function timedChoice(
  ctx: PanelContext,
  train: ImageSplit,
  hidden: number,
  batchSize: number,
): Promise<{ best: string; times: Record<string, number> }> {
  const candidates: BackendName[] =
    ctx.backend() === 'webgpu' ? ['webgpu', 'webgl', 'wasm'] : ['webgl', 'wasm'];
  const times: Record<string, number> = {};
  for (const name of candidates) {
    if (!(await ctx.switchBackend(name, 'timing one training batch'))) continue;
    const m = tutorialModel(hidden, 1);
    const optimizer = adam(1e-3);
    const stamps: number[] = [];
    try {
      const loader = new DataLoader(train, { batchSize, seed: 1, limit: 2 * batchSize });
      const t0 = performance.now();
      await fit(m, loader, {
        epochs: 1,
        optimizer,
        callbacks: { onBatchEnd: () => void stamps.push(performance.now()) },
      });
      times[name] = stamps.length >= 2 ? stamps[1]! - stamps[0]! : (stamps[0] ?? performance.now()) - t0;
    } catch {
      // A backend that cannot train is simply not a candidate.
    } finally {
      optimizer.dispose();
      m.dispose();
    }
  }
  const best = Object.entries(times).sort((a, b) => a[1] - b[1])[0]?.[0] ?? ctx.backend();
  await ctx.switchBackend(best as BackendName, 'fastest for training by one timed batch');
  return { best, times };
}

/**
 * Panel 4, train in the browser: the tutorial's recurrent model on the bundled digits for a chosen
 * number of epochs or until the test accuracy stops improving; the batch loss on a log axis with
 * its moving average, train and test accuracy per epoch, the time per batch; controls locked while
 * it runs; start, pause, stop; export of the trained weights in the @snn/train format. Under
 * `backend: 'auto'` it first times one batch on each backend and trains on the fastest.
 */
export function mountTrainPanel(root: HTMLElement, ctx: PanelContext): Panel {
  const doc = ctx.doc;
  const listeners = new Listeners();
  const element = h(
    doc,
    'section',
    { class: 'panel', 'aria-label': 'Train in the browser' },
    h(doc, 'h2', {}, 'Train in the browser'),
    h(
      doc,
      'p',
      { class: 'explain' },
      'Training adjusts the weights to lower the loss: the negative log-probability the network gives the right digit (its readout voltages, max over time, through a softmax). The spike is a hard step, so the gradient flows through the surrogate derivative shown in the neuron playground. The test accuracy is measured on digits the network never trains on; when it stops rising while the training accuracy keeps climbing, the network is memorising: early stopping ends the run there.',
    ),
    h(doc, 'p', { class: 'equation' }, 'loss = −log softmax(max_t v_readout)[label];  w ← Adam(w, ∂loss/∂w)'),
  );
  root.append(element);
  let hidden = 100;
  let batchSize = 32;
  let lr = 2e-3;
  let epochs = 10;
  let earlyStop = true;
  const start = h(doc, 'button', { type: 'button', class: 'primary' }, 'start');
  const pause = h(doc, 'button', { type: 'button', disabled: true }, 'pause');
  const stop = h(doc, 'button', { type: 'button', disabled: true }, 'stop');
  const exportButton = h(doc, 'button', { type: 'button', disabled: true }, 'export weights');
  const status = h(
    doc,
    'p',
    { class: 'status', 'aria-live': 'polite' },
    `ready: the tutorial model (T 32, Adam) on ${ctx.trainSet ? 'the loaded MNIST training set' : 'the bundled digits'}`,
  );
  const links = h(doc, 'p', { class: 'links' });
  const earlyId = nextId('early');
  const early = h(doc, 'input', { id: earlyId, type: 'checkbox', checked: true });
  const sliders = [
    slider(doc, 'hidden neurons', { min: 10, max: 200, step: 10, value: hidden }, (v) => (hidden = v)),
    slider(doc, 'batch size', { min: 8, max: 128, step: 8, value: batchSize }, (v) => (batchSize = v)),
    slider(doc, 'learning rate', { min: 0.0005, max: 0.01, step: 0.0005, value: lr }, (v) => (lr = v)),
    slider(doc, 'epochs', { min: 1, max: 50, step: 1, value: epochs }, (v) => (epochs = v)),
  ];
  element.append(
    h(
      doc,
      'div',
      { class: 'controls' },
      ...sliders.map((s) => s.row),
      h(
        doc,
        'div',
        { class: 'row' },
        early,
        h(doc, 'label', { for: earlyId }, 'stop early when test accuracy has not improved for 3 epochs'),
      ),
    ),
    h(doc, 'div', { class: 'buttons' }, start, pause, stop, exportButton),
    status,
    links,
  );
  listeners.on(early, 'change', () => (earlyStop = early.checked));
  const charts = h(doc, 'div', { class: 'charts' });
  element.append(charts);
  const lossChart = lineChart(charts, {
    title: 'Training loss per batch (log scale)',
    xLabel: 'batch',
    yLabel: 'NLL loss',
    series: [
      { name: 'batch', color: '#9a9a9a' },
      { name: 'moving average', color: '#0072B2' },
    ],
    yLog: true,
  });
  const accChart = lineChart(charts, {
    title: 'Accuracy per epoch',
    xLabel: 'epoch',
    yLabel: 'accuracy (%)',
    series: [
      { name: 'train', color: '#D55E00' },
      { name: 'test', color: '#0072B2' },
    ],
    directLabels: true,
  });
  const meter = efficiencyMeter(doc, 'Efficiency of the trained network on test digits');
  element.append(meter.element);
  let phase: 'idle' | 'timing' | 'running' | 'paused' | 'stopping' = 'idle';
  const now = () => phase;
  let resume: (() => void) | undefined;
  let stopper: AbortController | undefined;
  let destroyed = false;
  const losses: number[] = [];
  const trainAcc: number[] = [];
  const testAcc: number[] = [];

  const setButtons = () => {
    const busy = phase !== 'idle';
    start.disabled = phase === 'running' || phase === 'stopping' || phase === 'timing';
    start.textContent = phase === 'paused' ? 'resume' : 'start';
    pause.disabled = phase !== 'running';
    stop.disabled = !busy || phase === 'stopping' || phase === 'timing';
    exportButton.disabled = ctx.state.model === undefined || busy;
    for (const s of sliders) s.input.disabled = busy;
    early.disabled = busy;
    element.dataset.phase = phase;
    element.setAttribute('aria-busy', String(phase === 'running' || phase === 'timing'));
    status.classList.toggle('busy', phase === 'timing' || phase === 'stopping');
  };

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
    if (ctx.backendPreference() === 'auto') {
      status.textContent = 'choosing the fastest backend: timing one training batch on each';
      const { best, times } = await timedChoice(ctx, train, hidden, batchSize);
      element.dataset.timedBackends = JSON.stringify(times);
      element.dataset.chosenBackend = best;
      status.textContent = `one batch took ${Object.entries(times)
        .map(([b, ms]) => `${ms.toFixed(0)} ms on ${b}`)
        .join(', ')}: training on ${best}`;
      if (destroyed || now() !== 'timing') {
        phase = 'idle';
        if (!destroyed) setButtons();
        return;
      }
    }
    phase = 'running';
    setButtons();
    const m = tutorialModel(hidden, 1);
    const optimizer = adam(lr);
    const trainLoader = new DataLoader(train, { batchSize, seed: 1 });
    const testLoader = new DataLoader(test, { batchSize: 100, shuffle: false });
    stopper = new AbortController();
    losses.length = 0;
    trainAcc.length = 0;
    testAcc.length = 0;
    let step = 0;
    let best = -1;
    let sinceBest = 0;
    let last = performance.now();
    let why = 'stopped';
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    try {
      await fit(m, trainLoader, {
        epochs,
        optimizer,
        testLoader,
        signal: stopper.signal,
        callbacks: {
          onBatchBegin: () => {
            last = performance.now();
            return now() === 'paused' ? new Promise<void>((r) => (resume = r)) : undefined;
          },
          onBatchEnd: async (l) => {
            const batchMs = performance.now() - last;
            losses.push(l.loss);
            step++;
            lossChart.setData(
              Float64Array.from(losses, (_, k) => k + 1),
              [losses, smoothed(losses)],
            );
            status.textContent = `epoch ${l.epoch + 1} of ${epochs}, batch ${l.batch + 1} of ${l.batches}: loss ${l.loss.toFixed(3)}; ${batchMs.toFixed(0)} ms per batch (${l.samplesPerSecond.toFixed(0)} samples/s) on ${ctx.backend()}`;
            element.dataset.batches = String(step);
            element.dataset.batchMs = String(batchMs);
            element.dataset.lossStart = String(mean(losses.slice(0, 3)));
            element.dataset.lossRecent = String(mean(losses.slice(-3)));
            await new Promise((r) => setTimeout(r, 0));
          },
          onEpochEnd: async (e) => {
            trainAcc.push(100 * e.trainAccuracy);
            testAcc.push(100 * (e.testAccuracy ?? 0));
            accChart.setData(
              Float64Array.from(testAcc, (_, k) => k + 1),
              [trainAcc, testAcc],
            );
            element.dataset.epochs = String(testAcc.length);
            if (ctx.state.model !== m) ctx.state.model?.dispose();
            ctx.state.model = m;
            ctx.state.modelSource = `trained in the browser: ${e.epoch + 1} epoch(s), test accuracy ${(100 * (e.testAccuracy ?? 0)).toFixed(1)}%`;
            ctx.changed('model');
            setButtons();
            await meter.measure(m, test);
            const acc = e.testAccuracy ?? 0;
            if (acc > best) {
              best = acc;
              sinceBest = 0;
            } else if (++sinceBest >= 3 && earlyStop) {
              why = `stopped early: no better test accuracy for 3 epochs (best ${(100 * best).toFixed(1)}%)`;
              stopper?.abort();
            }
          },
        },
      });
      if (why === 'stopped' && !stopper.signal.aborted) why = `finished ${epochs} epoch(s)`;
      ctx.clearError(element);
    } catch (error) {
      ctx.error(`training: ${error instanceof Error ? error.message : String(error)}`, element);
    } finally {
      optimizer.dispose();
      if (ctx.state.model !== m) m.dispose();
      phase = 'idle';
      if (!destroyed) {
        status.textContent = `${why} after ${step} batches${ctx.state.model ? `; ${ctx.state.modelSource}` : ''}`;
        element.dataset.outcome = why;
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
      phase = ctx.backendPreference() === 'auto' ? 'timing' : 'running';
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
