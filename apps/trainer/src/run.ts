import { join, resolve } from 'node:path';
import type { RandomState } from '@snn/core';
import type { ImageDataset } from '@snn/datasets';
import {
  adam,
  type BatchLog,
  type EpochLog,
  evaluate,
  fit,
  getLearningRate,
  type Model,
  model,
  setLearningRate,
  TrainingDivergedError,
  type TrainingProgress,
} from '@snn/train';
import {
  checkWritableInside,
  type DataParallel,
  loadCheckpoint,
  saveCheckpoint,
  saveModel,
} from '@snn/train/node';
import type * as tf from '@tensorflow/tfjs-core';
import { describeChoice, startBackend } from './backend.js';
import { encoderRngState, makeEncoder, makeModel } from './build.js';
import { datasetRecord, loadRunDataset, makeLoaders } from './data.js';
import { efficiencyBatch, efficiencyColumns, runEfficiency } from './efficiency.js';
import { writePlots } from './figures.js';
import { stallWatch } from './health.js';
import { FLAGS, type TrainOptions, UsageError } from './options.js';
import type { Reporter } from './report.js';
import {
  checkNewRunDir,
  createRunDir,
  defaultRunDir,
  lockRunDir,
  MetricsLog,
  type RunConfig,
  removeRunTemporaries,
  writeRunFile,
} from './run-dir.js';
import { type ResumeRecord, writeSummary } from './summary.js';
import { startThreads } from './threads.js';
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

/** Continuing a run: its directory, its saved config, the options given anew, a checkpoint to start from. */
export interface ResumeRequest {
  readonly dir: string;
  readonly config: RunConfig;
  /** The options given on the command line (they override the saved ones where allowed). */
  readonly given: Partial<TrainOptions>;
  /** A checkpoint folder name instead of the latest. */
  readonly checkpoint?: string;
}

/** Options that define a run: changing them on resume would make it another run. */
const FIXED: readonly (keyof TrainOptions)[] = [
  'model',
  'encoder',
  'seqLength',
  'hidden',
  'batchSize',
  'seed',
  'dataset',
  'limitTrain',
  'fMax',
  'epochSize',
];

/**
 * The options of a resumed run: the saved ones, with the given ones where they may change (epochs,
 * learning rate, threads, micro-batches, checkpoints, backend, data folder, test limit).
 * @throws UsageError naming an option that defines the run and was given another value.
 */
export function resumeOptions(saved: TrainOptions, given: Partial<TrainOptions>): TrainOptions {
  for (const key of FIXED) {
    const value = given[key];
    if (value !== undefined && value !== saved[key])
      throw new UsageError(
        `${FLAGS[key]} cannot change when resuming (the run has ${String(saved[key])}, you gave ${String(value)}): ` +
          'that would be another run. Start a new one with --out.',
        key,
      );
  }
  const merged = { ...saved };
  for (const [k, v] of Object.entries(given)) if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
  return merged;
}

/** The data a resumed run trains on must be the data it trained on. */
function checkSameData(config: RunConfig, ds: ImageDataset, runDir: string): void {
  const before = config.dataset as { id?: unknown; subset?: unknown; trainSplit?: unknown } | undefined;
  if (!before) return;
  const now = { id: ds.info.id, subset: ds.subset, trainSplit: ds.train.count };
  const differs =
    before.id !== now.id ||
    before.subset !== now.subset ||
    (before.trainSplit !== undefined && before.trainSplit !== now.trainSplit);
  if (differs)
    throw new UsageError(
      `${runDir} trained on ${before.subset ? 'the offline MNIST subset' : String(before.id)}` +
        `${before.trainSplit ? ` (${String(before.trainSplit)} training images)` : ''}, but this time the data is ${ds.description}. ` +
        'Resume with the same data (the same --data-dir or SNN_MNIST_DIR), or start a new run.',
    );
}

/** Where a resumed run continues, in words. */
function describeResume(p: TrainingProgress, batches: number): string {
  const done = p.history.some((h) => h.epoch === p.epoch);
  if (p.nextBatch >= batches && done) return `after epoch ${p.epoch + 1} (at epoch ${p.epoch + 2}, batch 1)`;
  if (p.nextBatch >= batches)
    return `at the end of epoch ${p.epoch + 1} (its test pass was interrupted: it runs first)`;
  return `at epoch ${p.epoch + 1}, batch ${p.nextBatch + 1}`;
}

