import * as tf from '@tensorflow/tfjs-core';

/**
 * The input gradient of a stride-1 'valid' convolution with `w [k, k, C, out]`: the convolution of
 * `dy`, padded by `k - 1` inside the convolution (no padded copy), with the flipped kernel, a
 * forward convolution every backend runs fast.
 */
export function convValidInputGrad(dy: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const k = w.shape[0];
    const flipped = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    return tf.conv2d(dy, flipped, 1, [
      [0, 0],
      [k - 1, k - 1],
      [k - 1, k - 1],
      [0, 0],
    ]);
  });
}
