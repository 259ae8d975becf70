import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeExamples, runReadmeExample } from '@snn/test-utils';
import { expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

it('the README examples run and print what they promise', async () => {
  const examples = readmeExamples(join(pkg, 'README.md'));
  expect(examples.length).toBeGreaterThan(0);
  const logs = (await Promise.all(examples.map((code, k) => runReadmeExample(pkg, code, k)))).flat();
  expect(logs).toHaveLength(3);
  for (const line of logs)
    expect(line).toMatch(/^(constant current|poisson|latency): spikes per feature( \d+){6}$/);
  const latency = logs[2]!.split(' ').slice(-6).map(Number);
  expect(latency.every((c) => c <= 1)).toBe(true);
});
