import { tidy } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { checkSeqLength, type Encoder } from './encoder.js';

/** Options of {@link deltaEncode} (snnTorch `spikegen.delta`). */
export interface DeltaOptions {
  /** Minimum change that spikes. Default 0.1. */
  readonly threshold?: number;
  /** Compare the first step with itself (no spike) instead of with zero. Default `false`. */
  readonly padding?: boolean;
  /** Emit −1 for decreases of at least `threshold`. Default `false`. */
  readonly offSpike?: boolean;
}

/**
 * Delta modulation (snnTorch `spikegen.delta`): a spike where a time-first signal `[T, ...]` rises
 * by at least `threshold` since the previous step (`-1` for falls with `offSpike`).
 */
export function deltaEncode(data: tf.Tensor, options: DeltaOptions = {}): tf.Tensor {
  const threshold = options.threshold ?? 0.1;
  return tidy(() => {
    const first = tf.slice(data, 0, 1);
    const previous = tf.concat(
      [options.padding ? first : tf.zerosLike(first), tf.slice(data, 0, data.shape[0]! - 1)],
      0,
    );
    const diff = tf.sub(data, previous);
    const on = tf.cast(tf.greaterEqual(diff, threshold), 'float32');
    if (!options.offSpike) return on;
    return tf.sub(on, tf.cast(tf.lessEqual(diff, -threshold), 'float32'));
  });
}

/** Options of {@link latencyEncode} (snnTorch `spikegen.latency`). */
export interface LatencyOptions {
  /** Values below it never reach threshold. Default 0.01. */
  readonly threshold?: number;
  /** Time constant of the RC model (steps). Default 1. */
  readonly tau?: number;
  /** Earliest spike time. Default 0. */
  readonly firstSpikeTime?: number;
  /** Linear code `t = tau*(1 - x)` instead of the RC (log) code. Default `false`. */
  readonly linear?: boolean;
  /** Stretch the spike times to fill `[firstSpikeTime, numSteps - 1]`. Default `false`. */
  readonly normalize?: boolean;
  /** Remove the spikes of values below `threshold` (instead of a spike at the latest time). Default `false`. */
  readonly clip?: boolean;
  /** Value of a spike. Default 1. */
  readonly onTarget?: number;
  /** Value of no spike. Default 0. */
  readonly offTarget?: number;
  /** Guard against division by zero in the log code. Default 1e-7. */
  readonly epsilon?: number;
}

/**
 * The spike time of each value (snnTorch `latency_code`), before rounding: RC code
 * `tau*ln(x/(x - threshold))` (x clamped above `threshold + epsilon`), or linear
 * `min(tau*(1 - x), tau*(1 - threshold))`, plus `firstSpikeTime`; stretched to the last step with `normalize`.
 */
export function latencyTimes(data: tf.Tensor, numSteps: number, options: LatencyOptions = {}): tf.Tensor {
  const threshold = options.threshold ?? 0.01;
  const first = options.firstSpikeTime ?? 0;
  const eps = options.epsilon ?? 1e-7;
  if (!(threshold > 0 && threshold < 1))
    throw new RangeError(`latencyEncode: threshold must be in (0, 1), got ${threshold}.`);
  if (first < 0 || first > numSteps - 1) {
    throw new RangeError(
      `latencyEncode: firstSpikeTime must be in [0, numSteps - 1 = ${numSteps - 1}], got ${first}.`,
    );
  }
  return tidy(() => {
    if (options.linear) {
      const tau = options.normalize ? numSteps - 1 - first : (options.tau ?? 1);
      return tf.add(tf.minimum(tf.mul(-tau, tf.sub(data, 1)), -tau * (threshold - 1)), first);
    }
    const tau = options.tau ?? 1;
    const x = tf.maximum(data, threshold + eps);
    let t = tf.add(tf.mul(tau, tf.log(tf.div(x, tf.sub(x, threshold)))), first);
    if (options.normalize) {
      const shifted = tf.sub(t, first);
      t = tf.add(tf.div(tf.mul(shifted, numSteps - first - 1), tf.max(shifted)), first);
    }
    return t;
  });
}

/**
 * Latency code (snnTorch `spikegen.latency`): each value in `[0, 1]` spikes once, larger values
 * earlier. Values below `threshold` spike at the latest time (or never, with `clip`); spike times
 * past `numSteps - 1` are dropped.
 *
 * @returns `[numSteps, ...data.shape]`
 */
export function latencyEncode(data: tf.Tensor, numSteps: number, options: LatencyOptions = {}): tf.Tensor {
  checkSeqLength('latencyEncode', numSteps);
  const on = options.onTarget ?? 1;
  const off = options.offTarget ?? 0;
  return tidy(() => {
    const times = tf.round(latencyTimes(data, numSteps, options));
    const inRange = tf.lessEqual(times, numSteps - 1);
    const index = tf.cast(tf.clipByValue(times, 0, numSteps - 1), 'int32');
    let keep = tf.cast(inRange, 'float32');
    if (options.clip)
      keep = tf.mul(keep, tf.cast(tf.greaterEqual(data, options.threshold ?? 0.01), 'float32'));
    // oneHot puts time last: [..., T] → [T, ...].
    const hot = tf.mul(
      tf.cast(tf.oneHot(tf.reshape(index, [-1]), numSteps), 'float32'),
      tf.reshape(keep, [-1, 1]),
    );
    const timeFirst = tf.reshape(tf.transpose(hot), [numSteps, ...data.shape]);
    return tf.maximum(tf.mul(timeFirst, on), off);
  });
}

/** Delta encoder for time-first signals. */
export class DeltaEncoder implements Encoder {
  readonly name = 'DeltaEncoder';
  constructor(readonly options: DeltaOptions = {}) {}
  encode(data: tf.Tensor): tf.Tensor {
    return deltaEncode(data, this.options);
  }
}

/** Latency encoder (snnTorch `spikegen.latency`). */
export class LatencyEncoder implements Encoder {
  readonly name = 'LatencyEncoder';
  constructor(
    readonly seqLength: number,
    readonly options: LatencyOptions = {},
  ) {
    checkSeqLength(this.name, seqLength);
  }
  encode(data: tf.Tensor): tf.Tensor {
    return latencyEncode(data, this.seqLength, this.options);
  }
}
