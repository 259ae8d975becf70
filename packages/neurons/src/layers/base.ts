import type * as tf from '@tensorflow/tfjs-core';
import type { CallOptions, Layer } from '../module.js';

/** What every layer shares: its name, its Variables and their disposal. */
export abstract class BaseLayer implements Layer {
  readonly kind = 'layer' as const;
  protected disposed = false;
  constructor(readonly name: string) {}
  abstract get trainableVariables(): readonly tf.Variable[];
  abstract apply(input: tf.Tensor, options?: CallOptions): tf.Tensor;
  protected checkAlive(): void {
    if (this.disposed) throw new Error(`${this.name} was disposed; create a new layer.`);
  }
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.trainableVariables) v.dispose();
  }
}

/** Throws a clear error unless every value is a positive integer. */
export function checkPositive(where: string, values: Record<string, number>): void {
  for (const [k, n] of Object.entries(values)) {
    if (!(Number.isInteger(n) && n > 0))
      throw new RangeError(`${where}: ${k} must be a positive integer, got ${n}.`);
  }
}

/** Options of the image layers' calls. */
export interface ImageCallOptions extends CallOptions {
  /** Channels-last input `[..., H, W, C]` for this call (default: the layer's own setting). */
  readonly channelsLast?: boolean;
}
