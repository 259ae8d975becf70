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

const CONV_VALID = 'SnnConv2DValid';

/**
 * The input gradient of a stride-1 'valid' convolution with `w [k, k, C, out]`: the convolution of
 * `dy`, padded by `k - 1`, with the flipped kernel (a forward convolution every backend runs fast).
 */
export function convValidInputGrad(dy: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const k = w.shape[0];
    const flipped = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    // Padding inside the convolution: no padded copy of dy.
    return tf.conv2d(dy, flipped, 1, [
      [0, 0],
      [k - 1, k - 1],
      [k - 1, k - 1],
      [0, 0],
    ]);
  });
}

/**
 * The stride-1 'valid' convolution as a kernel of its own on the active backend (delegating to its
 * `Conv2D`), so that its gradient is ours: each input's gradient computed only when needed, and
 * both on convolutions every backend runs fast. The input gradient is the convolution of the padded
 * `dy` with the flipped kernel; the filter gradient is the convolution of the input, batch as
 * channels, with `dy` as the kernel: `dW[i, j, c, o] = Σ_{b,y,x} x[b, y+i, x+j, c] · dy[b, y, x, o]`.
 * (tfjs's wasm backend has no `Conv2DBackpropFilter` and a slow `Conv2DBackpropInput`.)
 */
function registerConvValid(backendName: string): void {
  if (tf.getKernel(CONV_VALID, backendName)) return;
  const conv = tf.getKernel('Conv2D', backendName);
  if (!conv) throw new Error(`conv2dValid: backend '${backendName}' has no Conv2D kernel.`);
  tf.registerKernel({
    kernelName: CONV_VALID,
    backendName,
    kernelFunc: ({ inputs, backend }) =>
      conv.kernelFunc({
        inputs: { x: inputs.x!, filter: inputs.w! },
        backend,
        attrs: { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1, dimRoundingMode: null } as never,
      }),
  });
  if (!tf.getGradient(CONV_VALID)) {
    tf.registerGradient({
      kernelName: CONV_VALID,
      inputsToSave: ['x', 'w'],
      gradFunc: (dy, saved) => {
        const [x, w] = saved as [tf.Tensor4D, tf.Tensor4D];
        const g = dy as tf.Tensor4D;
        return {
          x: () => convValidInputGrad(g, w),
          w: () => {
            const xT = tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D; // [C, H, W, B]
            const gT = tf.transpose(g, [1, 2, 0, 3]) as tf.Tensor4D; // [OH, OW, B, out]
            return tf.transpose(tf.conv2d(xT, gT, 1, 'valid'), [1, 2, 0, 3]); // [k, k, C, out]
          },
        };
      },
    });
  }
}

/**
 * A 'valid' 2-D convolution of channels-last `x [B, H, W, C]` with `w [k, k, C, out]` that trains
 * fast on every backend: stride 1 runs the backend's convolution with gradients that are
 * convolutions too (each computed only when needed; see `registerConvValid`); other strides use an
 * image-to-columns product for the filter gradient. Values and gradients equal `tf.conv2d`'s
 * (tested against it, and against a hand computation on wasm, which has no filter gradient of its own).
 */
export function conv2dValid(x: tf.Tensor4D, w: tf.Tensor4D, stride = 1): tf.Tensor4D {
  if (stride === 1) {
    registerConvValid(tf.getBackend());
    return tf.engine().runKernel(CONV_VALID, { x, w }) as tf.Tensor4D;
  }
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
        // (Stride 1 never gets here: it is the kernel above.)
        const dx = tf.conv2dTranspose(dy, wv, xv.shape, stride, 'valid');
        return [dx, dw];
      },
    };
  });
  return op(x, w) as tf.Tensor4D;
}
