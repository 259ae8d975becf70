import * as tf from '@tensorflow/tfjs-core';

/**
 * The columns of a channels-last image for a `k×k` kernel: `[B·OH·OW, k·k·C]`, ordered like a
 * `[k, k, C, out]` kernel flattened to `[k·k·C, out]` (row `(i·k + j)·C + c`).
 */
function im2col(x: tf.Tensor4D, k: number, stride: number, oh: number, ow: number): tf.Tensor2D {
  const [b, , , c] = x.shape;
  const pieces: tf.Tensor[] = [];
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      pieces.push(
        stride === 1
          ? tf.slice(x, [0, i, j, 0], [b, oh, ow, c])
          : tf.stridedSlice(
              x,
              [0, i, j, 0],
              [b, i + (oh - 1) * stride + 1, j + (ow - 1) * stride + 1, c],
              [1, stride, stride, 1],
            ),
      );
    }
  }
  return tf.reshape(tf.concat(pieces, 3), [b * oh * ow, k * k * c]);
}

/**
 * A 'valid' 2-D convolution of channels-last `x [B, H, W, C]` with `w [k, k, C, out]`, whose
 * backward pass uses only ops every tfjs backend has fast: the filter gradient is one matrix
 * product of the image columns with `dy` (tfjs's wasm backend has no `Conv2DBackpropFilter`), and
 * for stride 1 the input gradient is a forward convolution of the padded `dy` with the flipped kernel.
 * Values and gradients equal `tf.conv2d`'s (tested against it).
 */
export function conv2dValid(x: tf.Tensor4D, w: tf.Tensor4D, stride = 1): tf.Tensor4D {
  const op = tf.customGrad((xIn, wIn, save) => {
    const xs = xIn as tf.Tensor4D;
    const ws = wIn as tf.Tensor4D;
    (save as tf.GradSaveFunc)([xs, ws]);
    const y = tf.conv2d(xs, ws, stride, 'valid');
    return {
      value: y,
      gradFunc: (dyIn, saved) => {
        const dy = dyIn as tf.Tensor4D;
        const [xv, wv] = saved as [tf.Tensor4D, tf.Tensor4D];
        const k = wv.shape[0];
        const [b, oh, ow, co] = dy.shape;
        const cols = im2col(xv, k, stride, oh, ow);
        const dyFlat = tf.reshape(dy, [b * oh * ow, co]);
        // Explicit transpose: tfjs's wasm matMul is far slower with a transposed operand.
        const dw = tf.reshape(tf.matMul(tf.transpose(cols), dyFlat), wv.shape);
        let dx: tf.Tensor;
        if (stride === 1) {
          const flipped = tf.transpose(tf.reverse(wv, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
          const padded = tf.pad(dy, [
            [0, 0],
            [k - 1, k - 1],
            [k - 1, k - 1],
            [0, 0],
          ]) as tf.Tensor4D;
          dx = tf.conv2d(padded, flipped, 1, 'valid');
        } else {
          dx = tf.conv2dTranspose(dy, wv, xv.shape, stride, 'valid');
        }
        return [dx, dw];
      },
    };
  });
  return op(x, w) as tf.Tensor4D;
}
