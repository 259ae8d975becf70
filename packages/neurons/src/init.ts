import { Random } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';

/** Where a layer's initial weights come from: a generator you own, or a seed. */
export interface InitOptions {
  /** A generator to draw the initial weights from (advanced by the draw). */
  readonly rng?: Random;
  /** A seed for a fresh generator, when no `rng` is given. Default: a random seed. */
  readonly seed?: number;
}

/** The generator an initialiser uses. */
export function initRng(options: InitOptions): Random {
  return options.rng ?? new Random(options.seed ?? Math.floor(Math.random() * 2 ** 32));
}

/** `randn(shape) * scale`, as a trainable Variable. */
export function normalVariable(shape: number[], scale: number, rng: Random, name?: string): tf.Variable {
  const t = rng.normal(shape, 0, scale);
  const v = tf.variable(t, true, name === undefined ? undefined : uniqueName(name));
  t.dispose();
  return v;
}

/** `U(-bound, bound)` of `shape`, as a trainable Variable (PyTorch's default for Linear and Conv). */
export function uniformVariable(shape: number[], bound: number, rng: Random, name?: string): tf.Variable {
  const t = rng.uniform(shape, -bound, bound);
  const v = tf.variable(t, true, name === undefined ? undefined : uniqueName(name));
  t.dispose();
  return v;
}

let counter = 0;
/** Variable names must be unique in tfjs; suffix a counter. */
export function uniqueName(name: string): string {
  counter++;
  return `${name}_${counter}`;
}
