import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeExamples, runReadmeExample } from '@snn/test-utils';
import { expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

it('the README example runs: backend chosen with reasons, spikes and surrogate gradients printed', async () => {
  const [example] = readmeExamples(join(pkg, 'README.md'));
  const logs = await runReadmeExample(pkg, example!, 0);
  // wasm here; webgpu on a machine whose GPU Dawn finds.
  expect(logs[0]).toMatch(/^backend: (wasm|webgpu)$/);
  expect(
    logs.some((l) => /skipped tensorflow-gpu: @tensorflow\/tfjs-node-gpu is not installed/.test(l)),
  ).toBe(true);
  expect(logs.at(-1)).toMatch(/^[01],[01],[01],[01] /);
});
