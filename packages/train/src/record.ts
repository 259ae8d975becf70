import type * as tf from '@tensorflow/tfjs-core';
import type { RecordedStates } from './network.js';

/**
 * Recorded states as plain nested arrays (`[T][B][...]` numbers) that a plot can take, e.g.
 * `arrays.lif0.v[t][b][n]`. Reads with `await data()`; disposes nothing.
 */
export async function recordedToArrays(
  recorded: RecordedStates,
): Promise<Record<string, Record<string, unknown[]>>> {
  const out: Record<string, Record<string, unknown[]>> = {};
  for (const [layer, states] of Object.entries(recorded)) {
    out[layer] = {};
    for (const [field, t] of Object.entries(states))
      out[layer]![field] = (await (t as tf.Tensor).array()) as unknown[];
  }
  return out;
}
