import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeExamples, runReadmeExample } from '@snn/test-utils';
import { describe, expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const examples = readmeExamples(join(pkg, 'README.md'));

describe('README examples run as written', () => {
  it('has examples', () => expect(examples.length).toBeGreaterThanOrEqual(3));

  it('the tutorial neuron spikes periodically and shows its voltage trace', async () => {
    const logs = await runReadmeExample(pkg, examples[0]!, 0);
    const times = logs.find((l) => l.startsWith('spike times'))!;
    expect(times).toMatch(/spike times \(ms\): \d+,\d+/);
    expect(logs.some((l) => /^v: 0\.110 0\.\d{3} /.test(l))).toBe(true);
  });

  it('the fast-path example runs the tutorial network from public layers and differentiates it', async () => {
    const logs = await runReadmeExample(pkg, examples[1]!, 1);
    expect(logs.join('\n')).toContain('readout max: true gradients: 100x784 100x100 10x100');
  });

  it('the custom-neuron example trains nothing but spikes', async () => {
    const logs = await runReadmeExample(pkg, examples[2]!, 2);
    const n = Number(logs.find((l) => l.startsWith('QIF spikes'))!.split(':')[1]);
    expect(n).toBeGreaterThan(0);
  });
});
