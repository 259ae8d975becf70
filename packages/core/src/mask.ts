import * as tf from '@tensorflow/tfjs-core';

/**
 * A boolean tensor as float32 `0`/`1`, held as float32 data on every backend. tfjs's webgpu
 * backend (4.22) casts bool to float32 by relabelling the boolean buffer, and some of its programs
 * (transposes, reductions over a leading axis) then misread it; an elementwise pass gives the
 * values a float32 buffer of their own there. Elsewhere this is `tf.cast(cond, 'float32')`.
 */
export function floatMask(cond: tf.Tensor): tf.Tensor {
  if (tf.getBackend() !== 'webgpu') return tf.cast(cond, 'float32');
  return tf.tidy(() => tf.add(tf.cast(cond, 'float32'), tf.scalar(0)));
}
