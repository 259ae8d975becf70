import type { Random } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { type InitOptions, initRng } from '../init.js';
import type { CallOptions } from '../module.js';
import { view } from '../ops/view.js';
import { BaseLayer } from './base.js';

/**
 * Inverted dropout: in training, zeroes each element with probability `p` and scales the rest by
 * `1/(1-p)`; the identity otherwise. Draws from its own seeded generator.
 */
export class Dropout extends BaseLayer {
  readonly trainableVariables: readonly tf.Variable[] = [];
  private readonly rng: Random;
  constructor(
    readonly p = 0.5,
    options: InitOptions = {},
  ) {
    super('Dropout');
    if (!(p >= 0 && p < 1)) throw new RangeError(`Dropout: p must be in [0, 1), got ${p}.`);
    this.rng = initRng(options);
  }
  apply(input: tf.Tensor, options: CallOptions = {}): tf.Tensor {
    if (!options.training || this.p === 0) return view(input, input.shape);
    return tf.tidy(() => {
      const u = this.rng.uniform(input.shape);
      const keep = tf.cast(tf.greaterEqual(u, this.p), 'float32');
      return tf.mul(input, tf.mul(keep, 1 / (1 - this.p)));
    });
  }
}
