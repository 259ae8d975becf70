import { Random } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import type { ImageSplit } from './idx.js';

/** How batches are made from the bytes. */
export interface BatchOptions {
  /** Scale pixels from 0..255 to 0..1. Default `true`. */
  readonly scale?: boolean;
  /** Normalise with `(x - mean) / std` after scaling; give `false` to skip. Default MNIST's 0.1307 / 0.3081. */
  readonly normalize?: false | { readonly mean: number; readonly std: number };
  /** `[B, rows*cols]` instead of `[B, 1, rows, cols]`. Default `false`. */
  readonly flatten?: boolean;
  /** Labels as one-hot `[B, classes]` float32 instead of `[B]` int32. Default `false`. */
  readonly oneHot?: boolean;
  /** Number of classes for one-hot labels. Default 10. */
  readonly classes?: number;
}

/** A batch: images `[B, 1, rows, cols]` (or `[B, rows*cols]`) float32 and labels `[B]` int32 (or one-hot). */
export interface Batch {
  readonly images: tf.Tensor;
  readonly labels: tf.Tensor;
  /** The sample indices in the split. */
  readonly indices: Int32Array;
}

/** MNIST's normalisation, as in the Norse tutorial. */
export const MNIST_NORMALIZATION = Object.freeze({ mean: 0.1307, std: 0.3081 });

/**
 * The float32 value of every pixel byte `0…255` under these options, exactly as PyTorch computes
 * it: torchvision's `ToTensor()` divides by 255 in float32, then `Normalize(mean, std)` subtracts
 * the float32 mean and divides by the float32 std, each operation rounded to float32
 * (`((x / 255) − mean) / std`). Folded into one multiply-add in doubles it gives other floats for
 * 173 of the 256 bytes with MNIST's statistics (by up to 13 units in the last place), which
 * Poisson probabilities and models that take the pixels as currents would see. {@link makeBatch}
 * looks every pixel up here.
 *
 * @example
 * ```ts
 * pixelTable()[255]; // 2.8214867: byte 255 after the tutorial's normalisation, as PyTorch has it
 * ```
 */
export function pixelTable(options: Pick<BatchOptions, 'scale' | 'normalize'> = {}): Float32Array {
  const r = Math.fround;
  const norm = options.normalize === undefined ? MNIST_NORMALIZATION : options.normalize;
  if (norm && !(Number.isFinite(norm.mean) && Number.isFinite(norm.std) && norm.std !== 0)) {
    throw new RangeError(
      `normalize needs a finite mean and a finite, non-zero std, got mean ${norm.mean} and std ${norm.std}.`,
    );
  }
  const scale = options.scale ?? true;
  // A float32 divided by a float32, rounded once from the double quotient: the float32 quotient.
  return Float32Array.from({ length: 256 }, (_, byte) => {
    const x = scale ? r(byte / 255) : byte;
    return norm ? r(r(x - r(norm.mean)) / r(norm.std)) : x;
  });
}

/**
 * Makes the tensors of one batch from the samples at `indices`. The caller owns (and disposes) them.
 * Pixels are {@link pixelTable}'s values, PyTorch's to the bit.
 */
export function makeBatch(split: ImageSplit, indices: ArrayLike<number>, options: BatchOptions = {}): Batch {
  const size = split.rows * split.cols;
  const n = indices.length;
  const pixels = new Float32Array(n * size);
  const table = pixelTable(options);
  const labels = new Int32Array(n);
  for (let b = 0; b < n; b++) {
    const k = indices[b]!;
    if (!(k >= 0 && k < split.count))
      throw new RangeError(`makeBatch: sample index ${k} is outside [0, ${split.count}).`);
    const src = split.images.subarray(k * size, (k + 1) * size);
    const off = b * size;
    for (let p = 0; p < size; p++) pixels[off + p] = table[src[p]!]!;
    labels[b] = split.labels[k]!;
  }
  const images = options.flatten
    ? tf.tensor2d(pixels, [n, size])
    : tf.tensor4d(pixels, [n, 1, split.rows, split.cols]);
  const labelTensor = options.oneHot
    ? tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), options.classes ?? 10), 'float32'))
    : tf.tensor1d(labels, 'int32');
  return { images, labels: labelTensor, indices: Int32Array.from(indices) };
}

