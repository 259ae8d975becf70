import * as tf from '@tensorflow/tfjs-core';

/**
 * Helpers of the GPU sequence kernels. Those kernels are written with tfjs ops (step programs,
 * products, slices) run inside the kernel: tfjs records nothing on the tape while a kernel runs,
 * so the kernel's own gradient (in `gradients/`) is the only one, as for every other kernel.
 */

/** A GPU kernel written with tfjs ops: the inputs by name, and the outputs as tensors. */
export type OpsKernel<A> = (inputs: Readonly<Record<string, tf.Tensor>>, attrs: A) => tf.Tensor[];

/** Wraps an {@link OpsKernel} as a tfjs kernel function (intermediates freed, outputs kept). */
export function opsKernel<A>(f: OpsKernel<A>): tf.KernelFunc {
  // tfjs takes kernel outputs that are already tensors as they are.
  return ({ inputs, attrs }) =>
    tf.tidy(() =>
      f(inputs as Record<string, tf.Tensor>, attrs as unknown as A),
    ) as unknown as tf.TensorInfo[];
}

/** The first `N` of each row of a stack of `[≥N]` states: the first variable over time `[T, N]`. */
export const firsts = (states: tf.Tensor[], N: number): tf.Tensor =>
  tf.slice(tf.stack(states), [0, 0], [states.length, N]);

/** Part `k` (of size `N`) of a flat state. */
export const part = (s: tf.Tensor, k: number, N: number): tf.Tensor => tf.slice(s, k * N, N);
