import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BackendName } from '@snn/core';
import type { Batch } from '@snn/datasets';
import {
  type BatchGradients,
  batchGradients,
  batchMetrics,
  type GradientOptions,
  type GradientSource,
  type MetricsSource,
  type Model,
} from '@snn/train';
import * as tf from '@tensorflow/tfjs-core';
import type { TrainOptions } from './options.js';

/** Sent by a worker once its backend and model are up. */
export interface WorkerReady {
  readonly kind: 'ready';
  readonly shapes: number[][];
}

/**
 * One share of a batch, with the current weights (in `trainableVariables` order): its gradients
 * (`step`) or its loss and hits (`metrics`).
 */
export interface StepRequest {
  readonly kind: 'step' | 'metrics';
  readonly id: number;
  readonly weights: Float32Array[];
  readonly images: Float32Array;
  readonly imageShape: number[];
  readonly labels: Float32Array | Int32Array;
  readonly labelShape: number[];
  readonly labelDtype: 'float32' | 'int32';
  /** The share's fraction of the whole batch. */
  readonly scale: number;
  readonly microBatchSize: number | undefined;
  readonly rateRegularization: number | undefined;
}

/** A worker's answer: its share's gradients (in `trainableVariables` order), or what went wrong. */
export type StepReply =
  | {
      readonly kind: 'grads';
      readonly id: number;
      readonly grads: Float32Array[];
      readonly loss: number;
      readonly correct: number;
      /** The worker's live tensors after the request (its loop must not grow them). */
      readonly numTensors: number;
    }
  | {
      readonly kind: 'metrics';
      readonly id: number;
      readonly loss: number;
      readonly correct: number;
      readonly numTensors: number;
    }
  | { readonly kind: 'error'; readonly id: number; readonly message: string };

/** What a reply that is not the expected one says. */
function describe(reply: StepReply): string {
  return reply.kind === 'error' ? reply.message : `unexpected ${reply.kind} reply`;
}

/** Backends that compute on one CPU thread, where worker threads add cores. */
const SINGLE_THREADED: readonly string[] = ['cpu', 'wasm'];

/**
 * How many threads `--threads auto` uses: for the conv net on the single-threaded CPU backends,
 * every core (at most 8); else one. tfjs-node uses the cores itself, a GPU is one device, and the
 * recurrent net's batch is too small to share: on 2 cores, wasm, 0.036 s per batch on one thread
 * against 0.052 s on two (the conv net's: 4.8 s against 2.6 s).
 */
export function autoThreads(backend: string, model: TrainOptions['model']): number {
  return model === 'conv' && SINGLE_THREADED.includes(backend) ? Math.min(availableParallelism(), 8) : 1;
}

/**
 * Splits `n` samples into at most `shares` contiguous parts of whole micro-batches (`unit`
 * samples each; the last may be shorter), as even as possible. Empty parts are left out.
 */
export function splitBatch(n: number, shares: number, unit = 1): { from: number; size: number }[] {
  const units = Math.ceil(n / unit);
  const parts: { from: number; size: number }[] = [];
  for (let k = 0; k < shares; k++) {
    const from = Math.floor((k * units) / shares) * unit;
    const to = Math.min(n, Math.floor(((k + 1) * units) / shares) * unit);
    if (to > from) parts.push({ from, size: to - from });
  }
  return parts;
}

/**
 * Data parallelism over worker threads for the single-threaded backends: each worker keeps a copy
 * of the model on its own backend; for every batch this thread sends each worker the current
 * weights and a share of the batch, computes the first share itself, and adds up the gradients
 * (each share's loss weighted by its size, so the sum is the whole batch's mean-loss gradient,
 * equal to one thread's up to float32 rounding). The optimizer step stays on this thread.
 * Workers build the model from the run's options, so they use the default (tutorial) loss.
 */
export class DataParallel {
  private nextId = 0;
  private readonly pending = new Map<
    number,
    { resolve: (r: StepReply) => void; reject: (e: Error) => void }
  >();
  private failure: Error | undefined;

