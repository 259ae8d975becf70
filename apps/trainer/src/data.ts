import { DataLoader, type ImageDataset } from '@snn/datasets';
import { loadDataset } from '@snn/datasets/node';
import type { TrainOptions } from './options.js';
import type { Reporter } from './report.js';

/**
 * Loads the dataset a run needs, reporting where it came from (loudly when it is the offline
 * subset). Files from a folder must be the official ones (their MD5s checked) unless
 * `allowUnverified`, in which case the run goes on with a warning and records them as unverified.
 */
export async function loadRunDataset(
  o: Pick<TrainOptions, 'dataset' | 'dataDir' | 'offlineSubset' | 'allowUnverified'>,
  report: Reporter,
): Promise<ImageDataset> {
  const ds = await loadDataset(o.dataset, {
    ...(o.dataDir === undefined ? {} : { dir: o.dataDir }),
    allowOfflineSubset: o.offlineSubset && o.dataset === 'mnist',
    requireVerified: !o.allowUnverified,
    timeoutMs: 30_000,
    onProgress: (p) => report.download(p.file, p.loaded, p.total),
  });
  report.info(`dataset: ${ds.description}`);
  if (ds.subset) {
    report.warn(
      'MNIST could not be found or downloaded (no --data-dir, no SNN_MNIST_DIR, empty cache, no network): ' +
        'training on the OFFLINE SUBSET of 10,000 real MNIST digits (@snn/mnist-subset). Accuracies are not comparable to the full test set.',
    );
  }
  if (ds.unverified.length > 0)
    report.warn(
      `UNVERIFIED dataset files (--allow-unverified): results are not those of ${ds.info.title}:\n  ${ds.unverified.join('\n  ')}`,
    );
  return ds;
}

/** The loaders of a run: the train split shuffled per epoch from the seed, the test split in order. */
export function makeLoaders(o: TrainOptions, ds: ImageDataset): { train: DataLoader; test: DataLoader } {
  const normalize = { mean: ds.info.mean, std: ds.info.std };
  return {
    train: new DataLoader(ds.train, {
      batchSize: o.batchSize,
      seed: o.seed,
      normalize,
      ...(o.limitTrain ? { limit: o.limitTrain } : {}),
      ...(o.epochSize ? { epochSize: o.epochSize } : {}),
    }),
    test: new DataLoader(ds.test, {
      batchSize: Math.max(o.batchSize, 500),
      shuffle: false,
      normalize,
      ...(o.limitTest ? { limit: o.limitTest } : {}),
    }),
  };
}

/** What identifies a run's data: a resumed run must train on the same. */
export function datasetRecord(ds: ImageDataset, sizes: { train: number; test: number }) {
  return {
    id: ds.info.id,
    source: ds.source,
    location: ds.location,
    subset: ds.subset,
    verified: ds.unverified.length === 0,
    unverified: ds.unverified,
    description: ds.description,
    trainSplit: ds.train.count,
    train: sizes.train,
    test: sizes.test,
  };
}
