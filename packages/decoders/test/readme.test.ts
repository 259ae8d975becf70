import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeExamples, runReadmeExample } from '@snn/test-utils';
import { expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

it('the README examples run and print what they promise', async () => {
  const examples = readmeExamples(join(pkg, 'README.md'));
  expect(examples.length).toBeGreaterThan(0);
  const logs = (await Promise.all(examples.map((code, k) => runReadmeExample(pkg, code, k)))).flat();
  expect(logs[0]).toMatch(/^loss \d\.\d{4}$/);
  expect(logs[1]).toBe('accuracy 1');
  expect(logs[2]).toBe('first crossing of 0.5 1 4 4 4 1 3');
});
