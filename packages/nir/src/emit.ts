import type { Param } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { float32, int64, nirArray, sizeOf } from './arrays.js';
import type { NIRArray, NIREdge, NIRMetadata, NIRNode } from './types.js';

/** The conventions `toNIR` can write (see `NIRConvention`). */
export type ExportConvention = 'nir' | 'norse' | 'snntorch';

/** snnTorch's hard-coded time step (`export_to_nir`, `import_from_nir`). */
export const SNNTORCH_DT = 1e-4;

/** A parameter's values for every neuron of `shape` (numbers broadcast, tensors read). */
export async function paramValues(p: Param, shape: readonly number[]): Promise<Float32Array> {
  const n = sizeOf(shape);
  if (typeof p === 'number') return new Float32Array(n).fill(p);
  const t = tf.tidy(() => tf.broadcastTo(p, shape.slice()));
  const v = Float32Array.from(await t.data());
  t.dispose();
  return v;
}

/** Builds a graph stage by stage: each new node takes the previous one's output. */
export class GraphBuilder {
  readonly nodes: Record<string, NIRNode> = {};
  readonly edges: NIREdge[] = [];
  /** The node whose output the next one takes. */
  prev: string;
  /** The sample shape the previous node outputs. */
  shape: number[];
  /** Whether the previous node outputs spikes. */
  spiking = false;

  constructor(
    readonly convention: ExportConvention,
    readonly dt: number,
    inputShape: readonly number[],
    /** `'norse'`: only node types Norse's `from_nir` maps (see `ToNIROptions.importable`). */
    readonly importable?: 'norse',
  ) {
    if (importable === 'norse' && convention !== 'nir')
      throw new Error(
        "toNIR: importable 'norse' needs convention 'nir' (Norse's importer reads LI and LIF that way).",
      );
    this.shape = inputShape.slice();
    this.prev = 'input';
    this.nodes.input = { type: 'Input', shape: int64(inputShape, 'array') };
  }

  private fresh(name: string): string {
    let n = name;
    for (let k = 1; n in this.nodes || n === 'output'; k++) n = `${name}_${k}`;
    return n;
  }

  /** Adds a node after the previous one; returns its name. */
  add(name: string, node: NIRNode, shape: readonly number[], spiking = false): string {
    const n = this.fresh(name);
    this.nodes[n] = node;
    this.edges.push([this.prev, n]);
    this.prev = n;
    this.shape = shape.slice();
    this.spiking = spiking;
    return n;
  }

  /**
   * Adds a neuron population. A current-based leaky integrator (`LICell`) becomes a CubaLI node,
   * or, for Norse's importer (which has no CubaLI), two LI nodes with the input gain
   * `w_in = tau_syn/dt` folded into the weights before them: the same recurrence under 'nir'.
   */
  addNeuron(
    name: string,
    kind: 'CubaLIF' | 'CubaLI' | 'LIF' | 'LI',
    v: NeuronValues,
    spiking: boolean,
  ): string {
    const shape = this.shape;
    if (kind !== 'CubaLI' || this.importable !== 'norse')
      return this.add(name, neuronNode(kind, v, shape, this.convention, this.dt), shape, spiking);
    const before = this.nodes[this.prev];
    if (before?.type !== 'Linear' && before?.type !== 'Affine')
      throw new Error(
        `toNIR: ${name} (LICell) for Norse's importer must follow a Linear layer, whose weights take its input gain.`,
      );
    const gain = Float32Array.from(v.tauSynInv!, (x) => 1 / (this.dt * x));
    const rows = before.weight.shape[0]!;
    const cols = before.weight.shape[1]!;
    const w = Float32Array.from(
      before.weight.data as Float32Array,
      (x, k) => x * gain[Math.floor(k / cols) % rows]!,
    );
    this.nodes[this.prev] =
      before.type === 'Affine'
        ? {
            ...before,
            weight: float32(w, before.weight.shape),
            bias: float32(
              Float32Array.from(before.bias.data as Float32Array, (x, k) => x * gain[k]!),
              before.bias.shape,
            ),
          }
        : { ...before, weight: float32(w, before.weight.shape) };
    const zeros = new Float32Array(sizeOf(shape));
    this.add(
      `${name}.synapse`,
      neuronNode('LI', { tauMemInv: v.tauSynInv!, vLeak: zeros }, shape, this.convention, this.dt),
      shape,
    );
    return this.add(
      name,
      neuronNode('LI', { tauMemInv: v.tauMemInv, vLeak: v.vLeak }, shape, this.convention, this.dt),
      shape,
    );
  }

  /** Adds a node fed by `from` (not chained): for the recurrent weights of a cycle. */
  addSide(name: string, node: NIRNode, from: string, to: string): string {
    const n = this.fresh(name);
    this.nodes[n] = node;
    this.edges.push([from, n], [n, to]);
    return n;
  }

  /** Closes the graph with its Output node. */
  finish(metadata: NIRMetadata): {
    type: 'NIRGraph';
    nodes: Record<string, NIRNode>;
    edges: NIREdge[];
    metadata: NIRMetadata;
  } {
    const before = this.nodes[this.prev]!;
    // NIR's Linear reports its output type as a Python tuple (stored plain), every other node as an array.
    this.nodes.output = {
      type: 'Output',
      shape: int64(this.shape, before.type === 'Linear' ? 'plain' : 'array'),
    };
    this.edges.push([this.prev, 'output']);
    return { type: 'NIRGraph', nodes: this.nodes, edges: this.edges, metadata };
  }
}

