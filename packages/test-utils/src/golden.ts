import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Where Norse's golden traces are: `SNN_GOLDEN_DIR`, else `shared/golden` beside the repository
 * (the checkout's `../shared/golden`).
 */
export function goldenDir(): string {
  const fromEnv = process.env.SNN_GOLDEN_DIR;
  if (fromEnv) return resolve(fromEnv);
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  return resolve(repoRoot, '..', 'shared', 'golden');
}

/** Whether a golden file can be read; tests use it with `describe.skipIf`. */
export function hasGolden(file: string): boolean {
  return existsSync(join(goldenDir(), file));
}

/** A one-line reason to show when golden files are absent. */
export function goldenSkipReason(file: string): string {
  return `golden file ${file} not found in ${goldenDir()} (set SNN_GOLDEN_DIR to the folder of Norse's traces)`;
}

/** Reads and parses one golden file. Numbers are float32 as shortest round-trip decimals. */
export function readGolden<T = Record<string, unknown>>(file: string): T {
  const path = join(goldenDir(), file);
  if (!existsSync(path)) throw new Error(goldenSkipReason(file));
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Nested number arrays as Norse wrote them. */
export type Nested = number | readonly Nested[];

/** A float32 tensor of nested golden numbers (each value rounded with `Math.fround`). */
export function goldenTensor(values: Nested): tf.Tensor {
  return tf.tensor(values as number[]);
}

/** The golden parameter record with Norse's snake_case names turned into our camelCase ones. */
export function camelParams(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    out[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = v;
  }
  return out;
}
