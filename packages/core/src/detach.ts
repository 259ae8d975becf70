import * as tf from '@tensorflow/tfjs-core';

const detachOp = tf.customGrad((x) => ({
  value: tf.clone(x as tf.Tensor),
  gradFunc: (dy) => tf.zerosLike(dy as tf.Tensor),
}));

/**
 * The same values with no gradient flowing back (PyTorch's `x.detach()`); Norse detaches the spike
 * in some resets. `tf.clone` shares the data, so this copies nothing.
 */
export function detach(x: tf.Tensor): tf.Tensor {
  return detachOp(x);
}
