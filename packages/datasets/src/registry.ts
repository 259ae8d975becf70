/** One file of a dataset: its official name and the MD5s of the official file. */
export interface DatasetFile {
  readonly name: string;
  /** MD5 of the official gzip file (what the mirrors serve). */
  readonly md5: string;
  /**
   * MD5 of the decompressed IDX bytes, when known: it checks a file however it was (re)compressed,
   * or an uncompressed one.
   */
  readonly rawMd5?: string;
}

/** What we know about an image-classification dataset in IDX files. */
export interface DatasetInfo {
  /** The id used in options, caches and environment variables (`SNN_<ID>_DIR`). */
  readonly id: DatasetId;
  readonly title: string;
  /** Mirrors, tried in order; each serves the four files by name. */
  readonly mirrors: readonly string[];
  readonly files: {
    readonly trainImages: DatasetFile;
    readonly trainLabels: DatasetFile;
    readonly testImages: DatasetFile;
    readonly testLabels: DatasetFile;
  };
  /** Class names, index = label. */
  readonly classes: readonly string[];
  /** Mean and standard deviation of the training pixels scaled to [0, 1] (for normalisation). */
  readonly mean: number;
  readonly std: number;
  readonly trainCount: number;
  readonly testCount: number;
  /** The environment variable that points at a folder with the four files. */
  readonly envVar: string;
}

/** The datasets in the registry. */
export type DatasetId = 'mnist' | 'fashion-mnist' | 'kmnist';

type Four = [string, string, string, string];
const idxFiles = (md5: Four, raw?: Four) => {
  const file = (name: string, k: number) => ({ name, md5: md5[k]!, ...(raw ? { rawMd5: raw[k]! } : {}) });
  return {
    trainImages: file('train-images-idx3-ubyte.gz', 0),
    trainLabels: file('train-labels-idx1-ubyte.gz', 1),
    testImages: file('t10k-images-idx3-ubyte.gz', 2),
    testLabels: file('t10k-labels-idx1-ubyte.gz', 3),
  };
};

/** MNIST, Fashion-MNIST and KMNIST: official file names, mirrors in order, checksums, classes, statistics. */
export const DATASETS: Readonly<Record<DatasetId, DatasetInfo>> = {
  mnist: {
    id: 'mnist',
    title: 'MNIST handwritten digits',
    mirrors: [
      'https://ossci-datasets.s3.amazonaws.com/mnist/',
      'https://storage.googleapis.com/cvdf-datasets/mnist/',
      'http://yann.lecun.com/exdb/mnist/',
    ],
    // Raw MD5s: of the decompressed official files (whose .gz MD5s are these).
    files: idxFiles(
      [
        'f68b3c2dcbeaaa9fbdd348bbdeb94873',
        'd53e105ee54ea40749a09fcbcd1e9432',
        '9fb629c4189551a2d022fa330f9573f3',
        'ec29112dd5afa0611ce80d1b7f02629c',
      ],
      [
        '6bbc9ace898e44ae57da46a324031adb',
        'a25bea736e30d166cdddb491f175f624',
        '2646ac647ad5339dbf082846283269ea',
        '27ae3e4e09519cfbb04c329615203637',
      ],
    ),
    classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    mean: 0.1307,
    std: 0.3081,
    trainCount: 60_000,
    testCount: 10_000,
    envVar: 'SNN_MNIST_DIR',
  },
  'fashion-mnist': {
    id: 'fashion-mnist',
    title: 'Fashion-MNIST (Zalando)',
    mirrors: ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'],
    // Raw MD5s: of the decompressed files of Debian's dataset-fashion-mnist package, which
    // recompressed them (so its .gz MD5s differ from these official ones).
    files: idxFiles(
      [
        '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
        '25c81989df183df01b3e8a0aad5dffbe',
        'bef4ecab320f06d8554ea6380940ec79',
        'bb300cfdad3c16e7a12a480ee83cd310',
      ],
      [
        'f4a8712d7a061bf5bd6d2ca38dc4d50a',
        '9018921c3c673c538a1fc5bad174d6f9',
        '8181f5470baa50b63fa0f6fddb340f0a',
        '15d484375f8d13e6eb1aabb0c3f46965',
      ],
    ),
    classes: [
      'T-shirt/top',
      'Trouser',
      'Pullover',
      'Dress',
      'Coat',
      'Sandal',
      'Shirt',
      'Sneaker',
      'Bag',
      'Ankle boot',
    ],
    mean: 0.286,
    std: 0.353,
    trainCount: 60_000,
    testCount: 10_000,
    envVar: 'SNN_FASHION_MNIST_DIR',
  },
  kmnist: {
    id: 'kmnist',
    title: 'Kuzushiji-MNIST',
    mirrors: ['http://codh.rois.ac.jp/kmnist/dataset/kmnist/'],
    files: idxFiles([
      'bdb82020997e1d708af4cf47b453dcf7',
      'e144d726b3acfaa3e44228e80efcd344',
      '5c965bf0a639b31b8f53240b1b52f4d7',
      '7320c461ea6c1c855c0b718fb2a4b134',
    ]),
    classes: ['o', 'ki', 'su', 'tsu', 'na', 'ha', 'ma', 'ya', 're', 'wo'],
    mean: 0.1918,
    std: 0.3483,
    trainCount: 60_000,
    testCount: 10_000,
    envVar: 'SNN_KMNIST_DIR',
  },
};

/** The registry entry for `id`. @throws TypeError listing the known datasets. */
export function datasetInfo(id: string): DatasetInfo {
  const info = DATASETS[id as DatasetId];
  if (!info) throw new TypeError(`Unknown dataset "${id}": use one of ${Object.keys(DATASETS).join(', ')}.`);
  return info;
}
