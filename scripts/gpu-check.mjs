#!/usr/bin/env node
// The prepared GPU check: on a machine with a GPU, in under 5 minutes, everything that says whether
// @snn trains there and how fast, as ONE JSON summary on stdout (progress goes to stderr):
//   1. `snn-train info`: the backends, the WebGPU adapter, what tfjs-node-gpu lacks;
//   2. the GPU equivalence tests in Node (every fused op and layer on webgpu against the
//      composition, values and gradients; both tutorial nets training with wasm's losses);
//   3. `snn-train bench --backend webgpu` for both tutorial models (times, launches per training
//      step and per time step), and `--backend tensorflow-gpu` where tfjs-node-gpu runs;
//   4. one epoch of the recurrent tutorial model on webgpu (`snn-train train --backend webgpu`).
//
// Usage: node scripts/gpu-check.mjs [--quick] [--data-dir <MNIST dir>]
//   --quick   shrinks the benchmark and the epoch (tiny batches, short sequences, 512 digits) so the
//             script runs end to end on a software GPU too; the tests are unchanged. Without a GPU:
//             VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json node scripts/gpu-check.mjs --quick
// MNIST comes from --data-dir, SNN_MNIST_DIR or the cache, else the trainer's offline subset (no download).
// Needs the workspace installed (pnpm install) and on Linux a Vulkan loader (libvulkan1).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env, root, runPnpm } from './bootstrap.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const dataDir = (() => {
  const k = args.indexOf('--data-dir');
  return k >= 0 ? args[k + 1] : (process.env.SNN_MNIST_DIR ?? undefined);
})();
const cli = join(root, 'apps', 'trainer', 'dist', 'cli.js');
const started = performance.now();
const say = (line) => process.stderr.write(`[gpu-check] ${line}\n`);
const steps = [];

/** Runs one step (a child process), with its time; the parsed result or the error is recorded. */
function step(name, cmd, argv, parse, timeoutSeconds, cwd = root) {
  say(`${name}: ${[cmd, ...argv].join(' ')}`);
  const t0 = performance.now();
  const r = spawnSync(cmd, argv, {
    cwd,
    env: { ...env, ...(dataDir ? { SNN_MNIST_DIR: dataDir } : {}) },
    encoding: 'utf8',
    timeout: timeoutSeconds * 1000,
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = +((performance.now() - t0) / 1000).toFixed(1);
  let result;
  let error;
  try {
    if (r.error) throw r.error;
    result = parse(r.stdout ?? '', r.status);
  } catch (e) {
    error = `${e instanceof Error ? e.message : String(e)}${r.stderr ? ` | ${r.stderr.trim().split('\n').slice(-4).join(' | ')}` : ''}`;
  }
  steps.push({ name, seconds, ok: error === undefined, ...(error ? { error } : {}) });
  say(`${name}: ${error ? `FAILED (${error})` : 'ok'} in ${seconds} s`);
  return result;
}

const jsonLines = (stdout) =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));

// 0. The trainer, built (turbo's cache makes this instant when it is); its output to stderr, so
// stdout carries the summary alone.
const build = ['exec', 'turbo', 'run', 'build', '--filter', 'trainer...', '--output-logs', 'errors-only'];
if (runPnpm(build, { stdio: ['ignore', 2, 2] }) !== 0) {
  process.stdout.write(`${JSON.stringify({ ok: false, error: 'the build failed' })}\n`);
  process.exit(1);
}

// 1. What this machine offers.
const info = step('info', process.execPath, [cli, 'info', '--json'], (out) => jsonLines(out)[0], 120);
const backend = (name) => info?.backends?.find((b) => b.name === name);
const webgpu = backend('webgpu');
if (!webgpu?.available) say(`webgpu is not available here: ${webgpu?.detail ?? 'info failed'}`);

