import { tidy } from '@snn/core';
import type { Batch, DataLoader } from '@snn/datasets';
import { predictClasses } from '@snn/decoders';
import * as tf from '@tensorflow/tfjs-core';
import { type LossFn, meanRate, nll } from './losses.js';
import type { Model } from './model.js';
import { adam } from './optim.js';
import type { LRSchedule } from './schedule.js';

/** Something that yields batches by epoch (a `DataLoader` from @snn/datasets). */
export type BatchSource = Pick<DataLoader, 'length' | 'batches' | 'batchSize' | 'size'>;

/** Reported after every batch. */
export interface BatchLog {
  readonly epoch: number;
  readonly batch: number;
  readonly batches: number;
  readonly loss: number;
  /** Accuracy of this batch. */
  readonly accuracy: number;
  /** Mean loss and accuracy of the epoch so far. */
  readonly runningLoss: number;
  readonly runningAccuracy: number;
  readonly samples: number;
  readonly samplesPerSecond: number;
  /** Seconds since the epoch started. */
  readonly elapsed: number;
  readonly learningRate: number;
}

/** Reported after every epoch. */
export interface EpochLog {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  readonly testLoss?: number;
  readonly testAccuracy?: number;
  /** Seconds the epoch took (training and test). */
  readonly duration: number;
  readonly samplesPerSecond: number;
  readonly learningRate: number;
}

/** Where a batch is about to run (see {@link Callbacks.onBatchBegin}). */
export interface BatchStart {
  readonly epoch: number;
  readonly batch: number;
  readonly batches: number;
}

/** Hooks the training loop calls and awaits: progress bars, live charts, pausing. */
export interface Callbacks {
  /**
   * Before every batch, awaited: return a promise to pause training until it resolves (a pause
   * button). When `signal` has aborted by then, training stops before the batch.
   */
  onBatchBegin?(info: BatchStart): void | Promise<void>;
  onBatchEnd?(log: BatchLog): void | Promise<void>;
  onEpochEnd?(log: EpochLog): void | Promise<void>;
}

/** Where training stands: enough to continue exactly where it stopped. */
export interface TrainingProgress {
  /** The epoch in progress (0-based). */
  readonly epoch: number;
  /** The next batch of that epoch to run (`= batches` when the epoch is done). */
  readonly nextBatch: number;
  readonly history: readonly EpochLog[];
  /** Running sums of the current epoch (so a resumed epoch reports the same means and duration). */
  readonly running: RunningSums;
}

/** Sums over the batches of an epoch so far. */
export interface RunningSums {
  /** Sum of batch loss times batch size. */
  readonly loss: number;
  readonly correct: number;
  readonly samples: number;
  /** Seconds spent training this epoch so far (absent in older checkpoints). */
  readonly seconds?: number;
}

