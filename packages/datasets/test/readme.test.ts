import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeExamples, runReadmeExample } from '@snn/test-utils';
import { expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

it('the README example loads MNIST (or the labelled offline subset) and iterates batches', async () => {
  const [example] = readmeExamples(join(pkg, 'README.md'));
  const logs = await runReadmeExample(pkg, example!, 0);
  expect(logs[0]).toMatch(/MNIST handwritten digits( \(OFFLINE SUBSET, not the full dataset\))?: \d+ train/);
  expect(logs[1]).toBe('batch 256x1x28x28 int32');
  expect(logs[2]).toBe('4 batches of 256');
}, 120_000);
