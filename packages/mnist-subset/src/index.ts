/**
 * `@snn/mnist-subset`: 10,000 real MNIST digits for offline use, in IDX format (1.6 MB gzipped).
 *
 * The first 10,000 images and labels of the official MNIST training set, bytes unchanged, cut by
 * `scripts/generate.mjs` from the official files after checking their published MD5s. `@snn/datasets`
 * reads it when a loader is allowed the offline subset (`loadMnist({ allowOfflineSubset: true })`);
 * the `@snn/trainer` CLI depends on it so it trains with no network.
 *
 * @packageDocumentation
 */
export { MANIFEST } from './manifest.js';
export type { MnistSourceFile, MnistSubsetFile, MnistSubsetManifest } from './types.js';

/** Where the two gzipped IDX files of the subset are: `file:` URLs in Node, asset URLs in bundlers. */
export interface MnistSubsetUrls {
  /** `train-images-10k-idx3-ubyte.gz`: 10,000 × 28 × 28 unsigned bytes. */
  readonly images: URL;
  /** `train-labels-10k-idx1-ubyte.gz`: 10,000 labels 0–9. */
  readonly labels: URL;
}

/**
 * The URLs of the subset's files inside this package (read them with `fs.readFile(url)` in Node).
 *
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { MANIFEST, mnistSubsetUrls } from '@snn/mnist-subset';
 *
 * const gz = await readFile(mnistSubsetUrls().images);
 * console.log(gz.length === MANIFEST.files.images.bytes);
 * ```
 */
export function mnistSubsetUrls(): MnistSubsetUrls {
  return {
    images: new URL('../data/train-images-10k-idx3-ubyte.gz', import.meta.url),
    labels: new URL('../data/train-labels-10k-idx1-ubyte.gz', import.meta.url),
  };
}
