import bundled from 'virtual:snn-digits';

/** A small set of real MNIST digits shipped with the page (28×28 bytes each). */
export interface DigitSet {
  readonly count: number;
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
}

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let k = 0; k < bin.length; k++) out[k] = bin.charCodeAt(k);
  return out;
}

let cache: DigitSet | undefined;
/** The bundled digits (generated at build time from the offline source @snn/datasets uses). */
export function bundledDigits(): DigitSet {
  cache ??= {
    count: bundled.count,
    images: decodeBase64(bundled.images),
    labels: decodeBase64(bundled.labels),
  };
  return cache;
}

/** Digit `k` as 784 floats in [0, 1]. */
export function digitImage(set: DigitSet, k: number): Float32Array {
  const out = new Float32Array(784);
  for (let p = 0; p < 784; p++) out[p] = set.images[k * 784 + p]! / 255;
  return out;
}
