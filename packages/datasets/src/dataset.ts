import type { ImageSplit } from './idx.js';
import type { DatasetInfo } from './registry.js';

/** Where a dataset's files were found. */
export type DatasetSource = 'dir' | 'env' | 'cache' | 'download' | 'url' | 'offline-subset';

/** A loaded image dataset: both splits as bytes, and where they came from. */
export interface ImageDataset {
  readonly info: DatasetInfo;
  readonly train: ImageSplit;
  readonly test: ImageSplit;
  readonly source: DatasetSource;
  /** The folder or URL the files were read from. */
  readonly location: string;
  /** True when this is not the full dataset (the offline subset); say so wherever it is reported. */
  readonly subset: boolean;
  /**
   * Why files from a folder (`dir`, `env`) are not the official ones: one line per file whose MD5
   * matches neither the official gzip file nor its decompressed bytes. Empty when every file
   * checked out, and for the cache and downloads (checked when stored) and the offline subset.
   * Report it wherever the dataset is reported.
   */
  readonly unverified: readonly string[];
  /** One line for logs and reports, e.g. "MNIST handwritten digits: 60000 train / 10000 test from …". */
  readonly description: string;
}

/** Builds the description line of a dataset. */
export function describeDataset(
  info: DatasetInfo,
  train: ImageSplit,
  test: ImageSplit,
  source: DatasetSource,
  location: string,
  subset: boolean,
): string {
  const what = subset ? `${info.title} (OFFLINE SUBSET, not the full dataset)` : info.title;
  return `${what}: ${train.count} train / ${test.count} test images of ${train.rows}x${train.cols}, from ${source} (${location})`;
}
