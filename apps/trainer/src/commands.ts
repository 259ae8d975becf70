import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BACKENDS, type BackendName, explainLoadFailure } from '@snn/core';
import { DATASETS, DataLoader, type DatasetId, type ImageDataset } from '@snn/datasets';
import { defaultCacheDir, loadDataset } from '@snn/datasets/node';
import { hasSimdKernels } from '@snn/neurons';
import { adam, batchMetrics, CheckpointError, evaluate, trainStep } from '@snn/train';
import { loadCheckpoint, loadModel } from '@snn/train/node';
import * as tf from '@tensorflow/tfjs-core';
import { describeChoice, LOADERS, startBackend } from './backend.js';
import { makeModel } from './build.js';
import { composedModel } from './composed.js';
import { loadRunDataset, makeLoaders } from './data.js';
import { type BackendReport, tensorflowGpuReport, webgpuReport } from './gpu.js';
import { type LaunchReport, launchReport } from './launches.js';
import { DEFAULTS, PRESETS, type TrainOptions } from './options.js';
import type { Reporter } from './report.js';
import { readRunConfig } from './run-dir.js';
import { startThreads } from './threads.js';

/**
 * `snn-train eval <run dir>`: the saved model (or a checkpoint: the one named, else the latest
 * when the run has no final model) on the run's test set. Every file is read confined to the run
 * directory and checked; a bad one is a `CheckpointError` naming it.
 */
export async function runEval(
  runDir: string,
  flags: { backend?: BackendName | 'auto'; dataDir?: string; checkpoint?: string; allowUnverified?: boolean },
  report: Reporter,
): Promise<{ accuracy: number; loss: number; samples: number }> {
  const dir = resolve(runDir);
  const { options } = await readRunConfig(dir);
  const o: TrainOptions = {
    ...options,
    ...(flags.dataDir ? { dataDir: flags.dataDir } : {}),
    ...(flags.allowUnverified ? { allowUnverified: true } : {}),
  };
  const choice = await startBackend(flags.backend ?? o.backend);
  for (const line of describeChoice(choice)) report.info(line);
  const ds = await loadRunDataset(o, report);
  const m = makeModel(o, ds.info.classes.length);
  const optimizer = adam(o.lr);
  try {
    if (flags.checkpoint !== undefined)
      await loadCheckpoint(dir, m, optimizer, { checkpoint: flags.checkpoint });
    else if (existsSync(join(dir, 'model', 'model.json')))
      await loadModel(m, join(dir, 'model'), { root: dir });
    else {
      report.warn('no final model in this run (it was stopped): evaluating its latest checkpoint');
      await loadCheckpoint(dir, m, optimizer);
    }
  } catch (error) {
    m.dispose();
    throw error;
  } finally {
    optimizer.dispose();
  }
  const { test } = makeLoaders(o, ds);
  // The run's threads setting (`auto` unless it chose a number): the conv net's test set on every core.
  const parallel = await startThreads(o, ds.info.classes.length, choice.name, report);
  try {
    const result = await evaluate(m, test, {
      ...(parallel ? { metrics: parallel.metrics } : {}),
      ...(o.microBatch ? { microBatchSize: o.microBatch } : {}),
    });
    return { ...result, samples: test.size };
  } finally {
    await parallel?.close();
    m.dispose();
  }
}

/** What `snn-train info` reports. */
export interface InfoReport {
  node: string;
  platform: string;
  cpus: number;
  memoryGiB: number;
  /** Each backend: whether it runs here, why not, and for the GPU ones what they found. */
  backends: BackendReport[];
  datasets: { id: string; envVar: string; env: string | null; cache: string; cached: boolean }[];
  /** Whether @snn/neurons' event-driven kernels run in WebAssembly SIMD (else plain JavaScript). */
  simdKernels: boolean;
}

/**
 * `snn-train info`: Node, the backends that load here (and why the others do not: for tfjs-node-gpu
 * the driver, CUDA and cuDNN libraries and binding, for webgpu the package, driver and adapter),
 * dataset caches.
 */
