import { stateTensors } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Disposes the tensors of `old` that are not reachable from any of `keep` (and never Variables):
 * how time loops free the previous state without touching tensors a step passed through.
 */
export function disposeReplaced(old: unknown, ...keep: unknown[]): void {
  const kept = new Set<tf.Tensor>();
  for (const k of keep) for (const t of stateTensors(k)) kept.add(t);
  disposeExcept(old, kept);
}

/** Disposes the tensors of `old` found in none of the `kept` sets (never Variables, never twice). */
export function disposeExcept(old: unknown, ...kept: ReadonlySet<tf.Tensor>[]): void {
  for (const t of stateTensors(old)) {
    if (t instanceof tf.Variable || t.isDisposed || kept.some((k) => k.has(t))) continue;
    t.dispose();
  }
}
