import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeExamples, runReadmeExample } from '@snn/test-utils';
import { expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

it('the README example trains the tutorial model for a few batches and reports accuracy', async () => {
  const [example] = readmeExamples(join(pkg, 'README.md'));
  const logs = await runReadmeExample(pkg, example!, 0);
  expect(logs[0]).toMatch(/lif0\s+LIFRecurrentCell\s+\[B, 100\]\s+88400/);
  expect(logs.filter((l) => /^batch \d\/4 loss \d\.\d{3}$/.test(l))).toHaveLength(4);
  const acc = Number(/test accuracy ([\d.]+)%/.exec(logs.at(-1)!)![1]);
  expect(acc).toBeGreaterThan(20);
}, 300_000);