export async function runInfo(): Promise<InfoReport> {
  const os = await import('node:os');
  const backends: InfoReport['backends'] = [await tensorflowGpuReport()];
  for (const name of ['tensorflow', 'wasm', 'cpu'] as const) {
    const info = BACKENDS[name];
    const load = LOADERS[name] ?? (() => import(/* @vite-ignore */ info.packageName));
    try {
      await load();
      backends.push({ name, available: true, detail: `${info.packageName} loads` });
    } catch (error) {
      backends.push({ name, available: false, detail: explainLoadFailure(info, error) });
    }
  }
  // Started (to learn its adapter) and released again; listed before wasm, as 'auto' tries it.
  backends.splice(2, 0, await webgpuReport(LOADERS.webgpu!));
  const datasets = Object.values(DATASETS).map((d) => {
    const cache = defaultCacheDir(d.id as DatasetId);
    const cached = Object.values(d.files).every((f) => existsSync(join(cache, f.name)));
    return { id: d.id, envVar: d.envVar, env: process.env[d.envVar] ?? null, cache, cached };
  });
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    backends,
    datasets,
    simdKernels: hasSimdKernels(),
  };
}

/** The digits the benchmark feeds: MNIST where it is on this machine (no download), else the offline subset. */
async function benchDataset(dataDir: string | undefined, report: Reporter): Promise<ImageDataset> {
  const ds = await loadDataset('mnist', {
    ...(dataDir === undefined ? {} : { dir: dataDir }),
    download: false,
    allowOfflineSubset: true,
  });
  report.info(`bench inputs: the first batch of ${ds.description}`);
  return ds;
}

