import * as tf from '@tensorflow/tfjs-core';
import type { Param } from './types.js';

/**
 * Rounds a number to float32, the precision every tfjs backend computes in.
 * Norse runs in float32 and rounds each Python scalar to float32 before it meets a tensor.
 */
export const f32: (x: number) => number = Math.fround;

/**
 * `dt * p` as torch computes `dt * tensor` in float32: both factors rounded to float32 first, then
 * one float32 product. Returns a number when `p` is a number (no tensor allocated), else a tensor.
 *
 * @example
 * ```ts
 * const a = dtTimes(1e-3, 100); // Math.fround(Math.fround(1e-3) * 100)
 * ```
 */
export function dtTimes(dt: number, p: Param): Param {
  if (typeof p === 'number') return f32(f32(dt) * f32(p));
  return tf.mul(f32(dt), p);
}

/** `-p` for a number or a tensor (negation is exact in float32). */
export function negate(p: Param): Param {
  return typeof p === 'number' ? -p : tf.neg(p);
}

/** True when a parameter is a tensor (possibly a trainable `tf.Variable`). */
export function isTensorParam(p: unknown): p is tf.Tensor {
  return p instanceof tf.Tensor;
}

/**
 * Validates that `dt` is a finite positive time step and returns it.
 * @throws RangeError naming the value and what is expected.
 */
export function checkDt(dt: number, where: string): number {
  if (!(typeof dt === 'number' && Number.isFinite(dt) && dt > 0)) {
    throw new RangeError(
      `${where}: dt must be a finite number of seconds > 0 (e.g. 1e-3), got ${String(dt)}.`,
    );
  }
  return dt;
}
