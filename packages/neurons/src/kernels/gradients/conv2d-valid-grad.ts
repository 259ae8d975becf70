import * as tf from '@tensorflow/tfjs-core';
import { attrsOf, KERNELS } from '../names.js';
import { convValidInputGrad } from './conv-input-grad.js';

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
        tf.stridedSlice(
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
 * The gradient of the 'valid' convolution kernel. Stride 1: the input gradient is the convolution
 * of the padded `dy` with the flipped kernel, the filter gradient the convolution of the input,
 * batch as channels, with `dy` as the kernel: `dW[i, j, c, o] = Σ_{b,y,x} x[b, y+i, x+j, c] ·
 * dy[b, y, x, o]`. Other strides: a transposed convolution and an image-to-columns product.
 */
export const conv2dValidGradConfig: tf.GradConfig = {
  kernelName: KERNELS.conv2dValid,
  inputsToSave: ['x', 'w'],
  gradFunc: (dy, saved, attrs) => {
    const [x, w] = saved as [tf.Tensor4D, tf.Tensor4D];
    const g = dy as tf.Tensor4D;
    const { stride } = attrsOf(KERNELS.conv2dValid, attrs);
    if (stride === 1)
      return {
        x: () => convValidInputGrad(g, w),
        w: () => {
          const xT = tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D; // [C, H, W, B]
          const gT = tf.transpose(g, [1, 2, 0, 3]) as tf.Tensor4D; // [OH, OW, B, out]
          return tf.transpose(tf.conv2d(xT, gT, 1, 'valid'), [1, 2, 0, 3]); // [k, k, C, out]
        },
      };
    return {
      x: () => tf.conv2dTranspose(g, w, x.shape, stride, 'valid'),
      w: () => {
        const k = w.shape[0];
        const [b, oh, ow, co] = g.shape;
        const cols = im2col(x, k, stride, oh, ow);
        // Explicit transpose: tfjs's wasm matMul is far slower with a transposed operand.
        return tf.reshape(tf.matMul(tf.transpose(cols), tf.reshape(g, [b * oh * ow, co])), w.shape);
      },
    };
  },
};
