/**
 * `snn-train` on webgpu in Node (Dawn's `webgpu` package; SwiftShader's Vulkan where the machine
 * has no GPU): info names the adapter, a run records it and trains with wasm's batch losses, and a
 * machine without an adapter gets exit 4 with the fix.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeWebGPUStatus } from '@snn/test-utils';
import { describe, expect, it } from 'vitest';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
// Sets VK_ICD_FILENAMES to SwiftShader where Vulkan has no driver (inherited by the CLI below).
const status = nodeWebGPUStatus();

function snn(args: string[], extraEnv: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    timeout: 600_000,
    env: { ...process.env, SNN_MNIST_DIR: '', ...extraEnv },
  });
  const json = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, json };
}

describe.runIf(existsSync(cli) || process.env.CI)('snn-train --backend webgpu (built CLI)', () => {
  it('without an adapter: exit 4, naming what is missing and the fix', () => {
    const r = snn(['train', '--backend', 'webgpu', '--limit-train', '64'], {
      VK_ICD_FILENAMES: '/nonexistent/icd.json',
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/webgpu: (WebGPU found no adapter|WebGPU in Node needs Dawn's bindings)/);
    if (process.platform === 'linux') expect(r.stderr).toMatch(/VK_ICD_FILENAMES|libvulkan1/);
  }, 120_000);

  if (!status.available) {
    it.skip(`webgpu unavailable in Node: ${status.reason}`, () => {});
    return;
  }

  it('info lists webgpu with its adapter', () => {
    const r = snn(['info', '--json']);
    expect(r.code).toBe(0);
    const gpu = r.json[0].backends.find((b: { name: string }) => b.name === 'webgpu');
    expect(gpu.available).toBe(true);
    expect(gpu.adapter).toEqual(status.adapter);
    expect(gpu.detail).toMatch(/^Dawn \(the webgpu package\) on /);
  }, 120_000);

  it('train: the recurrent model with wasm’s batch losses; config.json records the adapter; eval reproduces it', () => {
    const run = (backend: string) => {
      const out = join(mkdtempSync(join(tmpdir(), 'snn-wgpu-')), 'run');
      const r = snn([
        'train',
        '--backend',
        backend,
        '--limit-train',
        '96',
        '--limit-test',
        '32',
        '--batch-size',
        '32',
        '--seq-length',
        '8',
        '--out',
        out,
        '--json',
      ]);
      expect(r.code, r.stderr).toBe(0);
      const losses = r.json.filter((e) => e.event === 'batch').map((e) => e.loss as number);
      const result = r.json.find((e) => e.event === 'result');
      return { out, losses, result, config: JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) };
    };
    const gpu = run('webgpu');
    const wasm = run('wasm');
    expect(gpu.config.backend).toBe('webgpu');
    expect(gpu.config.backendAttempts[0].adapter).toEqual(status.adapter);
    expect(gpu.losses).toHaveLength(3);
    gpu.losses.forEach((l: number, k: number) => {
      expect(Math.abs(l - wasm.losses[k]!), `batch ${k + 1}`).toBeLessThan(1e-4);
    });
    // eval on webgpu reproduces the run's test accuracy.
    const e = snn(['eval', gpu.out, '--backend', 'webgpu', '--json']);
    expect(e.code, e.stderr).toBe(0);
    expect(e.json.find((x) => x.event === 'result').accuracy).toBe(gpu.result.testAccuracy);
  }, 600_000);
});