/** One benchmark result. */
export interface BenchResult {
  model: string;
  /** The preset network (`recurrentSNN`/`convSNN`) or the same model composed from the public layers. */
  definition: 'preset' | 'composed';
  /** Fused kernels (true) or the reference composition (false). */
  fused: boolean;
  backend: string;
  batchSize: number;
  /** Gradient slices of a training batch (none: the whole batch at once). */
  microBatch: number | undefined;
  /** Threads computing a training batch's gradients. */
  threads: number;
  seqLength: number;
  trainBatchSeconds: number;
  testBatchSeconds: number;
  trainSamplesPerSecond: number;
  peakRssGiB: number;
  numTensors: number;
  repeats: number;
  /** Launches of a training step and what each time step adds (GPU backends, or `--launches`). */
  launches?: LaunchReport;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * `snn-train bench`: median time of a training batch and of a test batch (after warm-up) of the
 * tutorial's models on the active backend, with peak RSS and the live tensor count.
 */
export async function runBench(
  flags: {
    models: ('recurrent' | 'conv')[];
    backend: BackendName | 'auto';
    batchSize: number;
    repeats: number;
    warmup: number;
    seqLength?: number;
    hidden: number;
    /** Fused kernels where they apply (default); `false` times the reference composition. */
    fused?: boolean;
    /** Where MNIST is (else `SNN_MNIST_DIR`, the cache, the offline subset). */
    dataDir?: string;
    /** Gradient slices (default: the presets', i.e. 16 for conv, none for recurrent). */
    microBatch?: number;
    /** Gradient threads (default `auto`: every core on wasm/cpu). */
    threads?: number | 'auto';
    /** Also time each model composed from the public layers with `sequential` (default true). */
    composed?: boolean;
    /** Count launches per training step and per time step (default: on webgl/webgpu). */
    launches?: boolean;
  },
  report: Reporter,
): Promise<BenchResult[]> {
  const choice = await startBackend(flags.backend);
  for (const line of describeChoice(choice)) report.info(line);
  const results: BenchResult[] = [];
  const ds = await benchDataset(flags.dataDir, report);
  const runs = flags.models.flatMap((kind) =>
    (flags.composed ?? true)
      ? ([
          [kind, 'preset'],
          [kind, 'composed'],
        ] as const)
      : ([[kind, 'preset']] as const),
  );
  for (const [kind, definition] of runs) {
    const seqLength = flags.seqLength ?? (kind === 'conv' ? 48 : 32);
    const microBatch =
      flags.microBatch ?? (kind === 'conv' ? PRESETS['tutorial-conv']!.microBatch : undefined);
    const o: TrainOptions = {
      ...DEFAULTS,
      model: kind,
      seqLength,
      hidden: flags.hidden,
      batchSize: flags.batchSize,
    };
    const m =
      definition === 'composed' ? composedModel(o, 10) : makeModel(o, 10, undefined, flags.fused ?? true);
    const optimizer = adam(o.lr);
    const parallel = await startThreads(
      { ...o, threads: flags.threads ?? 'auto' },
      10,
      choice.name,
      report,
      undefined,
      definition === 'composed' ? { composed: true } : {},
    );
    const stepOptions = {
      ...(microBatch ? { microBatchSize: microBatch } : {}),
      ...(parallel ? { gradients: parallel.gradients } : {}),
    };
    // Real digits: event-driven kernels cost what the spikes cost, so random pixels would mislead.
    // The first batch of MNIST's train split (found as `train` finds it, never downloaded here;
    // else the offline subset), normalised as in training.
    const loader = new DataLoader(ds.train, {
      batchSize: flags.batchSize,
      shuffle: false,
      normalize: { mean: ds.info.mean, std: ds.info.std },
    });
    const batch = () => loader.batches(0).next().value!;
    const trainTimes: number[] = [];
    const testTimes: number[] = [];
    for (let r = 0; r < flags.warmup + flags.repeats; r++) {
      const t0 = performance.now();
      await trainStep(m, batch(), optimizer, stepOptions);
      if (r >= flags.warmup) trainTimes.push((performance.now() - t0) / 1000);
      report.info(
        `${kind} (${definition}): train batch ${r + 1}/${flags.warmup + flags.repeats} ${((performance.now() - t0) / 1000).toFixed(3)} s${r < flags.warmup ? ' (warm-up)' : ''}`,
      );
    }
    for (let r = 0; r < flags.warmup + flags.repeats; r++) {
      const b = batch();
      const t0 = performance.now();
      // Forward, loss and hits, split across the threads as the test pass of a run is.
      await (parallel?.metrics ?? batchMetrics)(m, b, microBatch ? { microBatchSize: microBatch } : {});
      if (r >= flags.warmup) testTimes.push((performance.now() - t0) / 1000);
      tf.dispose([b.images, b.labels]);
    }
    const trainBatchSeconds = median(trainTimes);
    const launches =
      (flags.launches ?? (choice.name === 'webgpu' || choice.name === 'webgl'))
        ? await launchReport(seqLength, (T) => {
            const model =
              definition === 'composed'
                ? composedModel({ ...o, seqLength: T }, 10)
                : makeModel({ ...o, seqLength: T }, 10, undefined, flags.fused ?? true);
            const opt = adam(o.lr);
            const slices = microBatch ? { microBatchSize: microBatch } : {};
            return {
              run: async () => {
                await trainStep(model, batch(), opt, slices);
              },
              dispose: () => {
                opt.dispose();
                model.dispose();
              },
            };
          })
        : undefined;
    if (launches)
      report.info(
        `${kind} (${definition}): ${launches.perTrainStep} ${launches.unit} per training step, ${launches.perTimeStep} per time step`,
      );
    results.push({
      model: kind,
      definition,
      fused: flags.fused ?? true,
      backend: choice.name,
      batchSize: flags.batchSize,
      microBatch,
      threads: parallel?.threads ?? 1,
      seqLength,
      trainBatchSeconds,
      testBatchSeconds: median(testTimes),
      trainSamplesPerSecond: flags.batchSize / trainBatchSeconds,
      peakRssGiB: process.resourceUsage().maxRSS / 2 ** 20,
      numTensors: tf.memory().numTensors,
      repeats: flags.repeats,
      ...(launches ? { launches } : {}),
    });
    await parallel?.close();
    optimizer.dispose();
    m.dispose();
  }
  return results;
}

/** The bench results as a table. */
export function benchTable(results: BenchResult[]): string {
  const rows = [
    [
      'model',
      'defined as',
      'path',
      'backend',
      'batch',
      'slices of',
      'threads',
      'T',
      'train batch (s)',
      'test batch (s)',
      'train samples/s',
      'peak RSS (GiB)',
      'tensors',
      'launches/step',
      'per time step',
    ],
    ...results.map((r) => [
      r.model,
      r.definition === 'composed' ? 'sequential(...)' : 'preset',
      r.definition === 'composed' || r.fused ? 'fused' : 'reference',
      r.backend,
      String(r.batchSize),
      r.microBatch ? String(r.microBatch) : '-',
      String(r.threads),
      String(r.seqLength),
      r.trainBatchSeconds.toFixed(3),
      r.testBatchSeconds.toFixed(3),
      r.trainSamplesPerSecond.toFixed(0),
      r.peakRssGiB.toFixed(2),
      String(r.numTensors),
      r.launches ? String(r.launches.perTrainStep) : '-',
      r.launches ? String(r.launches.perTimeStep) : '-',
    ]),
  ];
  const w = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padStart(w[c]!)).join('  ')).join('\n');
}

export { CheckpointError };
