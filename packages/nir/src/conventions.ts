import type { Param } from '@snn/core';
import {
  type IAFParams,
  iafParams,
  type LIBoxParams,
  type LIFBoxParams,
  type LIFParams,
  type LIParams,
  liBoxParams,
  lifBoxParams,
  lifParams,
  liParams,
} from '@snn/neurons';
import * as tf from '@tensorflow/tfjs-core';
import { float32Values, sizeOf } from './arrays.js';
import type { NIRArray, NIRGraph, NIRNode } from './types.js';

/**
 * How the writer of a NIR file meant its time constants, `r`, `w_in`, `v_reset` and `dt` (the file
 * does not say; each library reads them differently):
 *
 * - `'norse'`: Norse's `to_nir`. `CubaLIF` is Norse's `LIFCell` (the input jumps into the current,
 *   `w_in = r = 1`), `LIF`/`LI` are `LIFBoxCell`/`LIBoxCell`, `IF` is `IAFCell` (`v += r·x`, starting
 *   at `v_reset`), `tau = 1/tau_inv` in seconds, `dt` 1 ms. Reproduces the original Norse model,
 *   `v_reset` included.
 * - `'norse-importer'`: what Norse's `from_nir` builds from the file, deviations included: `CubaLIF`
 *   as `w_in·x → LIBoxCell(tau_syn) → r·… → LIFBoxCell(tau_mem)`, `v_reset` dropped, `r` ignored
 *   by LIF/LI/IF, `1/tau` in float32, padding of SumPool2d ignored.
 * - `'nir'`: NIR's equations integrated with forward Euler at `dt`, the synaptic current updated
 *   before the membrane (as Norse's importer and snnTorch do): `I += dt/tau_syn·(w_in·x - I)`,
 *   `v += dt/tau_mem·(v_leak - v + r·I)`, spike when `v > v_threshold`, reset to `v_reset`;
 *   `IF`/`I`: `v += dt·r·x`. Leaky neurons start at `v_leak`, IF at `v_reset`.
 * - `'snntorch'`: snnTorch's `export_to_nir`: the NIR equations at snnTorch's hard-coded
 *   `dt = 1e-4` (`tau = dt/(1-β)`, `r = tau/dt`, `w_in = tau_syn/dt`), `IF` as `v += r·x`, reset to
 *   `v_reset` without delay (as snnTorch's `import_from_nir` builds it).
 * - `'spyx'`: Spyx's `to_nir`: `β = 1 - dt/tau` at the `dt` it was exported with, weights applied
 *   as they are (`v = β·v + W·x`, `r` unused), a spike when the previous `v` exceeds the threshold,
 *   reset by subtracting it.
 */
export type NIRConvention = 'norse' | 'norse-importer' | 'nir' | 'snntorch' | 'spyx';

/** Every convention. */
export const NIR_CONVENTIONS: readonly NIRConvention[] = [
  'norse',
  'norse-importer',
  'nir',
  'snntorch',
  'spyx',
];

/** The `dt` a convention implies when none is given (`undefined`: the file or the caller must say). */
export const CONVENTION_DT: Readonly<Record<NIRConvention, number | undefined>> = {
  norse: 1e-3,
  'norse-importer': 1e-3,
  nir: undefined,
  snntorch: 1e-4,
  spyx: undefined,
};

/** Checks a convention name, with the list of valid ones in the error. */
export function checkConvention(c: unknown, where: string): NIRConvention {
  if (typeof c === 'string' && (NIR_CONVENTIONS as readonly string[]).includes(c)) return c as NIRConvention;
  throw new TypeError(
    `${where}: unknown convention ${JSON.stringify(c)}; use one of ${NIR_CONVENTIONS.join(', ')} (the library that wrote the file).`,
  );
}

/** The convention and dt a graph's metadata states (our writer stores both), if any. */
export function statedConvention(graph: NIRGraph): { convention?: NIRConvention; dt?: number } {
  const m = graph.metadata;
  const out: { convention?: NIRConvention; dt?: number } = {};
  const c = m?.convention;
  if (typeof c === 'string' && (NIR_CONVENTIONS as readonly string[]).includes(c))
    out.convention = c as NIRConvention;
  const dt = m?.dt;
  if (dt !== undefined && typeof dt === 'object' && 'data' in dt && (dt as NIRArray).data.length === 1) {
    const v = Number((dt as NIRArray).data[0]);
    if (v > 0 && Number.isFinite(v)) out.dt = v;
  }
  return out;
}

