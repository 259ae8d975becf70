import type * as tf from '@tensorflow/tfjs-core';
import { view } from '../ops/view.js';
import { BaseLayer } from './base.js';

/**
 * Flattens every dimension from `startDim` (default 1) on, as `torch.nn.Flatten`, sharing the
 * input's data. In `sequential(...).call` it sees frames `[T·B, ...]`, so the default flattens each frame.
 */
export class Flatten extends BaseLayer {
  readonly trainableVariables: readonly tf.Variable[] = [];
  constructor(readonly startDim = 1) {
    super('Flatten');
  }
  apply(input: tf.Tensor): tf.Tensor {
    const keep = input.shape.slice(0, this.startDim);
    return view(input, [...keep, -1]);
  }
}
