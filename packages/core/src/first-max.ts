import * as tf from '@tensorflow/tfjs-core';
import { firstMaxKernel, firstMaxKernelHere } from './first-max-kernels.js';

/*
 * PyTorch's tie rule for reductions that pick one element (`max(dim)`, `argmax`, `max_pool2d`):
 * of several equal maxima the FIRST one (the lowest index along the axis) is picked, in the value's
 * index and in the gradient, which goes to that element only. NaN counts as larger than every
 * number, as in PyTorch. tfjs differs: the gradient of `tf.max` goes to every tied element, and
 * `tf.argMax` / `tf.maxPool`'s gradient pick the first, the last or another tied element depending on
 * the backend. Everything here is built from ops whose result does not depend on how a backend
 * orders its reductions (max, equal, min of indices), so it is the same on every backend.
 */

function axisOf(where: string, x: tf.Tensor, axis: number): number {
  const a = axis < 0 ? axis + x.rank : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= x.rank) {
    throw new RangeError(`${where}: axis ${axis} is outside a rank-${x.rank} tensor.`);
  }
  if (x.shape[a] === 0) throw new RangeError(`${where}: axis ${axis} of [${x.shape.join(', ')}] is empty.`);
  return a;
}

/** `x` as a number tensor (booleans as int32: `max`, `equal` and `isNaN` need numbers). */
function numeric(x: tf.Tensor): tf.Tensor {
  return x.dtype === 'bool' ? tf.cast(x, 'int32') : x;
}

/**
 * `x` viewed as `[outer, n, inner]` with the reduced axis in the middle: every op below then runs
 * on rank 3 (WebGPU's `where` stops at rank 4), and the results are reshaped back.
 */
function view3(x: tf.Tensor, axis: number): tf.Tensor3D {
  const n = x.shape[axis]!;
  const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  return tf.reshape(x, [outer, n, x.size / (outer * n)]);
}

/**
 * The position of the first maximum along the middle axis of `x [outer, n, inner]`, as float32
 * `[outer, 1, inner]`, and the positions `0 … n-1` as `[1, n, 1]`. NaN beats every number; the
 * first NaN wins.
 */
function firstPosition(x: tf.Tensor3D): { first: tf.Tensor; positions: tf.Tensor } {
  const n = x.shape[1];
  const positions = tf.reshape(tf.range(0, n, 1, 'float32'), [1, n, 1]);
  // Rank every element: 2 for NaN (PyTorch's max propagates it), 1 for a maximum, 0 otherwise. The
  // maximum may be anything where a NaN is present; only NaN's rank matters there.
  const isMax = tf.cast(tf.equal(x, tf.max(x, 1, true)), 'float32');
  const rank = x.dtype === 'float32' ? tf.add(isMax, tf.mul(tf.cast(tf.isNaN(x), 'float32'), 2)) : isMax;
  const best = tf.cast(tf.equal(rank, tf.max(rank, 1, true)), 'float32');
  // The lowest position among the best: the others count n more, past every position.
  const first = tf.min(tf.add(positions, tf.mul(tf.sub(1, best), n)), 1, true);
  return { first, positions };
}

/**
 * The index of the maximum along `axis`, the **first** one where several are equal (PyTorch's
 * `argmax` tie rule; NaN counts as the maximum). `tf.argMax` leaves ties to the backend: the
 * WebGPU backend's parallel reduction can return a later index. Same shape as `x` without `axis`,
 * int32. Not differentiable (an index).
 *
 * @example
 * ```ts
 * firstArgMax(tf.tensor2d([[0, 3, 3], [1, 1, 1]])); // [1, 0]
 * ```
 */
export function firstArgMax(x: tf.Tensor, axis = -1): tf.Tensor {
  const a = axisOf('firstArgMax', x, axis);
  return tf.tidy(() => {
    if (x.dtype === 'float32' && firstMaxKernelHere()) {
      const [, index] = firstMaxKernel(view3(x, a));
      return tf.cast(
        tf.reshape(
          index,
          x.shape.filter((_, k) => k !== a),
        ),
        'int32',
      );
    }
    const { first } = firstPosition(view3(numeric(x), a));
    return tf.cast(
      tf.reshape(
        first,
        x.shape.filter((_, k) => k !== a),
      ),
      'int32',
    );
  });
}

/** The first-maximum mask of `x [outer, n, inner]` along the middle axis (bool). */
function mask3(x: tf.Tensor3D): tf.Tensor {
  const { first, positions } = firstPosition(x);
  return tf.equal(tf.broadcastTo(positions, x.shape), first);
}

/**
 * A mask of `x`'s shape, `true` at the first maximum along `axis` (PyTorch's tie rule, see
 * {@link firstArgMax}) and `false` elsewhere: exactly one `true` per slice along the axis.
 */
export function firstMaxMask(x: tf.Tensor, axis = -1): tf.Tensor {
  const a = axisOf('firstMaxMask', x, axis);
  return tf.tidy(() => tf.reshape(mask3(view3(numeric(x), a)), x.shape));
}

