import type { Plugin } from 'vite';

/** How many real MNIST digits the page ships. */
export const BUNDLED_DIGITS = 500;

/**
 * `virtual:snn-digits`: a few hundred real MNIST digits, generated at build time from the offline
 * source @snn/datasets uses (`@snn/mnist-subset`), so the page works with no server and no blob
 * is committed.
 */
export function digitsPlugin(count = BUNDLED_DIGITS): Plugin {
  const id = 'virtual:snn-digits';
  const resolved = `\0${id}`;
  return {
    name: 'snn-digits',
    resolveId: (source) => (source === id ? resolved : undefined),
    async load(source) {
      if (source !== resolved) return undefined;
      const { loadOfflineMnistSubset } = await import('@snn/datasets/node');
      const ds = await loadOfflineMnistSubset();
      const n = Math.min(count, ds.test.count);
      const images = Buffer.from(ds.test.images.subarray(0, n * 784)).toString('base64');
      const labels = Buffer.from(ds.test.labels.subarray(0, n)).toString('base64');
      return `export default ${JSON.stringify({ count: n, images, labels, source: '@snn/mnist-subset (offline MNIST subset, test split)' })};`;
    },
  };
}
