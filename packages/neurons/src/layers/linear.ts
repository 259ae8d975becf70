import { tidy } from '@snn/core';
import type * as tf from '@tensorflow/tfjs-core';
import { type InitOptions, initRng, uniformVariable } from '../init.js';
import { addBias } from '../ops/add-bias.js';
import { project } from '../ops/project.js';
import { BaseLayer, checkPositive } from './base.js';

/** Options of {@link Linear}. */
export interface LinearOptions extends InitOptions {
  /** Add a bias. Default `true` (PyTorch's default). */
  readonly bias?: boolean;
}

/**
 * A fully connected layer `y = x @ W^T + b` with weights `[out, in]` (PyTorch layout) and PyTorch's
 * default initialisation `U(-1/sqrt(in), 1/sqrt(in))` for weights and bias. Applies to the last
 * dimension, so it works on `[B, in]` and on whole sequences `[T, B, in]`. Event-driven where our
 * kernels run and its input is sparse (spikes: the cost scales with their number, forward and in the
 * weight gradient), the backend's dense product otherwise; the same values either way.
 */
export class Linear extends BaseLayer {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | undefined;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super('Linear');
    checkPositive('Linear', { inFeatures, outFeatures });
    const rng = initRng(options);
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = uniformVariable([outFeatures, inFeatures], bound, rng, 'linear.weight');
    this.bias =
      (options.bias ?? true) ? uniformVariable([outFeatures], bound, rng, 'linear.bias') : undefined;
  }

  get trainableVariables(): readonly tf.Variable[] {
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }

  apply(input: tf.Tensor): tf.Tensor {
    this.checkAlive();
    const n = input.shape[input.shape.length - 1];
    if (n !== this.inFeatures) {
      throw new Error(
        `Linear(${this.inFeatures} → ${this.outFeatures}): input has ${n} features in its last dimension.`,
      );
    }
    return tidy(() => {
      const y = project(input, this.weight);
      return this.bias ? addBias(y, this.bias) : y;
    });
  }
}
