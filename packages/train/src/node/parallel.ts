import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Batch } from '@snn/datasets';
import * as tf from '@tensorflow/tfjs-core';
import {
  type BatchGradients,
  type BatchSlice,
  batchGradients,
  batchMetrics,
  type GradientOptions,
  type GradientSource,
  type MetricsSource,
  splitBatch,
} from '../fit.js';
import type { Model } from '../model.js';

/**
 * What the module a {@link DataParallel} pool's workers import must export: `createModel` builds
 * the worker's copy of the model (and starts its backend: each worker thread is a fresh
 * JavaScript realm). `saveState` returns what is not weights but changes as it trains (a Poisson
 * encoder's generator) for checkpoints ({@link DataParallel.states}); hand it back through `args`
 * to continue identically.
 */
export interface ModelFactoryModule {
  createModel(args: unknown, context: { readonly worker: number }): Model | Promise<Model>;
  saveState?(m: Model): unknown;
}

/** Options of {@link DataParallel.start}. */
export interface DataParallelOptions {
  /** Threads computing each batch, this one included (at least 2 for any worker to start). */
  readonly threads: number;
  /** The module (a `file:` URL or a path) whose exports are a {@link ModelFactoryModule}. */
  readonly factory: URL | string;
  /** Passed to `createModel` (anything structured clone can copy). */
  readonly args?: unknown;
  /** Node flags of the workers. Default this process's. */
  readonly execArgv?: readonly string[];
  /** The worker script. Default the one built beside this module. */
  readonly workerUrl?: URL;
}

