import * as tf from '@tensorflow/tfjs-core';
import type { Param } from './types.js';

/**
 * A surrogate gradient: the derivative used in place of the Heaviside step's (zero almost
 * everywhere) derivative in the backward pass. The forward pass is always the strict step.
 *
 * Build your own with {@link customSurrogate}; use the built-in ones by name.
 */
export interface Surrogate {
  /** Shown in errors and summaries. */
  readonly name: string;
  /** The sharpness used when the caller gives none. */
  readonly defaultAlpha: number;
  /**
   * `d H(x) / dx` as replaced by the surrogate, evaluated elementwise. Must be built from tfjs
   * ops so it runs on every backend; it must not dispose `x`.
   */
  derivative(x: tf.Tensor, alpha: Param): tf.Tensor;
  /**
   * Replaces the forward Heaviside step (optional). Only for relaxations and tests, e.g. a smooth
   * sigmoid whose exact derivative is `derivative`: the result is then no longer a spike.
   */
  forward?(x: tf.Tensor, alpha: Param): tf.Tensor;
  /**
   * The same derivative at one number (`x` and `alpha` plain numbers), for the fused kernels that
   * loop over float32 arrays on `cpu` and `wasm`. Optional: without it those kernels are not used
   * with this surrogate (the step composition runs instead, with the same results).
   */
  readonly scalar?: (x: number, alpha: number) => number;
  /**
   * The same derivative as an expression in the subset of GLSL and WGSL the two share (arithmetic,
   * `abs`, `max`, `exp`, `pow`, `tanh`), of the expressions `x` and `alpha` (float literals or
   * names; write constants with {@link shaderFloat}). The GPU sequence programs of `webgl` and
   * `webgpu` inline it. Optional: without it those programs are not used with this surrogate.
   */
  readonly shader?: (x: string, alpha: string) => string;
  /**
   * The routine of `@snn/neurons`' WebAssembly module that computes it over a whole array with SIMD
   * (only SuperSpike's, the tutorial's, has one); elsewhere the kernels call {@link scalar}.
   */
  readonly simd?: 'superSpike';
}

/** A float32 constant as a literal that GLSL and WGSL both read exactly, e.g. `(1.00000000e+0)`. */
export function shaderFloat(x: number): string {
  return `(${Math.fround(x).toExponential(8)})`;
}

/**
 * Whether the fused cpu/wasm kernels can run a surrogate: it has a {@link Surrogate.scalar} form
 * and the strict step as its forward (no {@link Surrogate.forward} relaxation).
 */
export function hasScalarForm(s: Surrogate): s is Surrogate & { scalar: (x: number, a: number) => number } {
  return typeof s.scalar === 'function' && s.forward === undefined;
}

/**
 * Whether the GPU step programs can run a surrogate: it has a {@link Surrogate.shader} form and the
 * strict step as its forward.
 */
export function hasShaderForm(s: Surrogate): s is Surrogate & { shader: (x: string, a: string) => string } {
  return typeof s.shader === 'function' && s.forward === undefined;
}

/**
 * Names of the built-in surrogates. Norse's names (`super`, `triangle`, `tanh`, `circ`,
 * `heavi_erfc`, `heaviside`) plus snnTorch's `atan` and `fastSigmoid`.
 */
export type SurrogateName =
  | 'super'
  | 'triangle'
  | 'tanh'
  | 'circ'
  | 'heavi_erfc'
  | 'heaviErfc'
  | 'heaviside'
  | 'atan'
  | 'fastSigmoid';

/** A surrogate given by name or as a {@link Surrogate} object. */
export type SurrogateMethod = SurrogateName | Surrogate;

const abs = (x: tf.Tensor): tf.Tensor => tf.abs(x);

/** SuperSpike: `1 / (alpha*|x| + 1)^2` (Norse HEAD, with alpha). Default alpha 100. */
export const superSpike: Surrogate = {
  name: 'super',
  defaultAlpha: 100,
  derivative: (x, alpha) => tf.reciprocal(tf.square(tf.add(tf.mul(alpha, abs(x)), 1))),
  scalar: (x, a) => 1 / (a * Math.abs(x) + 1) ** 2,
  shader: (x, a) => `1.0 / ((${a} * abs(${x}) + 1.0) * (${a} * abs(${x}) + 1.0))`,
  simd: 'superSpike',
};

/** Triangle: `alpha * relu(1 - |x|)`; alpha is a gain, the width is fixed at 1. Default 0.3. */
export const triangle: Surrogate = {
  name: 'triangle',
  defaultAlpha: 0.3,
  derivative: (x, alpha) => tf.mul(alpha, tf.relu(tf.sub(1, abs(x)))),
  scalar: (x, a) => a * Math.max(0, 1 - Math.abs(x)),
  shader: (x, a) => `${a} * max(0.0, 1.0 - abs(${x}))`,
};

/** Tanh: `1 - tanh(alpha*x)^2` (no alpha factor in front, as Norse). Default 100. */
export const tanhSurrogate: Surrogate = {
  name: 'tanh',
  defaultAlpha: 100,
  derivative: (x, alpha) => tf.sub(1, tf.square(tf.tanh(tf.mul(alpha, x)))),
  scalar: (x, a) => 1 - Math.tanh(a * x) ** 2,
  shader: (x, a) => `1.0 - tanh(${a} * ${x}) * tanh(${a} * ${x})`,
};

