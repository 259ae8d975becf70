import { firstMax, tidy } from '@snn/core';
import { crossEntropyLoss, type Labels, nllLoss } from '@snn/decoders';
import * as tf from '@tensorflow/tfjs-core';
import type { ModelOutput } from './model.js';

/** A loss of a model's output and the labels `[B]` int32. */
export type LossFn = (output: ModelOutput, labels: tf.Tensor) => tf.Scalar;

function oneHot(labels: tf.Tensor, classes: number): tf.Tensor {
  return tf.cast(tf.oneHot(tf.cast(labels, 'int32'), classes), 'float32');
}

/** NLL of the decoded log-probabilities (the tutorial's loss). */
export const nll: LossFn = (out, labels) => nllLoss(out.logProbs, labels as Labels);

/**
 * Cross-entropy of the readout's maximum over time (logits), the gradient of each maximum going to
 * its first maximal step (PyTorch's tie rule, as `decode`).
 */
export const crossEntropy: LossFn = (out, labels) =>
  tidy(() => crossEntropyLoss(firstMax(out.readout, 0), labels as Labels));

/**
 * snnTorch `ce_rate_loss`: cross-entropy at every time step of the output spikes (or readout),
 * averaged over time: the correct class is pushed to fire at every step.
 */
export const ceRateLoss: LossFn = (out, labels) =>
  tidy(() => {
    const steps = tf.unstack(out.readout);
    const total = steps.reduce<tf.Tensor>(
      (acc, s) => tf.add(acc, crossEntropyLoss(s, labels as Labels)),
      tf.scalar(0),
    );
    return tf.div(total, steps.length) as tf.Scalar;
  });

/** snnTorch `ce_count_loss`: cross-entropy of the total output count (sum over time). */
export const ceCountLoss: LossFn = (out, labels) =>
  tidy(() => crossEntropyLoss(tf.sum(out.readout, 0), labels as Labels));

/** Options of {@link mseCountLoss}: target counts as fractions of the steps. */
export interface MSECountOptions {
  /** Fraction of steps the correct class should fire. Default 0.8. */
  readonly correctRate?: number;
  /** Fraction of steps the others should fire. Default 0.2. */
  readonly incorrectRate?: number;
}

/** snnTorch `mse_count_loss`: mean squared error of output counts against target counts. */
export function mseCountLoss(options: MSECountOptions = {}): LossFn {
  const correct = options.correctRate ?? 0.8;
  const incorrect = options.incorrectRate ?? 0.2;
  return (out, labels) =>
    tidy(() => {
      const T = out.readout.shape[0]!;
      const C = out.readout.shape[2]!;
      const target = tf.add(tf.mul(oneHot(labels, C), (correct - incorrect) * T), incorrect * T);
      return tf.mean(tf.square(tf.sub(tf.sum(out.readout, 0), target))) as tf.Scalar;
    });
}

/** Options of {@link mseMembraneLoss}. */
export interface MSEMembraneOptions {
  /** Target membrane value of the correct class. Default 1. */
  readonly onTarget?: number;
  /** Target of the other classes. Default 0. */
  readonly offTarget?: number;
}

/** snnTorch `mse_membrane_loss`: MSE of the readout at every step against on/off targets. */
export function mseMembraneLoss(options: MSEMembraneOptions = {}): LossFn {
  const on = options.onTarget ?? 1;
  const off = options.offTarget ?? 0;
  return (out, labels) =>
    tidy(() => {
      const C = out.readout.shape[2]!;
      const target = tf.add(tf.mul(oneHot(labels, C), on - off), off);
      return tf.mean(tf.square(tf.sub(out.readout, target))) as tf.Scalar;
    });
}

/** The losses by name (for configuration files and the CLI). */
export const LOSSES = {
  nll,
  crossEntropy,
  ceRateLoss,
  ceCountLoss,
  mseCountLoss: mseCountLoss(),
  mseMembraneLoss: mseMembraneLoss(),
} as const satisfies Record<string, LossFn>;

/** Names of {@link LOSSES}. */
export type LossName = keyof typeof LOSSES;

/** Mean firing rate of the hidden layers (spikes per neuron and step), for regularisation. */
export function meanRate(spikes: readonly tf.Tensor[]): tf.Scalar {
  return tidy(() =>
    spikes.length === 0
      ? tf.scalar(0)
      : (tf.div(
          spikes.map((s) => tf.mean(s)).reduce((a, b) => tf.add(a, b)),
          spikes.length,
        ) as tf.Scalar),
  );
}
