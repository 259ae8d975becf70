import { firstArgMax, firstMax, tidy } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';

/** Float32 for the maximum's gradient (spikes may come as int32 or bool). */
function asFloat32(x: tf.Tensor): tf.Tensor {
  return x.dtype === 'float32' ? x : tf.cast(x, 'float32');
}

function checkTimeFirst(where: string, x: tf.Tensor, minRank = 2): void {
  if (x.rank < minRank || x.shape[0] === 0) {
    throw new Error(
      `${where}: expected a time-first tensor [T, B, ...] with T >= 1, got shape [${x.shape.join(', ')}].`,
    );
  }
}

/**
 * The tutorial's decoder: the maximum of each output over time, then log-softmax over classes
 * (the last axis). `[T, B, C] → [B, C]` log-probabilities, ready for {@link nllLoss}.
 *
 * PyTorch's tie rule (`x.max(0)`): the gradient of each maximum flows to the **first** time step
 * where it is reached, and to no other, however many steps tie with it. Ties are the rule in the
 * tutorial: the readout voltage stays exactly 0 on every step before the first hidden spike
 * reaches it. (`tf.max` would send the gradient to every tied step, a gradient Norse never
 * computes.) The same on every backend.
 */
export function decode(x: tf.Tensor): tf.Tensor {
  checkTimeFirst('decode', x);
  return tidy(() => tf.logSoftmax(firstMax(asFloat32(x), 0)));
}

/** Log-softmax of the last time step: `[T, B, C] → [B, C]` (the tutorial's `decode_last`). */
export function decodeLast(x: tf.Tensor): tf.Tensor {
  checkTimeFirst('decodeLast', x);
  return tidy(() => tf.logSoftmax(tf.squeeze(tf.slice(x, x.shape[0]! - 1, 1), [0])));
}

/** Sum over time (Norse `sum_decode`): `[T, ...] → [...]`. */
export function sumDecode(x: tf.Tensor, axis = 0): tf.Tensor {
  checkTimeFirst('sumDecode', x, 1);
  return tf.sum(x, axis);
}

/** Mean over time: `[T, ...] → [...]`. */
export function meanDecode(x: tf.Tensor, axis = 0): tf.Tensor {
  checkTimeFirst('meanDecode', x, 1);
  return tf.mean(x, axis);
}

/**
 * Maximum over time: `[T, ...] → [...]` float32 (spikes given as int32 or bool are cast). Its
 * gradient goes to the first maximal step only (PyTorch's tie rule, as in {@link decode}).
 */
export function maxDecode(x: tf.Tensor, axis = 0): tf.Tensor {
  checkTimeFirst('maxDecode', x, 1);
  return tidy(() => firstMax(asFloat32(x), axis));
}

/** Number of spikes per neuron: `[T, ...] → [...]`. */
export function spikeCount(spikes: tf.Tensor): tf.Tensor {
  checkTimeFirst('spikeCount', spikes, 1);
  return tf.sum(spikes, 0);
}

/**
 * Firing rate per neuron: spikes per step (`dt` absent) or per second (`rate = count / (T*dt)`, in
 * Hz, when `dt` is given). `[T, ...] → [...]`.
 */
export function spikeRate(spikes: tf.Tensor, dt?: number): tf.Tensor {
  checkTimeFirst('spikeRate', spikes, 1);
  const T = spikes.shape[0]!;
  return tidy(() => tf.div(tf.sum(spikes, 0), dt === undefined ? T : T * dt));
}

/**
 * The index of each neuron's first spike along time, `never` (default `T`) where it never spikes.
 * `[T, ...] → [...]` float32. Not differentiable. The first of the tied maxima of `spikes > 0`
 * (PyTorch's `argmax` tie rule), whatever the backend.
 */
export function firstSpikeTime(spikes: tf.Tensor, never?: number): tf.Tensor {
  checkTimeFirst('firstSpikeTime', spikes, 1);
  const T = spikes.shape[0]!;
  return tidy(() => {
    const fired = tf.greater(spikes, 0);
    const first = tf.cast(firstArgMax(fired, 0), 'float32');
    // A neuron that never fired has all-false, whose first maximum is step 0.
    return tf.where(tf.any(fired, 0), first, tf.fill(first.shape, never ?? T));
  });
}

/**
 * Population decoding: the mean of each group of `groupSize` consecutive output neurons, so
 * `[..., C*groupSize] → [..., C]` (snnTorch's `population_code` with `num_classes = C`).
 */
export function populationDecode(x: tf.Tensor, groupSize: number): tf.Tensor {
  const n = x.shape[x.rank - 1]!;
  if (!(Number.isInteger(groupSize) && groupSize > 0 && n % groupSize === 0)) {
    throw new RangeError(
      `populationDecode: the last dimension (${n}) must be a multiple of groupSize (${groupSize}).`,
    );
  }
  return tidy(() => tf.mean(tf.reshape(x, [...x.shape.slice(0, -1), n / groupSize, groupSize]), -1));
}
