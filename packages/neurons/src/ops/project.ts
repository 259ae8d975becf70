import * as tf from '@tensorflow/tfjs-core';
import { checkWeights } from '../math.js';
import { linear } from './linear.js';
import { preferEvents } from './spike-density.js';
import { spikeLinear } from './spike-linear.js';
import { view } from './view.js';

/**
 * `x @ weight^T` over the last axis of `x [..., in]` (any leading axes, e.g. a whole sequence
 * `[T, B, in]`), `weight [out, in]`: event-driven ({@link spikeLinear}) where our kernels run and
 * `x` is sparse (spikes), the backend's dense product otherwise. What `Linear` and the layers with
 * input weights compute.
 */
export function project(x: tf.Tensor, weight: tf.Tensor): tf.Tensor {
  checkWeights('project', x, weight, 'weight');
  if (preferEvents(x)) return spikeLinear(x, weight, x.rank - 1);
  if (x.rank === 2) return linear(x, weight);
  return tf.tidy(() => {
    const [n] = x.shape.slice(-1);
    return view(linear(view(x, [-1, n!]), weight), [...x.shape.slice(0, -1), weight.shape[0]!]);
  });
}
