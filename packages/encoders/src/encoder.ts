import type * as tf from '@tensorflow/tfjs-core';

/**
 * Something that turns values into spikes over time. `encode(x)` returns `[T, ...x.shape]` (time
 * first) for the time-based encoders, `[...x.shape, outFeatures]` for the population encoder.
 */
export interface Encoder {
  /** A short name for summaries. */
  readonly name: string;
  /** Number of time steps produced (absent for the population encoder). */
  readonly seqLength?: number;
  encode(input: tf.Tensor): tf.Tensor;
}

/** Validates a sequence length. */
export function checkSeqLength(where: string, seqLength: number): number {
  if (!(Number.isInteger(seqLength) && seqLength > 0)) {
    throw new RangeError(
      `${where}: seqLength must be a positive integer number of time steps, got ${seqLength}.`,
    );
  }
  return seqLength;
}
