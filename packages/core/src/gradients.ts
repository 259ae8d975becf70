import { getGradient } from '@tensorflow/tfjs-core';

/** Kernels every training step differentiates through; all registered means tfjs-core's set is. */
const PROBE_KERNELS = ['Sum', 'Add', 'Multiply', 'BatchMatMul', 'Reshape'] as const;

/**
 * Whether tfjs-core's gradients are registered in this process (by `@snn/core/register-gradients`,
 * `@tensorflow/tfjs-core/dist/register_all_gradients`, `@tensorflow/tfjs` or `@tensorflow/tfjs-node`).
 * Libraries never register them; apps do, once.
 */
export function gradientsRegistered(): boolean {
  return PROBE_KERNELS.every((k) => getGradient(k) != null);
}

/**
 * Throws a clear error when tfjs-core's gradients are not registered, naming the one-line fix.
 * Call it before `tf.grad` or an optimizer step in code that apps call.
 *
 * @param what - what needs the gradients, for the message (e.g. `'fit'`).
 * @throws Error naming the missing registration and the import that adds it.
 */
export function assertGradientsRegistered(what = 'this computation'): void {
  if (gradientsRegistered()) return;
  throw new Error(
    `${what} needs tfjs-core's gradients, which nothing has registered: add \`import '@snn/core/register-gradients';\` ` +
      "once in your app's entry file (or import '@tensorflow/tfjs-core/dist/register_all_gradients' in a bundled app).",
  );
}