// 2. The GPU equivalence tests (the [webgpu] bodies of these files), counted from vitest's JSON.
const results = mkdtempSync(join(tmpdir(), 'snn-gpu-check-'));
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const suites = [
  ['core', ['test/webgpu-node.test.ts']],
  ['neurons', ['test/fused.test.ts', 'test/sequences.test.ts']],
  ['train', ['test/webgpu.test.ts', 'test/fused.test.ts']],
];
const tests = { passed: 0, failed: 0, skipped: 0, seconds: 0, failures: [] };
for (const [pkg, files] of suites) {
  const out = join(results, `${pkg}.json`);
  const s = step(
    `tests @snn/${pkg}`,
    process.execPath,
    [vitest, 'run', ...files, '-t', 'webgpu', '--reporter=json', `--outputFile=${out}`],
    () => JSON.parse(readFileSync(out, 'utf8')),
    900,
    join(root, 'packages', pkg),
  );
  if (!s) continue;
  tests.passed += s.numPassedTests;
  tests.failed += s.numFailedTests;
  tests.skipped += s.numPendingTests + s.numTodoTests;
  for (const f of s.testResults ?? [])
    for (const a of f.assertionResults ?? [])
      if (a.status === 'failed')
        tests.failures.push(`${a.fullName}: ${(a.failureMessages ?? [''])[0].split('\n')[0]}`);
}
tests.seconds = +steps
  .filter((s) => s.name.startsWith('tests '))
  .reduce((t, s) => t + s.seconds, 0)
  .toFixed(1);
rmSync(results, { recursive: true, force: true });

// 3. Benchmarks: webgpu, and tensorflow-gpu where it runs.
const benchArgs = quick
  ? ['--batch-size', '4', '--seq-length', '8', '--repeats', '1', '--warmup', '1']
  : ['--repeats', '3', '--warmup', '1'];
const bench = [];
for (const name of ['webgpu', 'tensorflow-gpu']) {
  if (!backend(name)?.available) continue;
  const r = step(
    `bench ${name}`,
    process.execPath,
    [cli, 'bench', '--backend', name, ...benchArgs, ...(name === 'webgpu' ? [] : ['--launches']), '--json'],
    (out) => jsonLines(out).at(-1).results,
    quick ? 1500 : 600,
  );
  for (const b of r ?? [])
    bench.push({
      model: b.model,
      backend: b.backend,
      batchSize: b.batchSize,
      seqLength: b.seqLength,
      microBatch: b.microBatch ?? null,
      trainBatchSeconds: b.trainBatchSeconds,
      testBatchSeconds: b.testBatchSeconds,
      trainSamplesPerSecond: b.trainSamplesPerSecond,
      launches: b.launches ?? null,
    });
}

// 4. One epoch of the recurrent tutorial model on webgpu.
let train;
if (webgpu?.available) {
  const out = mkdtempSync(join(tmpdir(), 'snn-gpu-run-'));
  const trainArgs = quick
    ? ['--limit-train', '512', '--limit-test', '256', '--batch-size', '64', '--seq-length', '8']
    : [];
  train = step(
    'train recurrent, 1 epoch',
    process.execPath,
    [cli, 'train', '--backend', 'webgpu', '--epochs', '1', ...trainArgs, '--out', join(out, 'run'), '--json'],
    (stdout) => {
      const events = jsonLines(stdout);
      const epoch = events.find((e) => e.event === 'epoch');
      const result = events.find((e) => e.event === 'result');
      if (!result || result.aborted) throw new Error('no result');
      const config = JSON.parse(readFileSync(join(out, 'run', 'config.json'), 'utf8'));
      return {
        testAccuracy: result.testAccuracy,
        epochSeconds: epoch?.duration ?? null,
        samplesPerSecond: epoch?.samplesPerSecond ?? null,
        dataset: config.dataset.description,
        trainSamples: config.dataset.train,
        options: { batchSize: config.options.batchSize, seqLength: config.options.seqLength },
      };
    },
    quick ? 1500 : 600,
  );
  rmSync(out, { recursive: true, force: true });
}

const summary = {
  ok: steps.every((s) => s.ok) && tests.failed === 0 && tests.passed > 0 && webgpu?.available === true,
  quick,
  seconds: +((performance.now() - started) / 1000).toFixed(1),
  node: info?.node ?? process.version,
  platform: info?.platform ?? `${process.platform}-${process.arch}`,
  adapter: webgpu?.adapter ?? null,
  backends: (info?.backends ?? []).map((b) => ({ name: b.name, available: b.available })),
  webgpu: webgpu ? { available: webgpu.available, detail: webgpu.detail } : null,
  tensorflowGpuMissing: backend('tensorflow-gpu')?.tensorflowGpu?.missing ?? null,
  tests,
  bench,
  train: train ?? null,
  steps,
  ...(existsSync(cli) ? {} : { error: `no trainer build at ${cli}` }),
};
process.stdout.write(`${JSON.stringify(summary)}\n`);
process.exit(summary.ok ? 0 : 1);