  private constructor(private readonly workers: Worker[]) {
    for (const w of workers) {
      // Idle workers never keep the process alive (a run that fails still exits); a worker with
      // a request in flight does (see `sendShares`), or Node could exit while this thread awaits it.
      w.unref();
      w.on('message', (r: StepReply | WorkerReady) => {
        if (r.kind === 'ready') return;
        w.unref();
        if (r.kind !== 'error') this.workerTensors[workers.indexOf(w)] = r.numTensors;
        const p = this.pending.get(r.id);
        this.pending.delete(r.id);
        p?.resolve(r);
      });
      w.on('error', (e) => this.fail(e));
      w.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`a gradient worker exited with code ${code}`));
      });
    }
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  /**
   * Starts `threads - 1` workers (this thread is the first), each with the run's model on
   * `backend`. Rejects with the worker's reason when one cannot start. `worker`: the workers'
   * script (default the built `worker.js` beside this module) and Node flags (default this
   * process's).
   */
  static async start(
    options: TrainOptions,
    classes: number,
    backend: BackendName,
    threads: number,
    worker: { url?: URL; execArgv?: string[] } = {},
  ): Promise<DataParallel> {
    const url = worker.url ?? new URL('./worker.js', import.meta.url);
    const { execArgv } = worker;
    const workers = Array.from(
      { length: threads - 1 },
      (_, k) =>
        // A seed of its own per worker: a Poisson encoder draws different spikes on each share.
        new Worker(url, {
          workerData: { options: { ...options, seed: options.seed + k + 1 }, classes, backend },
          ...(execArgv ? { execArgv } : {}),
        }),
    );
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            w.once('message', (r: WorkerReady | StepReply) =>
              r.kind === 'ready'
                ? resolve()
                : reject(
                    new Error(`a gradient worker could not start: ${(r as { message: string }).message}`),
                  ),
            );
            w.once('error', reject);
          }),
      ),
    ).catch(async (e) => {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    });
    return new DataParallel(workers);
  }

  /** Each worker's live tensors after its last request (a leak check for tests and diagnostics). */
  readonly workerTensors: number[] = [];

  /** Threads computing gradients, this one included. */
  get threads(): number {
    return this.workers.length + 1;
  }

  /**
   * Sends every share of the batch after the first to a worker (with the current weights) and
   * returns their replies, each a promise; the first share is this thread's.
   */
  private async sendShares(
    kind: StepRequest['kind'],
    m: Model,
    batch: Pick<Batch, 'images' | 'labels'>,
    parts: { from: number; size: number }[],
    options: GradientOptions,
  ): Promise<Promise<StepReply>[]> {
    if (this.failure) throw this.failure;
    const n = batch.labels.shape[0]!;
    const vars = m.trainableVariables as tf.Variable[];
    const weights = await Promise.all(vars.map((v) => v.data() as Promise<Float32Array>));
    const images = (await batch.images.data()) as Float32Array;
    const labels = (await batch.labels.data()) as Float32Array | Int32Array;
    const perImage = images.length / n;
    const perLabel = labels.length / n;
    const replies = parts.slice(1).map(({ from, size }, k) => {
      const id = this.nextId++;
      const request: StepRequest = {
        kind,
        id,
        weights,
        images: images.slice(from * perImage, (from + size) * perImage),
        imageShape: [size, ...batch.images.shape.slice(1)],
        labels: labels.slice(from * perLabel, (from + size) * perLabel),
        labelShape: [size, ...batch.labels.shape.slice(1)],
        labelDtype: batch.labels.dtype as 'float32' | 'int32',
        scale: size / n,
        microBatchSize: options.microBatchSize,
        rateRegularization: options.rateRegularization,
      };
      return new Promise<StepReply>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        this.workers[k]!.ref();
        this.workers[k]!.postMessage(request);
      });
    });
    // Awaited later; until then (or if this thread's share fails first) a failure is not unhandled.
    for (const r of replies) r.catch(() => {});
    return replies;
  }

  /** Runs `f` on the first `size` samples of the batch (sliced, then freed). */
  private static async onFirst<R>(
    batch: Pick<Batch, 'images' | 'labels'>,
    size: number,
    f: (part: Pick<Batch, 'images' | 'labels'>) => Promise<R>,
  ): Promise<R> {
    const part = tf.tidy(() => ({
      images: tf.slice(batch.images, 0, size),
      labels: tf.slice(batch.labels, 0, size),
    }));
    try {
      return await f(part);
    } finally {
      tf.dispose([part.images, part.labels]);
    }
  }

  /** The {@link GradientSource} to hand to `fit` (its `gradients` option). */
  readonly gradients: GradientSource = async (m, batch, options) => {
    if (this.failure) throw this.failure;
    const n = batch.labels.shape[0]!;
    const parts = splitBatch(n, this.threads, options.microBatchSize ?? 1);
    if (parts.length === 1) return batchGradients(m, batch, options);
    const replies = await this.sendShares('step', m, batch, parts, options);
    const vars = m.trainableVariables as tf.Variable[];
    const own = await DataParallel.onFirst(batch, parts[0]!.size, (part) =>
      batchGradients(m, part, { ...options, scale: parts[0]!.size / n }),
    );
    let grads = own.grads;
    let loss = own.loss;
    let correct = own.correct;
    try {
      for (const reply of await Promise.all(replies)) {
        if (reply.kind !== 'grads') throw new Error(`a gradient worker failed: ${describe(reply)}`);
        const summed = tf.tidy(() =>
          Object.fromEntries(
            vars.map((v, k) => [v.name, tf.add(grads[v.name]!, tf.tensor(reply.grads[k]!, v.shape))]),
          ),
        );
        tf.dispose(Object.values(grads));
        grads = summed;
        loss += reply.loss;
        correct += reply.correct;
      }
    } catch (e) {
      tf.dispose(Object.values(grads));
      throw e;
    }
    return { grads, loss, correct } satisfies BatchGradients;
  };

  /**
   * The {@link MetricsSource} to hand to `evaluate` or `fit` (their `metrics` option): a test
   * batch split across the threads. Workers use the default (tutorial) loss.
   */
  readonly metrics: MetricsSource = async (m, batch, options) => {
    if (this.failure) throw this.failure;
    const n = batch.labels.shape[0]!;
    const parts = splitBatch(n, this.threads);
    if (parts.length === 1 || options.loss) return batchMetrics(m, batch, options);
    const replies = await this.sendShares('metrics', m, batch, parts, {});
    const own = await DataParallel.onFirst(batch, parts[0]!.size, (part) => batchMetrics(m, part));
    let loss = (own.loss * parts[0]!.size) / n;
    let correct = own.correct;
    const results = await Promise.all(replies);
    results.forEach((reply, k) => {
      if (reply.kind !== 'metrics') throw new Error(`a gradient worker failed: ${describe(reply)}`);
      loss += (reply.loss * parts[k + 1]!.size) / n;
      correct += reply.correct;
    });
    return { loss, correct };
  };

  /** Stops the workers; the pool cannot compute gradients afterwards. */
  async close(): Promise<void> {
    this.fail(new Error('DataParallel: the gradient workers were closed; start a new pool.'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
