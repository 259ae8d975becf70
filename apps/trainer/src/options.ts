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
  /** Train on dataset files whose MD5s are not the official ones (recorded as unverified). */
  allowUnverified: boolean;
}

/** A user-facing mistake in the arguments: the CLI prints the message and exits with code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The option at fault, when one is. */
    readonly field?: keyof TrainOptions,
  ) {
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
  allowUnverified: false,
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

/** The command-line flag of each option (how messages name it). */
export const FLAGS: Readonly<Record<keyof TrainOptions, string>> = {
  model: '--model',
  encoder: '--encoder',
  seqLength: '--seq-length',
  hidden: '--hidden',
  epochs: '--epochs',
  batchSize: '--batch-size',
  lr: '--lr',
  seed: '--seed',
  dataset: '--dataset',
  dataDir: '--data-dir',
  limitTrain: '--limit-train',
  limitTest: '--limit-test',
  backend: '--backend',
  out: '--out',
  fMax: '--f-max',
  checkpointEvery: '--checkpoint-every',
  offlineSubset: '--no-offline-subset',
  microBatch: '--micro-batch',
  epochSize: '--epoch-size',
  threads: '--threads',
  allowUnverified: '--allow-unverified',
};

/** Time steps and hidden neurons beyond which a run cannot fit any tfjs backend's memory. */
export const LIMITS = { seqLength: 10_000, hidden: 10_000, batchSize: 65_536 } as const;

const got = (v: unknown) => `(got ${typeof v === 'string' ? `"${v}"` : (JSON.stringify(v) ?? String(v))})`;
const oneOf =
  (...allowed: readonly unknown[]) =>
  (v: unknown) =>
    allowed.includes(v) ? undefined : `must be one of ${allowed.join(', ')} ${got(v)}`;
const whole =
  (min: number, max: number, why = '') =>
  (v: unknown) =>
    Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max
      ? undefined
      : `must be a whole number from ${min} to ${max}${why} ${got(v)}`;
const optional = (rule: (v: unknown) => string | undefined) => (v: unknown) =>
  v === undefined ? undefined : rule(v);
const text = (v: unknown) => (typeof v === 'string' && v !== '' ? undefined : `must be a path ${got(v)}`);
const flag = (v: unknown) => (typeof v === 'boolean' ? undefined : `must be true or false ${got(v)}`);
const MAX = Number.MAX_SAFE_INTEGER;

/**
 * The rule of every option, one place for the command line and for the `config.json` of a run
 * directory: each returns what is wrong with a value, or nothing.
 */
export const RULES: Readonly<Record<keyof TrainOptions, (v: unknown) => string | undefined>> = {
  model: oneOf('recurrent', 'conv'),
  encoder: oneOf('constant-current', 'poisson', 'latency'),
  seqLength: whole(
    1,
    LIMITS.seqLength,
    ' (backpropagation through time keeps every step: more do not fit memory)',
  ),
  hidden: whole(1, LIMITS.hidden, ' (the recurrent weights grow with its square: more do not fit memory)'),
  epochs: whole(1, 1_000_000),
  batchSize: whole(1, LIMITS.batchSize),
  lr: (v) =>
    typeof v === 'number' && v > 0 && v < 10 ? undefined : `must be a learning rate in (0, 10) ${got(v)}`,
  seed: whole(0, 2 ** 32 - 1),
  dataset: oneOf('mnist', 'fashion-mnist', 'kmnist'),
  dataDir: optional(text),
  limitTrain: optional(whole(1, MAX)),
  limitTest: optional(whole(1, MAX)),
  backend: oneOf(...BACKEND_CHOICES),
  out: optional(text),
  fMax: (v) =>
    typeof v === 'number' && v > 0 && v <= 1000
      ? undefined
      : `must be a rate in Hz above 0 and at most 1000 (one spike per 1 ms step) ${got(v)}`,
  checkpointEvery: whole(1, MAX),
  offlineSubset: flag,
  microBatch: optional(whole(1, MAX)),
  epochSize: optional(whole(1, MAX)),
  threads: (v) =>
    v === 'auto' ? undefined : whole(1, 64)(v) && `must be auto or a whole number from 1 to 64 ${got(v)}`,
  allowUnverified: flag,
};

/** Merges defaults, a preset and explicit flags, and checks every option against {@link RULES}. */
export function resolveOptions(flags: Partial<TrainOptions>, preset?: string): TrainOptions {
  let base = DEFAULTS;
  if (preset !== undefined) {
    const p = PRESETS[preset];
    if (!p) throw new UsageError(`unknown preset "${preset}" (known: ${Object.keys(PRESETS).join(', ')})`);
    base = { ...DEFAULTS, ...p };
  }
  const defined = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  const o = { ...base, ...defined } as TrainOptions;
  for (const key of Object.keys(RULES) as (keyof TrainOptions)[]) {
    const problem = RULES[key](o[key]);
    if (problem) throw new UsageError(`${FLAGS[key]} ${problem}`, key);
  }
  if (o.backend === 'webgpu' && o.threads !== 'auto' && o.threads > 1)
    throw new UsageError(
      '--threads: webgpu computes each batch on one GPU device; use --threads 1 (or auto)',
      'threads',
    );
  return o;
}

/**
 * The options saved in a run's `config.json`, checked by the command line's own rules; options
 * the file lacks (saved by an older version) take their defaults, unknown ones are ignored.
 * @returns the options, or what is wrong: the field and the rule it breaks.
 */
export function checkSavedOptions(
  saved: unknown,
): { options: TrainOptions } | { field: string; problem: string } {
  if (typeof saved !== 'object' || saved === null || Array.isArray(saved))
    return { field: 'options', problem: 'must be an object' };
  const raw = saved as Record<string, unknown>;
  const o = { ...DEFAULTS } as Record<string, unknown>;
  for (const key of Object.keys(RULES) as (keyof TrainOptions)[]) {
    if (key in raw) o[key] = raw[key] === null ? undefined : raw[key];
    const problem = RULES[key](o[key]);
    if (problem) return { field: `options.${key}`, problem };
  }
  return { options: o as unknown as TrainOptions };
}
