import { stateTensors } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Disposes the tensors of `old` that are not reachable from any of `keep` (and never Variables):
 * how time loops free the previous state without touching tensors a step passed through.
 */
export function disposeReplaced(old: unknown, ...keep: unknown[]): void {
  const kept = new Set<tf.Tensor>();
  for (const k of keep) for (const t of stateTensors(k)) kept.add(t);
  for (const t of stateTensors(old)) {
    if (!kept.has(t) && !(t instanceof tf.Variable) && !t.isDisposed) t.dispose();
  }
}
