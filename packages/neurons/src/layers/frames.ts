import { tidy } from '@snn/core';
import type * as tf from '@tensorflow/tfjs-core';
import { view } from '../ops/view.js';

/**
 * Applies an image layer `f` (on frames `[N, ...3 dims]`) to `input`: frames as they are, or a
 * whole sequence `[T, B, ...3 dims]` as its `T · B` frames at once (no copy either way).
 */
export function framewise(where: string, input: tf.Tensor, f: (frames: tf.Tensor4D) => tf.Tensor): tf.Tensor {
  if (input.rank === 4) return f(input as tf.Tensor4D);
  if (input.rank !== 5)
    throw new Error(
      `${where}: input must be 4-D [B, C, H, W] (or channels-last) or a sequence [T, B, C, H, W], got [${input.shape.join(', ')}].`,
    );
  const [T, B, ...frame] = input.shape as [number, number, number, number, number];
  return tidy(() => {
    const y = f(view(input, [T * B, ...frame]) as tf.Tensor4D);
    return view(y, [T, B, ...y.shape.slice(1)]);
  });
}