/** A request to a worker. */
export type WorkerRequest =
  | {
      readonly kind: 'step' | 'metrics';
      readonly id: number;
      /** The current weights, in `trainableVariables` order. */
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
  | { readonly kind: 'save-state'; readonly id: number };

/** A worker's answer. */
export type WorkerReply =
  | { readonly kind: 'ready' }
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
  | { readonly kind: 'state'; readonly id: number; readonly state: unknown }
  | { readonly kind: 'error'; readonly id: number; readonly message: string };

type Pending = { resolve: (r: WorkerReply) => void; reject: (e: Error) => void };

/** The worker script: built beside this module (when running from the TypeScript sources, the built one). */
function defaultWorkerUrl(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('../../dist/node/worker.js', import.meta.url)
    : new URL('./worker.js', import.meta.url);
}

/**
 * Data parallelism over worker threads, for backends that compute on one CPU thread (tfjs's cpu
 * and wasm in Node): each worker builds its own copy of the model from a factory module; for every
 * batch this thread sends each worker the current weights and its share ({@link splitBatch} into
 * whole micro-batches), computes the first share itself, and adds up the gradients (each share's
 * loss weighted by its size, so the sum is the whole batch's mean-loss gradient, equal to one
 * thread's up to float32 rounding). The optimizer step stays on this thread.
 *
 * @example
 * ```ts
 * // model.js: export async function createModel(args, { worker }) { await useBackend('wasm'); return model(...); }
 * const pool = await DataParallel.start({ threads: 4, factory: new URL('./model.js', import.meta.url) });
 * await fit(m, train, { gradients: pool.gradients, metrics: pool.metrics });
 * await pool.close();
 * ```
 */
export class DataParallel {
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | undefined;
  /** Each worker's live tensors after its last request (a leak check for tests and diagnostics). */
  readonly workerTensors: number[] = [];

  private constructor(private readonly workers: Worker[]) {
    workers.forEach((w, k) => {
      // Idle workers never keep the process alive (a run that fails still exits); a worker with
      // a request in flight does (see `ask`), or Node could exit while this thread awaits it.
      w.unref();
      w.on('message', (r: WorkerReply) => {
        if (r.kind === 'ready') return;
        w.unref();
        if (r.kind === 'grads' || r.kind === 'metrics') this.workerTensors[k] = r.numTensors;
        const p = this.pending.get(r.id);
        this.pending.delete(r.id);
        p?.resolve(r);
      });
      w.on('error', (e) => this.fail(e));
      w.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`a gradient worker exited with code ${code}`));
      });
    });
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  /**
   * Starts `threads - 1` workers (this thread is the first), each building its model with the
   * factory's `createModel(args, { worker })` (`worker` counts from 1). Rejects with the worker's
   * reason when one cannot start.
   */
  static async start(options: DataParallelOptions): Promise<DataParallel> {
    const { threads } = options;
    if (!(Number.isInteger(threads) && threads >= 1))
      throw new RangeError(`DataParallel: threads must be a positive whole number, got ${threads}.`);
    const factory =
      options.factory instanceof URL ? options.factory.href : pathToFileURL(resolve(options.factory)).href;
    const url = options.workerUrl ?? defaultWorkerUrl();
    const workers = Array.from(
      { length: threads - 1 },
      (_, k) =>
        new Worker(url, {
          workerData: { factory, args: options.args, worker: k + 1 },
          ...(options.execArgv ? { execArgv: [...options.execArgv] } : {}),
        }),
    );
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            w.once('message', (r: WorkerReply) =>
              r.kind === 'ready'
                ? resolve()
                : reject(
                    new Error(
                      `a gradient worker could not start: ${r.kind === 'error' ? r.message : r.kind}`,
                    ),
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

  /** Threads computing gradients, this one included. */
  get threads(): number {
    return this.workers.length + 1;
  }

  private ask(k: number, request: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    const p = new Promise<WorkerReply>((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      this.workers[k]!.ref();
      this.workers[k]!.postMessage(request, transfer);
    });
    // Awaited later; until then (or if this thread's share fails first) a failure is not unhandled.
    p.catch(() => {});
    return p;
  }

  /** Sends every share after the first to a worker, with the current weights; returns their replies. */
  private async sendShares(
    kind: 'step' | 'metrics',
    m: Model,
    batch: Pick<Batch, 'images' | 'labels'>,
    parts: BatchSlice[],
    options: GradientOptions,
  ): Promise<Promise<WorkerReply>[]> {
    if (this.failure) throw this.failure;
    const n = batch.labels.shape[0]!;
    const vars = m.trainableVariables as tf.Variable[];
    const weights = await Promise.all(vars.map((v) => v.data() as Promise<Float32Array>));
    const images = (await batch.images.data()) as Float32Array;
    const labels = (await batch.labels.data()) as Float32Array | Int32Array;
    const perImage = images.length / n;
    const perLabel = labels.length / n;
    return parts.slice(1).map(({ from, size }, k) =>
      this.ask(k, {
        kind,
        id: this.nextId++,
        weights,
        images: images.slice(from * perImage, (from + size) * perImage),
        imageShape: [size, ...batch.images.shape.slice(1)],
        labels: labels.slice(from * perLabel, (from + size) * perLabel),
        labelShape: [size, ...batch.labels.shape.slice(1)],
        labelDtype: batch.labels.dtype as 'float32' | 'int32',
        scale: (size / n) * (options.scale ?? 1),
        microBatchSize: options.microBatchSize,
        rateRegularization: options.rateRegularization,
      }),
    );
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
    const micro = options.microBatchSize;
    const parts = splitBatch(n, { parts: this.threads, ...(micro === undefined ? {} : { size: micro }) });
    if (parts.length <= 1) return batchGradients(m, batch, options);
    const replies = await this.sendShares('step', m, batch, parts, options);
    const vars = m.trainableVariables as tf.Variable[];
    const own = await DataParallel.onFirst(batch, parts[0]!.size, (part) =>
      batchGradients(m, part, { ...options, scale: (parts[0]!.size / n) * (options.scale ?? 1) }),
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
   * batch split across the threads. Workers use their model's default loss; a custom `loss` runs here.
   */
  readonly metrics: MetricsSource = async (m, batch, options) => {
    if (this.failure) throw this.failure;
    const n = batch.labels.shape[0]!;
    const micro = options.microBatchSize;
    // Shares of whole micro-batches (of single samples when none are given: no gradients to add up).
    const parts = splitBatch(n, { parts: this.threads, size: micro ?? 1 });
    if (parts.length <= 1 || options.loss) return batchMetrics(m, batch, options);
    const share = micro === undefined ? {} : { microBatchSize: micro };
    const replies = await this.sendShares('metrics', m, batch, parts, share);
    const own = await DataParallel.onFirst(batch, parts[0]!.size, (part) => batchMetrics(m, part, share));
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

  /** Each worker's `saveState(model)` (`undefined` where the factory has none), in worker order. */
  async states(): Promise<unknown[]> {
    if (this.failure) throw this.failure;
    const replies = await Promise.all(
      this.workers.map((_, k) => this.ask(k, { kind: 'save-state', id: this.nextId++ })),
    );
    return replies.map((r) => {
      if (r.kind !== 'state') throw new Error(`a gradient worker failed: ${describe(r)}`);
      return r.state;
    });
  }

  /** Stops the workers; the pool cannot compute gradients afterwards. */
  async close(): Promise<void> {
    this.fail(new Error('DataParallel: the gradient workers were closed; start a new pool.'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** What a reply that is not the expected one says. */
function describe(reply: WorkerReply): string {
  return reply.kind === 'error' ? reply.message : `unexpected ${reply.kind} reply`;
}