/** Circ: `alpha^3 / (alpha^2 + x^2)^1.5`. Default 100. */
export const circ: Surrogate = {
  name: 'circ',
  defaultAlpha: 100,
  derivative: (x, alpha) => {
    const a2 = typeof alpha === 'number' ? alpha * alpha : tf.square(alpha);
    const a3 = typeof alpha === 'number' ? alpha * alpha * alpha : tf.pow(alpha, 3);
    return tf.div(a3, tf.pow(tf.add(a2, tf.square(x)), 1.5));
  },
  scalar: (x, a) => a ** 3 / (a * a + x * x) ** 1.5,
  shader: (x, a) => `${a} * ${a} * ${a} / pow(${a} * ${a} + ${x} * ${x}, 1.5)`,
};

/** Heavi-erfc: `2 exp(-(alpha*x)^2) / sqrt(pi)`. Default 100. */
export const heaviErfc: Surrogate = {
  name: 'heavi_erfc',
  defaultAlpha: 100,
  derivative: (x, alpha) => tf.mul(2 / Math.sqrt(Math.PI), tf.exp(tf.neg(tf.square(tf.mul(alpha, x))))),
  scalar: (x, a) => (2 * Math.exp(-((a * x) ** 2))) / Math.sqrt(Math.PI),
  shader: (x, a) => `${shaderFloat(2 / Math.sqrt(Math.PI))} * exp(-(${a} * ${x}) * (${a} * ${x}))`,
};

/** Plain Heaviside: no gradient flows through the spike (derivative 0). */
export const heaviside: Surrogate = {
  name: 'heaviside',
  defaultAlpha: 0,
  derivative: (x) => tf.zerosLike(x),
  scalar: () => 0,
  shader: () => '0.0',
};

/** Arctangent (snnTorch `atan`): `(alpha/2) / (1 + (pi/2 * alpha * x)^2)`. Default alpha 2. */
export const atan: Surrogate = {
  name: 'atan',
  defaultAlpha: 2,
  derivative: (x, alpha) =>
    tf.div(tf.div(alpha, 2), tf.add(1, tf.square(tf.mul(tf.mul(Math.PI / 2, alpha), x)))),
  scalar: (x, a) => a / 2 / (1 + ((Math.PI / 2) * a * x) ** 2),
  shader: (x, a) =>
    `${a} / 2.0 / (1.0 + (${shaderFloat(Math.PI / 2)} * ${a} * ${x}) * (${shaderFloat(Math.PI / 2)} * ${a} * ${x}))`,
};

/** Fast sigmoid (snnTorch `fast_sigmoid`): `1 / (slope*|x| + 1)^2`. Default slope 25. */
export const fastSigmoid: Surrogate = {
  name: 'fastSigmoid',
  defaultAlpha: 25,
  derivative: superSpike.derivative,
  scalar: superSpike.scalar!,
  shader: superSpike.shader!,
  simd: 'superSpike',
};

const BUILT_IN: Readonly<Record<SurrogateName, Surrogate>> = {
  super: superSpike,
  triangle,
  tanh: tanhSurrogate,
  circ,
  heavi_erfc: heaviErfc,
  heaviErfc,
  heaviside,
  atan,
  fastSigmoid,
};

/** Every built-in surrogate name, in a stable order. */
export const SURROGATE_NAMES: readonly SurrogateName[] = Object.keys(BUILT_IN) as SurrogateName[];

/**
 * Resolves a surrogate given by name or object.
 * @throws TypeError naming the unknown method and the valid names.
 */
export function surrogate(method: SurrogateMethod): Surrogate {
  if (typeof method === 'object' && method !== null && typeof method.derivative === 'function') {
    return method;
  }
  const found = typeof method === 'string' ? BUILT_IN[method as SurrogateName] : undefined;
  if (found === undefined) {
    throw new TypeError(
      `Unknown surrogate method ${JSON.stringify(method)}: use one of ${SURROGATE_NAMES.join(', ')}, ` +
        'or pass customSurrogate({ name, derivative }).',
    );
  }
  return found;
}

/**
 * Makes a surrogate from its derivative, for use anywhere a `method` is accepted. Give its `scalar`
 * and `shader` forms too and the fused sequence kernels of `@snn/neurons` run with it (on cpu/wasm
 * and on webgl/webgpu); without them, layers fall back to the step composition.
 *
 * @example
 * ```ts
 * // A Gaussian surrogate with width 1/alpha, in all three forms.
 * const gauss = customSurrogate({
 *   name: 'gauss',
 *   defaultAlpha: 10,
 *   derivative: (x, alpha) => tf.exp(tf.neg(tf.square(tf.mul(alpha, x)))),
 *   scalar: (x, a) => Math.exp(-((a * x) ** 2)),
 *   shader: (x, a) => `exp(-(${a} * ${x}) * (${a} * ${x}))`,
 * });
 * const z = threshold(v, gauss);
 * ```
 */
export function customSurrogate(spec: {
  name: string;
  derivative: Surrogate['derivative'];
  defaultAlpha?: number;
  forward?: Surrogate['forward'];
  scalar?: Surrogate['scalar'];
  shader?: Surrogate['shader'];
}): Surrogate {
  if (typeof spec.derivative !== 'function') {
    throw new TypeError(`customSurrogate(${spec.name}): derivative must be a function (x, alpha) => Tensor.`);
  }
  for (const form of ['forward', 'scalar', 'shader'] as const) {
    if (spec[form] !== undefined && typeof spec[form] !== 'function')
      throw new TypeError(`customSurrogate(${spec.name}): ${form} must be a function when given.`);
  }
  return {
    name: spec.name,
    defaultAlpha: spec.defaultAlpha ?? 1,
    derivative: spec.derivative,
    ...(spec.forward ? { forward: spec.forward } : {}),
    ...(spec.scalar ? { scalar: spec.scalar } : {}),
    ...(spec.shader ? { shader: spec.shader } : {}),
  };
}