const f32 = Math.fround;
const inv32 = (x: number) => f32(1 / f32(x));

/** The values of one neuron population in @snn's terms (inverse time constants per second). */
export interface NeuronValues {
  readonly tauSynInv?: Float32Array;
  readonly tauMemInv: Float32Array;
  readonly vLeak: Float32Array;
  readonly vTh?: Float32Array;
  readonly vReset?: Float32Array;
}

const map = (a: Float32Array, fn: (v: number, k: number) => number) => Float32Array.from(a, fn);

/**
 * NIR fields for a Norse neuron (`LIFCell` → CubaLIF, `LICell` → CubaLI, `LIFBoxCell` → LIF,
 * `LIBoxCell` → LI) under a convention, so that `fromNIR` with the same convention runs the same
 * dynamics: `'norse'` as Norse's `to_nir` writes (`r = w_in = 1`); `'nir'` with `w_in = tau_syn/dt`
 * (the NIR equations at `dt` are then Norse's current jump); `'snntorch'` at snnTorch's dt 1e-4
 * with its `r = tau/dt`, `w_in = tau_syn/dt` and the membrane (and threshold) scaled to match.
 */
export function neuronNode(
  kind: 'CubaLIF' | 'CubaLI' | 'LIF' | 'LI',
  v: NeuronValues,
  shape: readonly number[],
  convention: ExportConvention,
  dt: number,
): NIRNode {
  const arr = (a: Float32Array) => float32(a, shape);
  const spiking = kind === 'CubaLIF' || kind === 'LIF';
  // a = dt/tau of each neuron; snnTorch's file runs at dt_s with tau_f = dt_s/a.
  const a = (tauInv: Float32Array) => map(tauInv, (x) => dt * x);
  let tauMem: Float32Array;
  let tauSyn: Float32Array | undefined;
  let r: Float32Array;
  let wIn: Float32Array | undefined;
  let scale: Float32Array; // membrane units of the file per unit of ours
  if (convention === 'snntorch') {
    const am = a(v.tauMemInv);
    tauMem = map(am, (x) => SNNTORCH_DT / x);
    tauSyn = v.tauSynInv && map(a(v.tauSynInv), (x) => SNNTORCH_DT / x);
    // snnTorch writes r = tau/dt (so that β·v + x): spiking neurons keep that and scale v by 1/a.
    scale = spiking ? map(am, (x) => 1 / x) : map(am, () => 1);
    r = spiking ? map(tauMem, (t) => t / SNNTORCH_DT) : map(am, () => 1);
    wIn = tauSyn && map(tauSyn, (t) => t / SNNTORCH_DT);
  } else {
    tauMem = map(v.tauMemInv, (x) => inv32(x));
    tauSyn = v.tauSynInv && map(v.tauSynInv, (x) => inv32(x));
    scale = map(v.tauMemInv, () => 1);
    r = map(v.tauMemInv, () => 1);
    wIn = tauSyn && (convention === 'norse' ? map(tauSyn, () => 1) : map(tauSyn, (t) => t / dt));
  }
  const scaled = (x: Float32Array | undefined) =>
    arr(map(x ?? new Float32Array(sizeOf(shape)), (y, k) => y * scale[k]!));
  const common = { r: arr(r), v_leak: scaled(v.vLeak) };
  switch (kind) {
    case 'LI':
      return { type: 'LI', tau: arr(tauMem), ...common };
    case 'LIF':
      return {
        type: 'LIF',
        tau: arr(tauMem),
        ...common,
        v_threshold: scaled(v.vTh),
        v_reset: scaled(v.vReset),
      };
    case 'CubaLI':
      return { type: 'CubaLI', tau_syn: arr(tauSyn!), tau_mem: arr(tauMem), ...common, w_in: arr(wIn!) };
    case 'CubaLIF':
      return {
        type: 'CubaLIF',
        tau_syn: arr(tauSyn!),
        tau_mem: arr(tauMem),
        ...common,
        v_threshold: scaled(v.vTh),
        v_reset: scaled(v.vReset),
        w_in: arr(wIn!),
      };
  }
}

/** NIR fields for Norse's integrate-and-fire neuron (`IAFCell` → IF, `v += x`). */
export function ifNode(
  vTh: Float32Array,
  vReset: Float32Array,
  shape: readonly number[],
  convention: ExportConvention,
  dt: number,
): NIRNode {
  // 'nir' integrates dv/dt = r·I, so one step adds dt·r·x: r = 1/dt gives Norse's v += x.
  const r = new Float32Array(sizeOf(shape)).fill(convention === 'nir' ? 1 / dt : 1);
  return {
    type: 'IF',
    r: float32(r, shape),
    v_threshold: float32(vTh, shape),
    v_reset: float32(vReset, shape),
  };
}

/** A NIR float32 array of `shape` filled with `value`. */
export function filled32(shape: readonly number[], value: number): NIRArray {
  return nirArray(new Array<number>(sizeOf(shape)).fill(value), shape, 'float32');
}
