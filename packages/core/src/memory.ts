import * as tf from '@tensorflow/tfjs-core';

/** The result of {@link measureTensorLeak}. */
export interface LeakReport<T> {
  /** What `fn` returned. */
  readonly result: T;
  /** `tf.memory().numTensors` after minus before. */
  readonly leakedTensors: number;
  /** `tf.memory().numBytes` after minus before. */
  readonly leakedBytes: number;
}

/**
 * Runs `fn` and reports how many tensors it left alive. Tensors that `fn` returns count as left
 * alive; dispose them inside `fn` when measuring a loop.
 *
 * @example
 * ```ts
 * const { leakedTensors } = await measureTensorLeak(async () => {
 *   let s = initialState;
 *   for (let t = 0; t < 1000; t++) { const next = step(x, s); disposeState(s); s = next; }
 *   disposeState(s);
 * });
 * ```
 */
export async function measureTensorLeak<T>(fn: () => T | Promise<T>): Promise<LeakReport<T>> {
  const before = tf.memory();
  const result = await fn();
  const after = tf.memory();
  return {
    result,
    leakedTensors: after.numTensors - before.numTensors,
    leakedBytes: after.numBytes - before.numBytes,
  };
}

/**
 * Runs `fn` and throws if it changed `tf.memory().numTensors`, naming how many tensors leaked.
 * @throws Error `"<label>: leaked N tensors (B bytes)"`.
 */
export async function assertNoTensorLeak<T>(label: string, fn: () => T | Promise<T>): Promise<T> {
  const { result, leakedTensors, leakedBytes } = await measureTensorLeak(fn);
  if (leakedTensors !== 0) {
    throw new Error(
      `${label}: leaked ${leakedTensors} tensors (${leakedBytes} bytes). ` +
        'Wrap per-step work in tf.tidy, dispose replaced states with disposeState, or keep results deliberately.',
    );
  }
  return result;
}