/** Options of {@link fit}. */
export interface FitOptions {
  /**
   * Epochs to train (counting from 0, including already finished ones on resume). Default 1;
   * `Infinity` trains until `signal` aborts.
   */
  readonly epochs?: number;
  /** A tfjs optimizer. Default {@link adam} (PyTorch's Adam) with `learningRate`. */
  readonly optimizer?: tf.Optimizer;
  /** Base learning rate of the default optimizer and of `lrSchedule`. Default 2e-3 (the tutorial's). */
  readonly learningRate?: number;
  readonly lrSchedule?: LRSchedule;
  /** Default NLL of `decode` (the tutorial's). */
  readonly loss?: LossFn;
  readonly testLoader?: BatchSource;
  readonly callbacks?: Callbacks;
  /** Stops cleanly after the current batch (calling `checkpoint`). */
  readonly signal?: AbortSignal;
  /** Clip gradients to this global L2 norm. */
  readonly clipNorm?: number;
  /** L2 weight decay added to the gradients (`g + wd * w`). */
  readonly weightDecay?: number;
  /** Weight of the firing-rate penalty `rate * mean spike rate of the hidden layers`. */
  readonly rateRegularization?: number;
  /**
   * Compute each batch's gradient in slices of at most this many samples and add them up
   * (gradient accumulation): the same update as the whole batch (for losses that are means over
   * the batch, as every built-in one is) with a fraction of the memory, at some speed. Use it when
   * a batch does not fit, e.g. the conv net at batch 256 in the wasm heap. Default: whole batches.
   */
  readonly microBatchSize?: number;
  /**
   * Computes each batch's gradients in place of {@link batchGradients} on this thread: e.g.
   * `DataParallel` of `@snn/train/node`, which splits each batch across worker threads that each
   * build a copy of the model from a factory module (data parallelism). It receives the options'
   * `loss`, `rateRegularization` and `microBatchSize`; clipping, weight decay and the optimizer
   * step stay here.
   */
  readonly gradients?: GradientSource;
  /** Computes each test batch's metrics in place of {@link batchMetrics} (see `gradients`). */
  readonly metrics?: MetricsSource;
  /**
   * Continue from here (see `checkpoint`). A progress saved after an epoch's last batch but before
   * its test pass (stopped there) finishes that epoch first: its test pass, log and checkpoint.
   */
  readonly resume?: TrainingProgress;
  /**
   * Called (and awaited) at the end of every epoch, every `checkpointEvery` batches, and when
   * training stops early, to save a checkpoint.
   */
  readonly checkpoint?: (progress: TrainingProgress, optimizer: tf.Optimizer) => Promise<void>;
  /** Also call `checkpoint` after every this many batches of an epoch. Default: epoch ends only. */
  readonly checkpointEvery?: number;
}

/** A batch's gradients (keyed by variable name, summed over micro-batches), summed loss and hits. */
export interface BatchGradients {
  /** Gradients of the batch's (weighted) mean loss, keyed by variable name; the caller disposes them. */
  readonly grads: Record<string, tf.Tensor>;
  /** The batch's mean loss times `scale`. */
  readonly loss: number;
  /** Correct predictions in the batch. */
  readonly correct: number;
}

/** Options of {@link batchGradients}. */
export type GradientOptions = Pick<FitOptions, 'loss' | 'rateRegularization' | 'microBatchSize'> & {
  /** Multiplies the loss (and so the gradients): a batch's share of a larger batch. Default 1. */
  readonly scale?: number;
};

/** Computes a batch's gradients (see {@link FitOptions.gradients}). */
export type GradientSource = (
  m: Model,
  batch: Pick<Batch, 'images' | 'labels'>,
  options: GradientOptions,
) => Promise<BatchGradients>;

/** What {@link fit} returns. */
export interface FitResult {
  readonly history: readonly EpochLog[];
  /** True when stopped by the signal before finishing. */
  readonly aborted: boolean;
  readonly progress: TrainingProgress;
  readonly optimizer: tf.Optimizer;
}

/** The loss became NaN or infinite; nothing of that batch was applied. */
export class TrainingDivergedError extends Error {
  constructor(
    readonly epoch: number,
    readonly batch: number,
    readonly loss: number,
  ) {
    super(
      `Training diverged: the loss is ${loss} at epoch ${epoch + 1}, batch ${batch + 1}. The weights of that batch were not applied ` +
        'and the last checkpoint is intact; lower the learning rate or clip gradients (clipNorm), then resume.',
    );
    this.name = 'TrainingDivergedError';
  }
}

/** Sets an optimizer's learning rate (tfjs keeps it in a field every optimizer reads on each step). */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = lr;
}

/** Reads an optimizer's learning rate. */
export function getLearningRate(optimizer: tf.Optimizer): number {
  return (optimizer as unknown as { learningRate: number }).learningRate;
}

