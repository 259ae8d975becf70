import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNIR } from '@snn/nir';
import { describe, expect, it } from 'vitest';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(app, 'dist', 'cli.js');
const mnistDir = process.env.SNN_MNIST_DIR;
const data = mnistDir ? ['--data-dir', mnistDir] : [];

function snn(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, SNN_MNIST_DIR: '' },
  });
  const json = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
  return { code: r.status, stderr: r.stderr, json, result: json.find((e) => e.event === 'result') };
}

describe.runIf(existsSync(cli) || process.env.CI)('snn-train export-nir and eval --nir (built CLI)', () => {
  it("a trained run exports to NIR; the NIR file classifies the test images exactly as the run's model does", async () => {
    const out = mkdtempSync(join(tmpdir(), 'snn-nir-run-'));
    const small = [
      '--limit-train',
      '512',
      '--limit-test',
      '300',
      '--batch-size',
      '128',
      '--seq-length',
      '12',
    ];
    const t = snn(['train', ...small, '--backend', 'wasm', '--out', out, '--json', ...data]);
    expect(t.code, t.stderr).toBe(0);

    const e = snn(['export-nir', out, '--json']);
    expect(e.code, e.stderr).toBe(0);
    expect(e.result.file).toBe(join(out, 'model.nir'));
    const graph = await readNIR(readFileSync(join(out, 'model.nir')));
    expect(graph.metadata?.convention).toBe('nir');
    expect(graph.metadata?.snn_network).toBe('recurrentSNN');
    expect(Object.values(graph.nodes).filter((n) => n.type === 'CubaLIF')).toHaveLength(1);

    const native = snn(['eval', out, '--backend', 'wasm', '--json', ...data]);
    expect(native.code, native.stderr).toBe(0);
    const viaNIR = snn([
      'eval',
      '--nir',
      join(out, 'model.nir'),
      '--limit-test',
      '300',
      '--backend',
      'wasm',
      '--json',
      ...data,
    ]);
    expect(viaNIR.code, viaNIR.stderr).toBe(0);
    expect(viaNIR.result).toMatchObject({ samples: 300, convention: 'nir', input: 'image', seqLength: 12 });
    expect(viaNIR.result.accuracy).toBe(native.result.accuracy);

    // Norse's convention, and a file Norse's importer can load: the same predictions.
    const norse = join(out, 'norse.nir');
    expect(snn(['export-nir', out, '--convention', 'norse', '--out', norse, '--json']).code).toBe(0);
    const importable = join(out, 'importable.nir');
    const imp = snn(['export-nir', out, '--importable', 'norse', '--out', importable, '--json']);
    expect(imp.code, imp.stderr).toBe(0);
    expect(imp.result.warnings).toEqual([]);
    for (const file of [norse, importable]) {
      const r = snn(['eval', '--nir', file, '--limit-test', '300', '--backend', 'wasm', '--json', ...data]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.result.accuracy, file).toBe(native.result.accuracy);
    }
  }, 600_000);

  it('says what is wrong: no run directory, a non-MNIST NIR file, an unknown convention', () => {
    const bad = snn(['eval', '--json']);
    expect(bad.code).toBe(2);
    expect(bad.json[0].message).toMatch(/eval needs a run directory \(or --nir <file>\)/);
    const dir = mkdtempSync(join(tmpdir(), 'snn-nir-bad-'));
    writeFileSync(join(dir, 'x.nir'), 'not hdf5');
    const notNir = snn(['eval', '--nir', join(dir, 'x.nir'), '--convention', 'nir', '--dt', '0.001']);
    expect(notNir.code).toBe(8);
    expect(notNir.stderr).toMatch(/^error: not a NIR file: 8 bytes without HDF5's signature/);
    const conv = snn(['eval', '--nir', join(dir, 'x.nir'), '--convention', 'nope']);
    expect(conv.code).toBe(2);
    expect(conv.stderr).toMatch(/Allowed choices are norse, norse-importer, nir, snntorch, spyx/);
    expect(snn(['export-nir', dir]).stderr).toMatch(/not a run directory/);
  });
});