/** The first maximum along the middle axis of `x [outer, n, inner]`, with its gradient. */
const firstMax3 = tf.customGrad((input, save) => {
  const x = input as tf.Tensor3D;
  const mask = mask3(x);
  (save as tf.GradSaveFunc)([mask]);
  return {
    // One element of each slice and zeros: the sum is that element, exactly (inf and NaN too).
    value: tf.sum(tf.where(mask, x, tf.zerosLike(x)), 1),
    gradFunc: (dy, saved) => {
      const m = saved[0] as tf.Tensor;
      return tf.where(m, tf.broadcastTo(tf.expandDims(dy as tf.Tensor, 1), m.shape), tf.zeros(m.shape));
    },
  };
});

/**
 * The maximum along `axis` (PyTorch's `x.max(dim).values`), whose gradient goes to the **first**
 * maximal element only, PyTorch's tie rule: `dL/dx = dL/dy` there and 0 at every other element,
 * tied ones included. `tf.max`'s gradient goes to every tied element instead, so where ties are
 * common (a readout voltage that stays exactly 0 until the first spike arrives, pooled binary
 * spikes) it computes gradients PyTorch never does. NaN counts as the maximum. Float32 values; the
 * same result on every backend.
 *
 * @example
 * ```ts
 * const peak = firstMax(voltages, 0); // [T, B, C] → [B, C]; the gradient reaches one step per output
 * ```
 */
export function firstMax(x: tf.Tensor, axis = -1): tf.Tensor {
  const a = axisOf('firstMax', x, axis);
  if (x.dtype !== 'float32') {
    throw new TypeError(
      `firstMax: x must be float32, got ${x.dtype} (cast it, or use firstArgMax for an index).`,
    );
  }
  return tf.tidy(() =>
    tf.reshape(
      firstMaxKernelHere() ? firstMaxKernel(view3(x, a))[0] : firstMax3(view3(x, a)),
      x.shape.filter((_, k) => k !== a),
    ),
  );
}

/**
 * `k × k` max-pooling of channels-last `x [N, H, W, C]` with stride `stride` (default `k`, 'valid'
 * padding), PyTorch's `max_pool2d` in value and gradient: the gradient of each window goes to its
 * **first** maximum in row-major window order, on every backend ({@link firstMax} over the window;
 * `tf.maxPool`'s gradient picks the last tied element on WebGL and WASM). Windows that overlap
 * (`stride < k`) add up their gradients where they share an element, as PyTorch's do. (With NaN
 * in a window the value is NaN as in PyTorch; its gradient goes to the first NaN, PyTorch's CPU
 * kernel sends it to the last.)
 */
export function firstMaxPool2d(x: tf.Tensor4D, k: number, stride = k): tf.Tensor4D {
  if (x.rank !== 4) throw new Error(`firstMaxPool2d: x must be [N, H, W, C], got [${x.shape.join(', ')}].`);
  const [N, H, W, C] = x.shape;
  if (!Number.isInteger(k) || k < 1 || H < k || W < k || !Number.isInteger(stride) || stride < 1) {
    throw new RangeError(
      `firstMaxPool2d: window ${k} and stride ${stride} must be positive whole numbers, the window fitting [${x.shape.join(', ')}].`,
    );
  }
  const OH = Math.floor((H - k) / stride) + 1;
  const OW = Math.floor((W - k) / stride) + 1;
  return tf.tidy(() => {
    // One strided view [N·OH·OW, C] per window position (dy, dx), in row-major window order, then
    // the first maximum across them. A stride is the first row of `stride`-row groups (padding
    // completes the last group). Every op stays at rank 4 or less: WebGL's and WebGPU's kernels (and
    // the gradients of slice and pad) do not all go further.
    const rows = OH * stride;
    const cols = OW * stride;
    const padded = tf.pad(x, [
      [0, 0],
      [0, Math.max(0, k - 1 + rows - H)],
      [0, Math.max(0, k - 1 + cols - W)],
      [0, 0],
    ]);
    const views: tf.Tensor[] = [];
    for (let dy = 0; dy < k; dy++) {
      const band = tf.slice(padded, [0, dy, 0, 0], [N, rows, -1, C]);
      const picked = tf.slice(tf.reshape(band, [N * OH, stride, -1, C]), [0, 0, 0, 0], [-1, 1, -1, -1]);
      for (let dx = 0; dx < k; dx++) {
        const block = tf.slice(tf.reshape(picked, [N * OH, -1, C]), [0, dx, 0], [-1, cols, -1]);
        const cells = tf.slice(tf.reshape(block, [N * OH, OW, stride, C]), [0, 0, 0, 0], [-1, -1, 1, -1]);
        views.push(tf.reshape(cells, [N * OH * OW, C]));
      }
    }
    return tf.reshape(firstMax(tf.stack(views, 2), 2), [N, OH, OW, C]) as tf.Tensor4D;
  });
}
