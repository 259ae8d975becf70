import { assertNoTensorLeak } from '@snn/core';

/**
 * Runs `fn` and fails the test if `tf.memory().numTensors` changed. Dispose what `fn` creates,
 * including what it returns.
 */
export function expectNoLeak<T>(label: string, fn: () => T | Promise<T>): Promise<T> {
  return assertNoTensorLeak(label, fn);
}
