import type { BackendName } from '@snn/core';
import type { DatasetId } from '@snn/datasets';
import { BACKEND_CHOICES } from './backend.js';

/** Every choice a training run makes; saved in `config.json`. */
export interface TrainOptions {
  model: 'recurrent' | 'conv';
  encoder: 'constant-current' | 'poisson' | 'latency';
  seqLength: number;
  hidden: number;
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  dataset: DatasetId;
  dataDir: string | undefined;
  limitTrain: number | undefined;
  limitTest: number | undefined;
  backend: BackendName | 'auto';
  out: string | undefined;
  /** Poisson maximum rate (Hz). */
  fMax: number;
  /** Save a checkpoint every this many batches (and at every epoch end). */
  checkpointEvery: number;
  /** Allow the offline MNIST subset when MNIST cannot be found or downloaded. */
  offlineSubset: boolean;
  /** Compute each batch's gradient in slices of this many samples (same update, less memory). */
  microBatch: number | undefined;
  /** Train each epoch on this many samples drawn afresh from the train split. */
  epochSize: number | undefined;
  /**
   * Threads computing each batch's gradients (data parallelism over worker threads); `auto`: every
   * core on the single-threaded backends (wasm, cpu), else 1.
   */
  threads: number | 'auto';
}

/** A user-facing mistake in the arguments: the CLI prints the message and exits with code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The tutorial's defaults (section 3: recurrent model, constant-current encoder, 1 epoch). */
export const DEFAULTS: TrainOptions = {
  model: 'recurrent',
  encoder: 'constant-current',
  seqLength: 32,
  hidden: 100,
  epochs: 1,
  batchSize: 256,
  lr: 2e-3,
  seed: 0,
  dataset: 'mnist',
  dataDir: undefined,
  limitTrain: undefined,
  limitTest: undefined,
  backend: 'auto',
  out: undefined,
  fMax: 100,
  checkpointEvery: 50,
  offlineSubset: true,
  microBatch: undefined,
  epochSize: undefined,
  threads: 'auto',
};

/** Named presets: the tutorial's experiments. Flags given on the command line override them. */
export const PRESETS: Readonly<Record<string, Partial<TrainOptions>>> = {
  'tutorial-recurrent': {
    model: 'recurrent',
    encoder: 'constant-current',
    seqLength: 32,
    hidden: 100,
    lr: 2e-3,
    batchSize: 256,
    epochs: 5,
  },
  'tutorial-poisson': {
    model: 'recurrent',
    encoder: 'poisson',
    seqLength: 32,
    hidden: 100,
    lr: 2e-3,
    batchSize: 256,
    epochs: 5,
    fMax: 100,
  },
  'tutorial-latency': {
    model: 'recurrent',
    encoder: 'latency',
    seqLength: 32,
    hidden: 100,
    lr: 2e-3,
    batchSize: 256,
    epochs: 5,
  },
  'tutorial-conv': {
    model: 'conv',
    encoder: 'constant-current',
    seqLength: 48,
    lr: 1e-3,
    batchSize: 256,
    epochs: 5,
    // Batch 256 at T 48 does not fit the wasm heap at once: the same update in slices of 16.
    microBatch: 16,
  },
};

const ENUMS = {
  model: ['recurrent', 'conv'],
  encoder: ['constant-current', 'poisson', 'latency'],
  dataset: ['mnist', 'fashion-mnist', 'kmnist'],
  backend: BACKEND_CHOICES,
} as const;

/** Merges defaults, a preset and explicit flags, and validates the result. */
export function resolveOptions(flags: Partial<TrainOptions>, preset?: string): TrainOptions {
  let base = DEFAULTS;
  if (preset !== undefined) {
    const p = PRESETS[preset];
    if (!p) throw new UsageError(`unknown preset "${preset}" (known: ${Object.keys(PRESETS).join(', ')})`);
    base = { ...DEFAULTS, ...p };
  }
  const defined = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  const o = { ...base, ...defined } as TrainOptions;
  for (const [key, allowed] of Object.entries(ENUMS)) {
    const value = o[key as keyof TrainOptions];
    if (!(allowed as readonly unknown[]).includes(value)) {
      throw new UsageError(`--${key} must be one of ${allowed.join(', ')} (got "${String(value)}")`);
    }
  }
  const positive: [keyof TrainOptions, string][] = [
    ['seqLength', '--seq-length'],
    ['hidden', '--hidden'],
    ['epochs', '--epochs'],
    ['batchSize', '--batch-size'],
    ['checkpointEvery', '--checkpoint-every'],
  ];
  for (const [k, flag] of positive) {
    const v = o[k] as number;
    if (!(Number.isInteger(v) && v > 0))
      throw new UsageError(`${flag} must be a positive integer (got ${String(v)})`);
  }
  for (const [k, flag] of [
    ['limitTrain', '--limit-train'],
    ['limitTest', '--limit-test'],
    ['microBatch', '--micro-batch'],
    ['epochSize', '--epoch-size'],
  ] as const) {
    const v = o[k];
    if (v !== undefined && !(Number.isInteger(v) && v > 0))
      throw new UsageError(`${flag} must be a positive integer (got ${String(v)})`);
  }
  if (o.threads !== 'auto' && !(Number.isInteger(o.threads) && o.threads >= 1 && o.threads <= 64))
    throw new UsageError(`--threads must be auto or a whole number from 1 to 64 (got ${String(o.threads)})`);
  if (o.backend === 'webgpu' && o.threads !== 'auto' && o.threads > 1)
    throw new UsageError(
      '--threads: webgpu computes each batch on one GPU device; use --threads 1 (or auto)',
    );
  if (!(o.lr > 0 && o.lr < 10)) throw new UsageError(`--lr must be a learning rate in (0, 10) (got ${o.lr})`);
  if (!Number.isInteger(o.seed) || o.seed < 0)
    throw new UsageError(`--seed must be a non-negative integer (got ${o.seed})`);
  if (
    o.model === 'conv' &&
    o.dataset !== 'mnist' &&
    o.dataset !== 'fashion-mnist' &&
    o.dataset !== 'kmnist'
  ) {
    throw new UsageError('--model conv needs a 28x28 image dataset');
  }
  return o;
}