/** Scales gradients so their global L2 norm is at most `maxNorm`. */
export function clipByGlobalNorm(
  grads: Record<string, tf.Tensor>,
  maxNorm: number,
): Record<string, tf.Tensor> {
  return tidy(() => {
    const norm = tf.sqrt(
      Object.values(grads).reduce<tf.Tensor>((acc, g) => tf.add(acc, tf.sum(tf.square(g))), tf.scalar(0)),
    );
    const scale = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-12)));
    return Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, scale)]));
  });
}

/** A batch's mean loss and number of correct predictions. */
export interface BatchMetrics {
  readonly loss: number;
  readonly correct: number;
}

/** Computes a batch's metrics (see {@link EvaluateOptions.metrics}). */
export type MetricsSource = (
  m: Model,
  batch: Pick<Batch, 'images' | 'labels'>,
  options: MetricsOptions,
) => Promise<BatchMetrics>;

/** Options of {@link batchMetrics}. */
export interface MetricsOptions {
  /** Default NLL of `decode` (the tutorial's). */
  readonly loss?: LossFn;
  /**
   * Run the batch in slices of at most this many samples (as {@link FitOptions.microBatchSize}
   * splits a training batch), so memory stays bounded at any test batch size. Default: whole batches.
   */
  readonly microBatchSize?: number;
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** Default NLL of `decode` (the tutorial's). */
  readonly loss?: LossFn;
  readonly epoch?: number;
  /** Computes each batch's metrics in place of {@link batchMetrics}, e.g. split across worker threads. */
  readonly metrics?: MetricsSource;
  /** Slices of at most this many samples per batch (see {@link MetricsOptions.microBatchSize}). */
  readonly microBatchSize?: number;
}

/** A batch's mean loss and correct predictions under the model (no gradients; the batch is kept). */
export async function batchMetrics(
  m: Model,
  batch: Pick<Batch, 'images' | 'labels'>,
  options: MetricsOptions = {},
): Promise<BatchMetrics> {
  const lossFn = options.loss ?? nll;
  const n = batch.labels.shape[0]!;
  const micro = options.microBatchSize;
  const parts = splitBatch(n, micro === undefined ? {} : { size: micro });
  let loss = 0;
  let correct = 0;
  for (const { from, size } of parts) {
    const [l, c] = tidy(() => {
      const whole = parts.length === 1;
      const images = whole ? batch.images : tf.slice(batch.images, from, size);
      const labels = whole ? batch.labels : tf.slice(batch.labels, from, size);
      const out = m.forward(images);
      const hits = tf.sum(
        tf.cast(tf.equal(predictClasses(out.logProbs), tf.cast(labels, 'int32')), 'float32'),
      );
      return [lossFn(out, labels), hits];
    });
    try {
      // Each slice's mean loss weighted by its share: the sum is the batch mean.
      loss += ((await l.data())[0]! * size) / n;
      correct += (await c.data())[0]!;
    } finally {
      tf.dispose([l, c]);
    }
  }
  return { loss, correct };
}

/** Loss and accuracy of a model on every batch of a loader (no gradients). */
export async function evaluate(
  m: Model,
  loader: BatchSource,
  options: EvaluateOptions = {},
): Promise<{ loss: number; accuracy: number }> {
  const metrics = options.metrics ?? batchMetrics;
  let loss = 0;
  let correct = 0;
  let samples = 0;
  for (const batch of loader.batches(options.epoch ?? 0)) {
    try {
      const r = await metrics(m, batch, {
        ...(options.loss ? { loss: options.loss } : {}),
        ...(options.microBatchSize !== undefined ? { microBatchSize: options.microBatchSize } : {}),
      });
      const n = batch.labels.shape[0]!;
      loss += r.loss * n;
      correct += r.correct;
      samples += n;
    } finally {
      tf.dispose([batch.images, batch.labels]);
    }
  }
  return { loss: loss / samples, accuracy: correct / samples };
}

/**
 * Trains a model with surrogate gradients through time (BPTT), the tutorial's loop as a library:
 * for each batch, encode → network → decode → loss, gradients, optional weight decay and clipping,
 * one optimizer step. One batch's tensors are all freed before the next.
 *
 * Stops cleanly after the current batch when `signal` aborts (calling `checkpoint`), and throws
 * {@link TrainingDivergedError} on a NaN or infinite loss without applying it.
 */
export async function fit(m: Model, trainLoader: BatchSource, options: FitOptions = {}): Promise<FitResult> {
  const epochs = options.epochs ?? 1;
  const baseLR = options.learningRate ?? 2e-3;
  const every = options.checkpointEvery;
  if (every !== undefined && !(Number.isInteger(every) && every > 0))
    throw new RangeError(`checkpointEvery must be a positive whole number of batches, got ${every}.`);
  const optimizer = options.optimizer ?? adam(baseLR);
  const lossFn = options.loss ?? nll;
  const vars = m.trainableVariables as tf.Variable[];
  const batches = trainLoader.length;
  const history: EpochLog[] = [...(options.resume?.history ?? [])];
  let epoch = options.resume?.epoch ?? 0;
  let start = options.resume?.nextBatch ?? 0;
  const fresh = () => ({ loss: 0, correct: 0, samples: 0, seconds: 0 });
  let running = { ...fresh(), ...options.resume?.running };
  const snapshot = (nextBatch: number): TrainingProgress => ({
    epoch,
    nextBatch,
    history: [...history],
    running: { ...running },
  });
  // A finished epoch whose test pass and log are done: continue with the next one.
  if (start >= batches && history.some((h) => h.epoch === epoch)) {
    epoch++;
    start = 0;
    running = fresh();
  }
  let last = snapshot(start);

  for (; epoch < epochs; epoch++, start = 0, running = fresh()) {
    const lr = options.lrSchedule ? options.lrSchedule(epoch, baseLR) : getLearningRate(optimizer);
    setLearningRate(optimizer, lr);
    let t0 = performance.now() - running.seconds * 1000;
    let b = start;
    for (const batch of trainLoader.batches(epoch, start)) {
      const waiting = performance.now();
      try {
        await options.callbacks?.onBatchBegin?.({ epoch, batch: b, batches });
      } catch (error) {
        tf.dispose([batch.images, batch.labels]);
        throw error;
      }
      // Time spent paused in onBatchBegin does not count.
      t0 += performance.now() - waiting;
      if (options.signal?.aborted) {
        tf.dispose([batch.images, batch.labels]);
        return stop(b);
      }
      const { loss, correct } = await trainBatch(m, batch, optimizer, vars, lossFn, options, epoch, b);
      const n = batch.labels.shape[0]!;
      const elapsed = (performance.now() - t0) / 1000;
      running = {
        loss: running.loss + loss * n,
        correct: running.correct + correct,
        samples: running.samples + n,
        seconds: elapsed,
      };
      b++;
      await options.callbacks?.onBatchEnd?.({
        epoch,
        batch: b - 1,
        batches,
        loss,
        accuracy: correct / n,
        runningLoss: running.loss / running.samples,
        runningAccuracy: running.correct / running.samples,
        samples: running.samples,
        samplesPerSecond: running.samples / Math.max(elapsed, 1e-9),
        elapsed,
        learningRate: lr,
      });
      if (options.signal?.aborted) return stop(b);
      if (every !== undefined && b % every === 0 && b < batches)
        await options.checkpoint?.(snapshot(b), optimizer);
    }
    const test = options.testLoader
      ? await evaluate(m, options.testLoader, {
          loss: lossFn,
          ...(options.metrics ? { metrics: options.metrics } : {}),
          ...(options.microBatchSize !== undefined ? { microBatchSize: options.microBatchSize } : {}),
        })
      : undefined;
    const duration = (performance.now() - t0) / 1000;
    const log: EpochLog = {
      epoch,
      trainLoss: running.loss / running.samples,
      trainAccuracy: running.correct / running.samples,
      ...(test ? { testLoss: test.loss, testAccuracy: test.accuracy } : {}),
      duration,
      samplesPerSecond: running.samples / Math.max(duration, 1e-9),
      learningRate: lr,
    };
    history.push(log);
    await options.callbacks?.onEpochEnd?.(log);
    last = snapshot(batches);
    await options.checkpoint?.(last, optimizer);
  }
  return { history, aborted: false, progress: last, optimizer };

  async function stop(nextBatch: number): Promise<FitResult> {
    const p = snapshot(nextBatch);
    await options.checkpoint?.(p, optimizer);
    return { history, aborted: true, progress: p, optimizer };
  }
}

/**
 * One training step on one batch: forward, loss, gradients (with the options' weight decay and
 * clipping), one optimizer update. Returns the batch loss and the number of correct predictions.
 * Disposes the batch's tensors. Used by {@link fit}; exported for benchmarks and custom loops.
 */
export function trainStep(
  m: Model,
  batch: Batch,
  optimizer: tf.Optimizer,
  options: Pick<
    FitOptions,
    'loss' | 'clipNorm' | 'weightDecay' | 'rateRegularization' | 'microBatchSize' | 'gradients'
  > = {},
): Promise<{ loss: number; correct: number }> {
  return trainBatch(
    m,
    batch,
    optimizer,
    m.trainableVariables as tf.Variable[],
    options.loss ?? nll,
    options,
    0,
    0,
  );
}

/** A contiguous range of a batch's samples. */
export interface BatchSlice {
  readonly from: number;
  readonly size: number;
}

/**
 * The one way a batch is split, for memory and for threads alike: into slices of `size` samples
 * (the last may be shorter; default the whole batch), then, with `parts`, into at most that many
 * contiguous groups of whole slices, as even as possible (empty groups left out). Micro-batches are
 * `splitBatch(n, { size })`; the shares of `parts` threads are `splitBatch(n, { size, parts })`,
 * each then computed in its slices of `size`, so any thread count sums the same slices.
 */
export function splitBatch(n: number, options: { size?: number; parts?: number } = {}): BatchSlice[] {
  const size = options.size ?? n;
  if (!(Number.isInteger(n) && n >= 0))
    throw new RangeError(`splitBatch: n must be a whole number, got ${n}.`);
  if (!(Number.isInteger(size) && size > 0) && n > 0)
    throw new RangeError(`splitBatch: size must be a positive whole number, got ${size}.`);
  if (n === 0) return [];
  const units = Math.ceil(n / size);
  const parts = options.parts ?? units;
  if (!(Number.isInteger(parts) && parts > 0))
    throw new RangeError(`splitBatch: parts must be a positive whole number, got ${parts}.`);
  const out: BatchSlice[] = [];
  for (let k = 0; k < parts; k++) {
    const from = Math.floor((k * units) / parts) * size;
    const to = Math.min(n, Math.floor(((k + 1) * units) / parts) * size);
    if (to > from) out.push({ from, size: to - from });
  }
  return out;
}

/**
 * The gradients of a batch's mean loss with respect to the model's trainable variables (BPTT with
 * surrogate gradients), in slices of `microBatchSize` samples added up, without applying them.
 * Does not dispose the batch. {@link fit} calls it for every batch unless given `gradients`.
 */
export async function batchGradients(
  m: Model,
  batch: Pick<Batch, 'images' | 'labels'>,
  options: GradientOptions = {},
): Promise<BatchGradients> {
  const lossFn = options.loss ?? nll;
  const vars = m.trainableVariables as tf.Variable[];
  const n = batch.labels.shape[0]!;
  const micro = options.microBatchSize;
  if (micro !== undefined && (!Number.isInteger(micro) || micro < 1)) {
    throw new RangeError(`microBatchSize must be a positive whole number, got ${micro}.`);
  }
  const parts = splitBatch(n, micro === undefined ? {} : { size: micro });
  const slices = parts.length;
  let grads: Record<string, tf.Tensor> = {};
  let lossSum = 0;
  let correct = 0;
  try {
    for (let k = 0; k < slices; k++) {
      const { from, size } = parts[k]!;
      const part =
        slices === 1
          ? { images: batch.images, labels: batch.labels }
          : tf.tidy(() => ({
              images: tf.slice(batch.images, from, size),
              labels: tf.slice(batch.labels, from, size),
            }));
      // Each slice's mean loss weighted by its share of the batch: the sum is the batch mean.
      const weight = (size / n) * (options.scale ?? 1);
      let hits: tf.Tensor | undefined;
      const result = tf.variableGrads(() => {
        const out = m.forward(part.images, { training: true });
        hits = tf.keep(
          tf.sum(tf.cast(tf.equal(predictClasses(out.logProbs), tf.cast(part.labels, 'int32')), 'float32')),
        );
        let loss: tf.Tensor = lossFn(out, part.labels);
        if (options.rateRegularization)
          loss = tf.add(loss, tf.mul(options.rateRegularization, meanRate(out.spikes)));
        return (weight === 1 ? loss : tf.mul(loss, weight)) as tf.Scalar;
      }, vars);
      try {
        lossSum += (await result.value.data())[0]!;
        correct += (await hits!.data())[0]!;
        if (k === 0) grads = result.grads;
        else {
          const summed = tidy(() =>
            Object.fromEntries(
              Object.entries(grads).map(([name, g]) => [name, tf.add(g, result.grads[name]!)]),
            ),
          );
          tf.dispose([...Object.values(grads), ...Object.values(result.grads)]);
          grads = summed;
        }
      } finally {
        tf.dispose([result.value, hits!]);
        if (slices > 1) tf.dispose([part.images, part.labels]);
      }
    }
    return { grads, loss: lossSum, correct };
  } catch (e) {
    tf.dispose(Object.values(grads));
    throw e;
  }
}

async function trainBatch(
  m: Model,
  batch: Batch,
  optimizer: tf.Optimizer,
  vars: tf.Variable[],
  lossFn: LossFn,
  options: Pick<
    FitOptions,
    'clipNorm' | 'weightDecay' | 'rateRegularization' | 'microBatchSize' | 'gradients'
  >,
  epoch: number,
  b: number,
): Promise<{ loss: number; correct: number }> {
  let grads: Record<string, tf.Tensor> = {};
  try {
    const source = options.gradients ?? batchGradients;
    const result = await source(m, batch, {
      loss: lossFn,
      ...(options.rateRegularization ? { rateRegularization: options.rateRegularization } : {}),
      ...(options.microBatchSize !== undefined ? { microBatchSize: options.microBatchSize } : {}),
    });
    grads = result.grads;
    const lossSum = result.loss;
    const correct = result.correct;
    if (!Number.isFinite(lossSum)) throw new TrainingDivergedError(epoch, b, lossSum);
    const byName = vars.map((v) => v.name);
    let g: Record<string, tf.Tensor> = grads;
    if (options.weightDecay) {
      const wd = options.weightDecay;
      g = tidy(() =>
        Object.fromEntries(byName.map((name, k) => [name, tf.add(grads[name]!, tf.mul(wd, vars[k]!))])),
      );
    }
    if (options.clipNorm !== undefined) {
      const clipped = clipByGlobalNorm(g, options.clipNorm);
      if (g !== grads) tf.dispose(Object.values(g));
      g = clipped;
    }
    optimizer.applyGradients(g as tf.NamedTensorMap);
    if (g !== grads) tf.dispose(Object.values(g));
    return { loss: lossSum, correct };
  } finally {
    tf.dispose([...Object.values(grads), batch.images, batch.labels]);
  }
}
