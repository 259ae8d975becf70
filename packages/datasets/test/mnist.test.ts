import { existsSync } from 'node:fs';
import { DATASETS, DataLoader } from '@snn/datasets';
import { loadDataset, loadFashionMnist, loadMnist } from '@snn/datasets/node';
import { describe, expect, it } from 'vitest';

const mnistDir = process.env.SNN_MNIST_DIR;
if (!mnistDir)
  console.warn(
    'skipping real-MNIST tests: set SNN_MNIST_DIR to the folder of the four official MNIST .gz files',
  );
const fashionDir = '/usr/share/datasets/fashion-mnist';
const hasFashion = existsSync(`${fashionDir}/train-images-idx3-ubyte.gz`);
if (!hasFashion)
  console.warn(
    `skipping Fashion-MNIST test: ${fashionDir} absent (apt-get install -y dataset-fashion-mnist)`,
  );

describe.skipIf(!mnistDir)('real MNIST (SNN_MNIST_DIR)', () => {
  it('60,000/10,000 images of 28x28, the official label histogram, first label 5, mean pixel 0.1307', async () => {
    const mnist = await loadMnist();
    expect(mnist.source).toBe('env');
    expect(mnist.subset).toBe(false);
    expect([mnist.train.count, mnist.train.rows, mnist.train.cols]).toEqual([60_000, 28, 28]);
    expect(mnist.test.count).toBe(10_000);
    const hist = new Array(10).fill(0);
    for (const l of mnist.train.labels) hist[l]++;
    expect(hist).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(mnist.train.labels[0]).toBe(5);
    let sum = 0;
    for (const p of mnist.train.images) sum += p;
    expect(sum / mnist.train.images.length / 255).toBeCloseTo(0.1307, 4);
    expect(mnist.description).toMatch(
      /MNIST handwritten digits: 60000 train \/ 10000 test images of 28x28, from env/,
    );
  });

  it('an explicit dir wins over the environment', async () => {
    const mnist = await loadMnist({ dir: mnistDir!, env: {} });
    expect(mnist.source).toBe('dir');
    expect(new DataLoader(mnist.test, { batchSize: 1000 }).length).toBe(10);
  });
});

describe.skipIf(!hasFashion)('Fashion-MNIST from Debian, read by the same code', () => {
  it('60,000/10,000 images with ten balanced classes', async () => {
    const fashion = await loadFashionMnist({ dir: fashionDir });
    expect(fashion.train.count).toBe(60_000);
    expect(fashion.test.count).toBe(10_000);
    const hist = new Array(10).fill(0);
    for (const l of fashion.train.labels) hist[l]++;
    expect(hist).toEqual(new Array(10).fill(6000));
    expect(fashion.info.classes[9]).toBe('Ankle boot');
    const viaEnv = await loadDataset('fashion-mnist', { env: { SNN_FASHION_MNIST_DIR: fashionDir } });
    expect(viaEnv.source).toBe('env');
  });
});

it('the registry lists MNIST, Fashion-MNIST and KMNIST with checksums and statistics', () => {
  expect(Object.keys(DATASETS)).toEqual(['mnist', 'fashion-mnist', 'kmnist']);
  expect(DATASETS.mnist.mean).toBe(0.1307);
  expect(DATASETS.mnist.std).toBe(0.3081);
  for (const d of Object.values(DATASETS)) {
    for (const f of Object.values(d.files)) expect(f.md5).toMatch(/^[0-9a-f]{32}$/);
    expect(d.mirrors.length).toBeGreaterThan(0);
  }
});
