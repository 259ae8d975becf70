/** A small set of real MNIST digits shipped with the page (28×28 bytes each). */
export interface DigitSet {
  /** Number of digits. */
  readonly count: number;
  /** `count × 784` bytes, row by row. */
  readonly images: Uint8Array;
  /** `count` labels 0–9. */
  readonly labels: Uint8Array;
}

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let k = 0; k < bin.length; k++) out[k] = bin.charCodeAt(k);
  return out;
}

/**
 * The bundled digits (generated at build time from `@snn/mnist-subset`), in a chunk of their own
 * that loads only when a visualizer mounts.
 */
export async function bundledDigits(): Promise<DigitSet> {
  const { default: bundled } = await import('virtual:snn-digits');
  return { count: bundled.count, images: decodeBase64(bundled.images), labels: decodeBase64(bundled.labels) };
}

/** Digit `k` as 784 floats in [0, 1]. */
export function digitImage(set: DigitSet, k: number): Float32Array {
  const out = new Float32Array(784);
  for (let p = 0; p < 784; p++) out[p] = set.images[k * 784 + p]! / 255;
  return out;
}
