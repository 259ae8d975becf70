import * as tf from '@tensorflow/tfjs-core';

/** Numbers as a test may give them: a tensor, a typed array, or (nested) plain arrays. */
export type Numeric = tf.Tensor | ArrayLike<number> | number | readonly Numeric[];

/** Flattens numbers of any supported form, reading tensors with `await data()` (never sync). */
export async function flatValues(x: Numeric): Promise<Float64Array> {
  if (x instanceof tf.Tensor) return Float64Array.from(await x.data());
  if (typeof x === 'number') return Float64Array.of(x);
  const out: number[] = [];
  const visit = (node: unknown): void => {
    if (typeof node === 'number') out.push(node);
    else if (ArrayBuffer.isView(node)) out.push(...(node as unknown as ArrayLike<number> & Iterable<number>));
    else if (Array.isArray(node)) node.forEach(visit);
    else throw new TypeError(`flatValues: unsupported element ${String(node)}`);
  };
  visit(x);
  return Float64Array.from(out);
}

/** Tolerances of {@link expectClose}: `|a - e| <= atol + rtol * |e|`. */
export interface CloseOptions {
  readonly atol?: number;
  readonly rtol?: number;
  /** Shown in the failure message. */
  readonly label?: string;
}

/**
 * Asserts that two numeric arrays have the same size and agree elementwise within
 * `atol + rtol*|expected|` (NaN equals NaN). The failure names the first mismatches and the count.
 */
export async function expectClose(
  actual: Numeric,
  expected: Numeric,
  options: CloseOptions = {},
): Promise<void> {
  const { atol = 1e-6, rtol = 1e-6, label = 'values' } = options;
  if (actual instanceof tf.Tensor && expected instanceof tf.Tensor) {
    if (actual.shape.join() !== expected.shape.join()) {
      throw new Error(`${label}: shape [${actual.shape}] differs from expected [${expected.shape}]`);
    }
  }
  const a = await flatValues(actual);
  const e = await flatValues(expected);
  if (a.length !== e.length) throw new Error(`${label}: ${a.length} values, expected ${e.length}`);
  const bad: string[] = [];
  let count = 0;
  let worst = 0;
  for (let k = 0; k < a.length; k++) {
    const x = a[k]!;
    const y = e[k]!;
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    const err = Math.abs(x - y);
    if (!(err <= atol + rtol * Math.abs(y))) {
      count++;
      worst = Math.max(worst, Number.isNaN(err) ? Number.POSITIVE_INFINITY : err);
      if (bad.length < 5) bad.push(`[${k}] ${x} vs ${y}`);
    }
  }
  if (count > 0) {
    throw new Error(
      `${label}: ${count} of ${a.length} values differ (atol ${atol}, rtol ${rtol}, worst ${worst}): ${bad.join('; ')}`,
    );
  }
}

/** Asserts exact equality of two numeric arrays (e.g. spike trains). */
export async function expectEqual(actual: Numeric, expected: Numeric, label = 'values'): Promise<void> {
  await expectClose(actual, expected, { atol: 0, rtol: 0, label });
}
