/**
 * `@snn/datasets`: MNIST and friends from their real IDX files, verified, cached and batched into
 * tensors. This entry runs everywhere (browsers included); `@snn/datasets/node` adds the
 * file-system loaders, downloads and the offline fallback.
 * @packageDocumentation
 */
export { type LoadProgress, loadFromUrl, loadMnistFromUrl, type UrlOptions } from './browser.js';
export { type DatasetSource, describeDataset, type ImageDataset } from './dataset.js';
export { gunzipWeb, MAX_DECOMPRESSED_BYTES, maybeGunzip } from './gunzip.js';
export {
  DatasetFileError,
  IDX_TYPES,
  type IdxArray,
  type ImageSplit,
  imageSplit,
  isGzip,
  parseIdx,
} from './idx.js';
export {
  type Batch,
  type BatchOptions,
  DataLoader,
  type LoaderOptions,
  MNIST_NORMALIZATION,
  makeBatch,
  pixelTable,
} from './loader.js';
export { md5Hex } from './md5.js';
export { DATASETS, type DatasetFile, type DatasetId, type DatasetInfo, datasetInfo } from './registry.js';
