import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeExamples, runReadmeExample } from '@snn/test-utils';
import { expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

it('the README example reads the shipped images file', async () => {
  const [example] = readmeExamples(join(pkg, 'README.md'));
  const logs = await runReadmeExample(pkg, example!, 0);
  expect(logs).toEqual(['10000 digits, 1606518 bytes, cut from train-images-idx3-ubyte.gz']);
});
