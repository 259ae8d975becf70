import { tidy } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Encoder } from './encoder.js';

/** Options of {@link populationEncode}. */
export interface PopulationOptions {
  /** Range of the centres `[0, scale]`; default `max(x)`. */
  readonly scale?: number;
}

/**
 * Population code (Norse `population_encode`): each value is seen by `outFeatures` neurons with
 * Gaussian receptive fields centred on `linspace(0, scale, outFeatures)`:
 * `d = (x - c)^2 * scale`, `out = exp(-d / 2)`. Not spikes: feed the result to an encoder or a
 * neuron as currents.
 *
 * @returns `[...x.shape, outFeatures]`
 */
export function populationEncode(
  x: tf.Tensor,
  outFeatures: number,
  options: PopulationOptions = {},
): tf.Tensor {
  if (!(Number.isInteger(outFeatures) && outFeatures > 0)) {
    throw new RangeError(`populationEncode: outFeatures must be a positive integer, got ${outFeatures}.`);
  }
  return tidy(() => {
    const scale = options.scale === undefined ? tf.max(x) : tf.scalar(options.scale);
    const unit = outFeatures === 1 ? tf.zeros([1]) : tf.div(tf.range(0, outFeatures), outFeatures - 1);
    const centres = tf.mul(unit, scale);
    const d = tf.mul(tf.square(tf.sub(tf.expandDims(x, -1), centres)), scale);
    return tf.exp(tf.div(tf.neg(d), 2));
  });
}

/** Population encoder (Norse `PopulationEncoder`). */
export class PopulationEncoder implements Encoder {
  readonly name = 'PopulationEncoder';
  constructor(
    readonly outFeatures: number,
    readonly options: PopulationOptions = {},
  ) {}
  encode(x: tf.Tensor): tf.Tensor {
    return populationEncode(x, this.outFeatures, this.options);
  }
}