/**
 * The inverse of a time constant as a float32, choosing among the values whose float32 reciprocal
 * is `tau` the one with the shortest decimal: Norse stored `tau = 1/tau_inv` in float32, so
 * `tau_inv = 500` comes back as 500, not 499.99997 (the correctly rounded `1/tau`).
 */
export function inverseTau(tau: number): number {
  const t = Math.fround(tau);
  const x0 = Math.fround(1 / t);
  if (!Number.isFinite(x0) || x0 === 0) return x0;
  for (let p = 1; p <= 9; p++) {
    const c = Math.fround(Number(x0.toPrecision(p)));
    if (Math.fround(1 / c) === t) return c;
  }
  return x0;
}

/** Makes parameters (numbers when uniform, else tensors of the neuron shape) and owns the tensors. */
export class ParamMaker {
  readonly tensors: tf.Tensor[] = [];
  constructor(readonly shape: readonly number[]) {}

  /** Elementwise `fn` of float32 values (computed in double, rounded to float32 once). */
  make(values: Float32Array | readonly number[], fn: (v: number, k: number) => number = (v) => v): Param {
    const out = Float32Array.from(values, (v, k) => fn(v, k));
    if (out.length === 0) throw new RangeError('a neuron parameter has no values.');
    if (out.every((v) => Object.is(v, out[0]))) return out[0]!;
    if (out.length !== sizeOf(this.shape)) {
      throw new RangeError(
        `a parameter has ${out.length} values for neurons of shape [${this.shape.join(', ')}].`,
      );
    }
    const t = tf.tensor(out, this.shape.slice(), 'float32');
    this.tensors.push(t);
    return t;
  }

  /** A field's float32 values (or `fallback` everywhere when absent). */
  values(a: NIRArray | undefined, fallback = 0): Float32Array {
    return a === undefined
      ? new Float32Array(Math.max(1, sizeOf(this.shape))).fill(fallback)
      : float32Values(a);
  }

  /** A field as a parameter, optionally transformed. */
  field(a: NIRArray | undefined, fallback = 0, fn?: (v: number, k: number) => number): Param {
    return this.make(this.values(a, fallback), fn);
  }

  /** An input gain: `undefined` when it is 1 for every neuron (within float32 rounding). */
  gain(values: readonly number[]): Param | undefined {
    if (values.every((g) => Math.abs(g - 1) <= 1e-6)) return undefined;
    return this.make(values);
  }
}

/** How one neuron node runs: which @snn step, with which parameters and input gain. */
export type NeuronPlan =
  | { readonly kind: 'lif'; readonly params: LIFParams; readonly gain: Param | undefined }
  | { readonly kind: 'li'; readonly params: LIParams; readonly gain: Param | undefined }
  | { readonly kind: 'lifBox'; readonly params: LIFBoxParams; readonly gain: Param | undefined }
  | { readonly kind: 'liBox'; readonly params: LIBoxParams; readonly gain: Param | undefined }
  | {
      readonly kind: 'iaf';
      readonly params: IAFParams;
      readonly gain: Param | undefined;
      readonly initialV: Param;
    }
  | { readonly kind: 'integrator'; readonly gain: Param | undefined }
  | {
      readonly kind: 'cubaBox';
      readonly wIn: Param | undefined;
      readonly synapse: LIBoxParams;
      readonly r: Param | undefined;
      readonly lif: LIFBoxParams;
    }
  | {
      readonly kind: 'spyx';
      readonly alpha: Param | undefined;
      readonly beta: Param;
      readonly threshold: Param | undefined;
    };

type NeuronNode = Extract<NIRNode, { type: 'LI' | 'LIF' | 'CubaLI' | 'CubaLIF' | 'IF' | 'I' }>;

const times = (a: Float32Array, b: Float32Array, c = 1): number[] =>
  Array.from(a, (v, k) => v * b[a.length === b.length ? k : 0]! * c);

