import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeExamples, runReadmeExample } from '@snn/test-utils';
import { describe, expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const examples = readmeExamples(join(pkg, 'README.md'));

describe('README examples run as written', () => {
  it('has examples', () => expect(examples.length).toBe(2));

  it('exports, writes, reads, lints and runs a network, which computes what the original did', async () => {
    const logs = await runReadmeExample(pkg, examples[0]!, 0);
    expect(logs).toContain(
      'nodes: Input (identity) → Affine (Linear) → CubaLIF (LIFCell) → Affine (Linear) → LI (LIBoxCell) → Output (identity)',
    );
    expect(logs).toContain('lint: w-in');
    expect(logs).toContain('shape 20x2x3 max difference < 1e-5');
  });

  it('the foreign-file example runs (and prints nothing without NIR_FILE)', async () => {
    const logs = await runReadmeExample(pkg, examples[1]!, 1);
    expect(logs).toEqual([]);
  });
});
