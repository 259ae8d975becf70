import type * as tf from '@tensorflow/tfjs-core';
import { KERNELS, runKernel1 } from '../kernels/names.js';
import { kernelHere } from '../kernels/register.js';

/**
 * The fraction of non-zero entries of `x`, where our event-driven kernels run (`cpu`, `wasm`:
 * one pass, and the events it finds are kept for the event-driven op that reads `x` next);
 * `undefined` elsewhere (the GPU backends never read back to decide). Layers use it to choose
 * between their event-driven and dense paths.
 */
export function spikeDensity(x: tf.Tensor): number | undefined {
  if (x.dtype !== 'float32' || !kernelHere(KERNELS.spikeDensity)) return undefined;
  const d = runKernel1(KERNELS.spikeDensity, { x }, { xDataId: x.dataId });
  const value = d.dataSync()[0]!;
  d.dispose();
  return value;
}

/**
 * Above this fraction of non-zero inputs the dense products (XNNPACK on wasm) beat the
 * event-driven ones; measured with `snn-train bench --density` on 2 cores.
 */
export const EVENT_DENSITY_LIMIT = 0.25;

/** Whether `x` is sparse enough for the event-driven kernels here (see {@link spikeDensity}). */
export function preferEvents(x: tf.Tensor): boolean {
  const d = spikeDensity(x);
  return d !== undefined && d <= EVENT_DENSITY_LIMIT;
}