/** The plan of a neuron node under a convention at time step `dt`. */
export function neuronPlan(
  node: NeuronNode,
  convention: NIRConvention,
  dt: number,
  p: ParamMaker,
): NeuronPlan {
  const f32inv = (v: number) => Math.fround(1 / Math.fround(v));
  const inv = convention === 'norse-importer' ? f32inv : inverseTau;
  if (convention === 'spyx') {
    const beta = (tau: NIRArray) => p.field(tau, 0, (t) => 1 - dt / t);
    switch (node.type) {
      case 'LIF':
        return { kind: 'spyx', alpha: undefined, beta: beta(node.tau), threshold: p.field(node.v_threshold) };
      case 'LI':
        return { kind: 'spyx', alpha: undefined, beta: beta(node.tau), threshold: undefined };
      case 'CubaLIF':
        return {
          kind: 'spyx',
          alpha: beta(node.tau_syn),
          beta: beta(node.tau_mem),
          threshold: p.field(node.v_threshold),
        };
      case 'CubaLI':
        return { kind: 'spyx', alpha: beta(node.tau_syn), beta: beta(node.tau_mem), threshold: undefined };
      case 'IF':
        return { kind: 'spyx', alpha: undefined, beta: 1, threshold: p.field(node.v_threshold) };
      case 'I':
        return { kind: 'spyx', alpha: undefined, beta: 1, threshold: undefined };
    }
  }
  if (convention === 'norse-importer') {
    switch (node.type) {
      case 'LIF':
        return {
          kind: 'lifBox',
          params: lifBoxParams({
            tauMemInv: p.field(node.tau, 0, inv),
            vLeak: p.field(node.v_leak),
            vTh: p.field(node.v_threshold),
          }),
          gain: undefined,
        };
      case 'LI':
        return {
          kind: 'liBox',
          params: liBoxParams({ tauMemInv: p.field(node.tau, 0, inv), vLeak: p.field(node.v_leak) }),
          gain: undefined,
        };
      case 'IF':
        return {
          kind: 'iaf',
          params: iafParams({ vTh: p.field(node.v_threshold) }),
          gain: undefined,
          initialV: 0,
        };
      case 'CubaLIF':
        return {
          kind: 'cubaBox',
          wIn: p.gain(Array.from(p.values(node.w_in, 1))),
          synapse: liBoxParams({ tauMemInv: p.field(node.tau_syn, 0, inv), vLeak: p.field(node.v_leak) }),
          r: p.gain(Array.from(p.values(node.r, 1))),
          lif: lifBoxParams({
            tauMemInv: p.field(node.tau_mem, 0, inv),
            vLeak: p.field(node.v_leak),
            vTh: p.field(node.v_threshold),
          }),
        };
      default:
        throw new Error(
          `Norse's from_nir has no mapping for ${node.type} nodes, so the 'norse-importer' convention cannot run this graph; use 'norse' or 'nir'.`,
        );
    }
  }
  const r = p.values(node.r, 1);
  // 'norse' reads r and w_in as plain multipliers; 'nir' and 'snntorch' integrate with dt/tau.
  const euler = convention !== 'norse';
  switch (node.type) {
    case 'LIF':
      return {
        kind: 'lifBox',
        params: lifBoxParams({
          tauMemInv: p.field(node.tau, 0, inv),
          vLeak: p.field(node.v_leak),
          vTh: p.field(node.v_threshold),
          vReset: p.field(node.v_reset),
        }),
        gain: p.gain(Array.from(r)),
      };
    case 'LI':
      return {
        kind: 'liBox',
        params: liBoxParams({ tauMemInv: p.field(node.tau, 0, inv), vLeak: p.field(node.v_leak) }),
        gain: p.gain(Array.from(r)),
      };
    case 'CubaLIF':
    case 'CubaLI': {
      // I += a_s·(w_in·x - I) with the updated I driving v equals Norse's jump current i + g·x with
      // g = r·a_s·w_in (and i scaled by r): one LIFCell/LICell step with an input gain.
      const wIn = p.values(node.w_in, 1);
      const tauSyn = p.values(node.tau_syn);
      const gain = euler
        ? times(r, wIn).map((g, k) => (g * dt) / tauSyn[tauSyn.length === 1 ? 0 : k]!)
        : times(r, wIn);
      const base = {
        tauSynInv: p.field(node.tau_syn, 0, inv),
        tauMemInv: p.field(node.tau_mem, 0, inv),
        vLeak: p.field(node.v_leak),
      };
      if (node.type === 'CubaLI') return { kind: 'li', params: liParams(base), gain: p.gain(gain) };
      return {
        kind: 'lif',
        params: lifParams({ ...base, vTh: p.field(node.v_threshold), vReset: p.field(node.v_reset) }),
        gain: p.gain(gain),
      };
    }
    case 'IF': {
      const scale = convention === 'nir' ? dt : 1;
      const vReset = p.field(node.v_reset);
      return {
        kind: 'iaf',
        params: iafParams({ vTh: p.field(node.v_threshold), vReset }),
        gain: p.gain(Array.from(r, (v) => v * scale)),
        initialV: convention === 'snntorch' ? 0 : vReset,
      };
    }
    case 'I': {
      const scale = convention === 'nir' ? dt : 1;
      return { kind: 'integrator', gain: p.gain(Array.from(r, (v) => v * scale)) };
    }
  }
}
