// Running the built `snn-train` in tests, as a user runs it: a child process with its own data,
// cache and environment.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const app = join(dirname(fileURLToPath(import.meta.url)), '..');
export const cli = join(app, 'dist', 'cli.js');
export const mnistDir = process.env.SNN_MNIST_DIR || undefined;
/** Real MNIST where the environment names it; else the CLI falls back to the offline subset. */
export const data = mnistDir ? ['--data-dir', mnistDir] : [];

/** A fresh temporary folder. */
export const tmp = (prefix: string): string => mkdtempSync(join(tmpdir(), `snn-${prefix}-`));

/** An empty cache for every child, so no test depends on what this machine downloaded before. */
const cache = tmp('cache');
export const childEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  SNN_MNIST_DIR: '',
  XDG_CACHE_HOME: cache,
  ...extra,
});

/** A JSON event line of `--json` output. */
export type Event = Record<string, unknown> & { event: string };

const parse = (stdout: string): Event[] =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Event);

/** Runs `snn-train` to the end. */
export function snn(args: string[], options: { timeout?: number; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    timeout: options.timeout ?? 240_000,
    env: childEnv(options.env),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, json: parse(r.stdout) };
}

/**
 * Runs `snn-train … --json` and sends `signal` at the first event `when` accepts; resolves with
 * the exit code and every event.
 */
export function snnUntil(
  args: string[],
  when: (e: Event) => boolean,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; events: Event[]; stderr: string; signalled: boolean }> {
  const child = spawn(process.execPath, [cli, ...args], {
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let signalled = false;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (!signalled && parse(stdout).some(when)) {
      signalled = true;
      child.kill(signal);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) =>
    child.once('exit', (code) => resolve({ code, events: parse(stdout), stderr, signalled })),
  );
}

/** The bytes of a run's final weights. */
export const weights = (runDir: string): Buffer => readFileSync(join(runDir, 'model', 'weights.bin'));

/** The rows of a run's metrics.jsonl. */
export const metricsRows = (runDir: string): Record<string, unknown>[] =>
  readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

/** No stack trace in what a command printed: errors are one clear message. */
export const stackTrace = /\n\s+at .+:\d+:\d+/;

/**
 * A small recurrent run that learns in seconds: 64 batches of 16 per epoch, T 8, 16 hidden, one
 * thread on wasm, seed 5.
 */
export const tiny = [
  '--limit-train',
  '1024',
  '--limit-test',
  '100',
  '--batch-size',
  '16',
  '--seq-length',
  '8',
  '--hidden',
  '16',
  '--seed',
  '5',
  '--threads',
  '1',
  '--backend',
  'wasm',
  ...data,
];

/** The id of a process that has exited (for temporaries "left by a killed process"). */
export function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(r.stdout);
}