/** Options of a {@link DataLoader}. */
export interface LoaderOptions extends BatchOptions {
  /** Samples per batch. Default 256 (the tutorial's). */
  readonly batchSize?: number;
  /** Shuffle every epoch. Default `true`. */
  readonly shuffle?: boolean;
  /** Seed of the shuffles: epoch `e` is always ordered the same way. Default 0. */
  readonly seed?: number;
  /** Drop the last, incomplete batch. Default `false`. */
  readonly dropLast?: boolean;
  /** Use only the first `limit` samples of the split. */
  readonly limit?: number;
  /**
   * Samples per epoch, drawn afresh every epoch from the (limited) split by that epoch's seeded
   * order, like PyTorch's `RandomSampler(num_samples=…)`: shorter epochs that still visit the
   * whole split over time. Default: the whole split.
   */
  readonly epochSize?: number;
}

/**
 * Batches of a split, `for await`-iterable, like PyTorch's `DataLoader`. Each epoch is shuffled by
 * its own seeded order (epoch `e` of seed `s` is always the same, and differs between epochs). The
 * images stay bytes; each batch's tensors are made on demand and **owned by the consumer**, who
 * disposes them (`tf.dispose([batch.images, batch.labels])`).
 *
 * @example
 * ```ts
 * const loader = new DataLoader(mnist.train, { batchSize: 256, seed: 1 });
 * for await (const { images, labels } of loader) { ...; tf.dispose([images, labels]); }
 * ```
 */
export class DataLoader implements AsyncIterable<Batch> {
  readonly batchSize: number;
  /** Samples per epoch. */
  readonly size: number;
  /** Samples the epochs draw from (the split, or its first `limit`). */
  readonly poolSize: number;
  readonly options: LoaderOptions;
  /** The epoch the next iteration runs (incremented when an iteration starts). */
  epoch = 0;

  constructor(
    readonly split: ImageSplit,
    options: LoaderOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 256;
    if (!(Number.isInteger(this.batchSize) && this.batchSize > 0)) {
      throw new RangeError(`DataLoader: batchSize must be a positive integer, got ${options.batchSize}.`);
    }
    const limit = options.limit ?? split.count;
    if (!(Number.isInteger(limit) && limit > 0))
      throw new RangeError(`DataLoader: limit must be a positive integer, got ${limit}.`);
    this.poolSize = Math.min(limit, split.count);
    const epochSize = options.epochSize ?? this.poolSize;
    if (!(Number.isInteger(epochSize) && epochSize > 0))
      throw new RangeError(`DataLoader: epochSize must be a positive integer, got ${epochSize}.`);
    this.size = Math.min(epochSize, this.poolSize);
    this.options = options;
  }

  /** Number of batches per epoch. */
  get length(): number {
    return this.options.dropLast
      ? Math.floor(this.size / this.batchSize)
      : Math.ceil(this.size / this.batchSize);
  }

  /** The sample order of epoch `e` (its first {@link DataLoader.size} samples are the epoch's). */
  order(epoch: number): Int32Array {
    if (this.options.shuffle === false) return Int32Array.from({ length: this.poolSize }, (_, k) => k);
    return new Random(`${this.options.seed ?? 0}:${epoch}`).permutation(this.poolSize);
  }

  /** The batches of one given epoch (does not change {@link DataLoader.epoch}). */
  *batches(epoch: number, startBatch = 0): Generator<Batch> {
    const order = this.order(epoch);
    for (let b = startBatch; b < this.length; b++) {
      yield makeBatch(
        this.split,
        order.subarray(b * this.batchSize, Math.min((b + 1) * this.batchSize, this.size)),
        this.options,
      );
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
    const epoch = this.epoch++;
    yield* this.batches(epoch);
  }
}
