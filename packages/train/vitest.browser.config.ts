import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { defineProject } from 'vitest/config';
import type { BrowserCommand } from 'vitest/node';
import { sharedBrowserConfig } from '../../vitest.shared';

/**
 * The first `count` MNIST training digits from `SNN_MNIST_DIR`, for the trajectory test in the
 * browser (which cannot read files): pixel and label bytes in base64, or null without the data.
 */
const mnistHead: BrowserCommand<[count: number]> = (_context, count) => {
  const dir = process.env.SNN_MNIST_DIR;
  const file = (name: string) => join(dir ?? '', name);
  if (!dir || !existsSync(file('train-images-idx3-ubyte.gz'))) return null;
  const idx = (name: string, header: number, size: number) =>
    gunzipSync(readFileSync(file(name))).subarray(header, header + size);
  return {
    images: idx('train-images-idx3-ubyte.gz', 16, count * 784).toString('base64'),
    labels: idx('train-labels-idx1-ubyte.gz', 8, count).toString('base64'),
  };
};

const base = await sharedBrowserConfig('train');
export default defineProject({
  ...base,
  test: { ...base.test, browser: { ...base.test!.browser!, commands: { mnistHead } } },
});