/**
 * Trains as the options say, into a run directory: config.json, metrics.csv/.jsonl, checkpoints,
 * the final model, PNG plots and summary.md. With `resume`, continues that run from its latest
 * checkpoint (or the one named), bit for bit as if it had not stopped. A new run refuses a
 * directory that holds files unless `overwrite` (which moves them aside); nothing is written
 * before the options, the data and the model are known to be good.
 */
export async function runTrain(
  o: TrainOptions,
  report: Reporter,
  run: { signal?: AbortSignal; resume?: ResumeRequest; overwrite?: boolean } = {},
): Promise<RunResult> {
  const { resume, signal } = run;
  const runDir = resolve(resume?.dir ?? o.out ?? defaultRunDir(o));
  if (!resume) await checkNewRunDir(runDir, run.overwrite ?? false);
  const choice = await startBackend(o.backend);
  for (const line of describeChoice(choice)) report.info(line);
  const ds = await loadRunDataset(o, report);
  const classes = ds.info.classes.length;
  if (resume) checkSameData(resume.config, ds, runDir);
  const { train, test } = makeLoaders(o, ds);

  const optimizer = adam(o.lr);
  let m: Model;
  let progress: TrainingProgress | undefined;
  let workerStates: (RandomState | undefined)[] | undefined;
  const resumes: ResumeRecord[] = [...((resume?.config.resumes as ResumeRecord[] | undefined) ?? [])];
  let lock: { release(): Promise<void> };
  if (resume) {
    lock = await lockRunDir(runDir);
    try {
      const removed = await removeRunTemporaries(runDir);
      if (removed.length) report.info(`removed what a killed run left half-written: ${removed.join(', ')}`);
      const probe = makeModel(o, classes);
      const meta = await loadCheckpoint(
        runDir,
        probe,
        optimizer,
        resume.checkpoint ? { checkpoint: resume.checkpoint } : {},
      );
      const extra = (meta.extra ?? {}) as { rng?: RandomState; workers?: (RandomState | undefined)[] };
      workerStates = extra.workers;
      // The restored network (its variables are the ones the optimizer's moments belong to) with
      // an encoder that continues the restored generator.
      m = model({ encoder: makeEncoder(o, extra.rng), network: probe.network });
      progress = meta.progress;
      const changed: Record<string, { from: unknown; to: unknown }> = {};
      const savedLr = getLearningRate(optimizer);
      if (resume.given.lr !== undefined && resume.given.lr !== savedLr) {
        setLearningRate(optimizer, resume.given.lr);
        changed.lr = { from: savedLr, to: resume.given.lr };
      }
      for (const [k, v] of Object.entries(resume.given)) {
        const before = resume.config.options[k as keyof TrainOptions];
        if (k !== 'lr' && k !== 'offlineSubset' && v !== undefined && v !== before)
          changed[k] = { from: before, to: v };
      }
      const finished =
        progress.nextBatch >= train.length && progress.history.some((h) => h.epoch === progress!.epoch);
      const at = finished
        ? { epoch: progress.epoch + 2, batch: 1 }
        : { epoch: progress.epoch + 1, batch: Math.min(progress.nextBatch, train.length - 1) + 1 };
      if (Object.keys(changed).length) resumes.push({ at, date: new Date().toISOString(), changed });
      report.info(`resuming ${runDir} ${describeResume(progress, train.length)}`);
      if (changed.lr)
        report.info(`learning rate ${String(changed.lr.from)} → ${String(changed.lr.to)} from here on`);
    } catch (error) {
      await lock.release();
      throw error;
    }
  } else {
    m = makeModel(o, classes);
    const movedTo = await createRunDir(runDir, run.overwrite ?? false);
    if (movedTo) report.warn(`--overwrite: the old contents of ${runDir} were moved to ${movedTo}`);
    lock = await lockRunDir(runDir);
  }

  let metrics: MetricsLog | undefined;
  let parallel: DataParallel | undefined;
  let efficiencyImages: tf.Tensor | undefined;
  try {
    metrics = await MetricsLog.open(
      runDir,
      progress && {
        epoch: progress.epoch,
        nextBatch: progress.nextBatch,
        done: progress.history.map((h) => h.epoch),
      },
    );
    report.summary(m.summary());
    const config = {
      options: o,
      backend: choice.name,
      backendAttempts: choice.attempts,
      dataset: datasetRecord(ds, { train: train.size, test: test.size }),
      versions: versions(),
      parameters: m.parameterCount(),
      createdAt: (resume?.config.createdAt as string | undefined) ?? new Date().toISOString(),
      ...(resume ? { resumedAt: new Date().toISOString() } : {}),
      ...(resumes.length ? { resumes } : {}),
    };
    await writeRunFile(runDir, 'config.json', `${JSON.stringify(config, null, 2)}\n`);

    parallel = await startThreads(o, classes, choice.name, report, workerStates);
    const checkpoint = async (p: TrainingProgress, opt: tf.Optimizer) => {
      const rng = encoderRngState(m);
      const workers = parallel ? await parallel.states() : [];
      const extra = {
        ...(rng ? { rng } : {}),
        ...(workers.some((w) => w !== undefined) ? { workers } : {}),
      };
      await saveCheckpoint(runDir, m, opt, { progress: p, config: { options: o }, extra });
    };
    const health = stallWatch(classes, () => ({ lr: getLearningRate(optimizer), seqLength: o.seqLength }));
    const log = metrics;
    efficiencyImages = efficiencyBatch(ds);
    const probeImages = efficiencyImages;
    let efficiency: Awaited<ReturnType<typeof runEfficiency>>;
    report.start(o.epochs, train.length);
    const result = await fit(m, train, {
      ...(parallel ? { gradients: parallel.gradients, metrics: parallel.metrics } : {}),
      epochs: o.epochs,
      optimizer,
      learningRate: o.lr,
      testLoader: test,
      ...(o.microBatch ? { microBatchSize: o.microBatch } : {}),
      ...(progress ? { resume: progress } : {}),
      ...(signal ? { signal } : {}),
      checkpoint,
      checkpointEvery: o.checkpointEvery,
      callbacks: {
        onBatchEnd: async (l: BatchLog) => {
          report.batch(l);
          health.batch(l);
          await log.append({
            kind: 'batch',
            epoch: l.epoch + 1,
            batch: l.batch + 1,
            loss: l.loss,
            accuracy: l.accuracy,
            samplesPerSecond: l.samplesPerSecond,
            elapsed: l.elapsed,
            learningRate: l.learningRate,
          });
        },
        onEpochEnd: async (e: EpochLog) => {
          report.epoch(e, o.epochs);
          efficiency = await runEfficiency(m, o, probeImages);
          await log.append({
            kind: 'epoch',
            epoch: e.epoch + 1,
            loss: e.trainLoss,
            accuracy: e.trainAccuracy,
            testLoss: e.testLoss,
            testAccuracy: e.testAccuracy,
            samplesPerSecond: e.samplesPerSecond,
            elapsed: e.duration,
            learningRate: e.learningRate,
            ...efficiencyColumns(efficiency),
            ...(efficiency ? { efficiency } : {}),
          });
          health.epoch(e);
        },
      },
    });
    report.stop();
    await parallel?.close();
    parallel = undefined;
    await metrics.close();
    metrics = undefined;
    if (result.aborted) {
      report.warn(
        `stopped at epoch ${result.progress.epoch + 1}, batch ${result.progress.nextBatch} of ${train.length}; a checkpoint is in ${runDir}. Continue with: snn-train train --resume ${runDir}`,
      );
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
    await checkWritableInside(runDir, 'model');
    await saveModel(m, join(runDir, 'model'));
    const last = result.history.at(-1);
    const final =
      last?.testAccuracy !== undefined
        ? { accuracy: last.testAccuracy, loss: last.testLoss! }
        : await evaluate(m, test, o.microBatch ? { microBatchSize: o.microBatch } : {});
    await writePlots(runDir, m, ds, o, report);
    efficiency ??= await runEfficiency(m, o, probeImages);
    await writeSummary(runDir, o, { ...config, resumes }, result.history, final, ds, efficiency);
    return {
      runDir,
      history: result.history,
      testAccuracy: final.accuracy,
      testLoss: final.loss,
      aborted: false,
      dataset: ds.description,
      backend: choice.name,
    };
  } catch (error) {
    if (error instanceof TrainingDivergedError)
      report.warn(
        `the last checkpoint is intact: continue from it with a lower rate, e.g. snn-train train --resume ${runDir} --lr ${getLearningRate(optimizer) / 10}`,
      );
    throw error;
  } finally {
    report.stop();
    await parallel?.close();
    await metrics?.close();
    efficiencyImages?.dispose();
    optimizer.dispose();
    m.dispose();
    await lock.release();
  }
}
