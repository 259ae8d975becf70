import type { Param } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { arraysEqual, float32, int64, int64Scalar, nirArray, sizeOf } from './arrays.js';
import {
  type ExportConvention,
  filled32,
  GraphBuilder,
  ifNode,
  type NeuronValues,
  neuronNode,
  paramValues,
} from './emit.js';
import { convLength } from './graph.js';
import { NIRModel } from './model.js';
import { exportNetwork, type ModelLike, type NetworkLike } from './networks.js';
import type { NIRArray, NIRGraph, NIRMetadata, NIRNode } from './types.js';

/** Options of {@link toNIR}. */
export interface ToNIROptions {
  /**
   * How to write time constants, `r` and `w_in` (see `NIRConvention`), stored in the graph's
   * metadata. `'nir'` (default): NIR's equations at the model's `dt` (`w_in = tau_syn/dt`, which is
   * also how Norse's `from_nir` reproduces a `LIFCell`); `'norse'`: as Norse's `to_nir` writes it
   * (`r = w_in = 1`); `'snntorch'`: as snnTorch's `export_to_nir` (dt 1e-4, `r = tau/dt`).
   * Ignored for a {@link NIRModel}, which keeps its file's fields.
   */
  readonly convention?: ExportConvention;
  /** The Input's sample shape, when the model cannot tell (e.g. a Sequential starting with a convolution). */
  readonly inputShape?: readonly number[];
  /** Include a constant-current encoder as the graph's first LIF node (default `true`). */
  readonly encoder?: boolean;
  /**
   * `'norse'`: write only node types Norse's `from_nir` maps, so Norse imports the file: an `LICell`
   * readout (NIR's CubaLI, which Norse lacks) becomes two LI nodes with its input gain folded into
   * the weights before it (the same dynamics). Needs convention `'nir'`.
   */
  readonly importable?: 'norse';
  /** Extra metadata for the graph. */
  readonly metadata?: NIRMetadata;
}

/** Anything `toNIR` exports. */
export type Exportable = NIRModel | ModelLike | NetworkLike | ComponentLike | readonly ComponentLike[];

/** A layer or cell of `@snn/neurons`, as far as `toNIR` reads it. */
export interface ComponentLike {
  readonly name: string;
  readonly kind?: 'layer' | 'cell';
  readonly layers?: readonly unknown[];
}

interface CellLike extends ComponentLike {
  readonly params: Record<string, unknown>;
  readonly dt?: number;
}

const f32Of = async (v: tf.Tensor) => Float32Array.from(await v.data());

/** Reads an @snn cell's parameters as per-neuron arrays. */
async function values(
  c: CellLike,
  shape: readonly number[],
  keys: (keyof NeuronValues)[],
): Promise<NeuronValues> {
  const out: Record<string, Float32Array> = {};
  for (const k of keys) out[k] = await paramValues(c.params[k] as Param, shape);
  return out as unknown as NeuronValues;
}

/** Exports one component into the builder. */
export async function emitComponent(b: GraphBuilder, c: unknown, name: string): Promise<void> {
  if (typeof c === 'function') {
    throw new TypeError(
      `toNIR: item "${name}" is a plain function, which NIR cannot express; build the model from @snn layers and cells.`,
    );
  }
  const comp = c as ComponentLike & Record<string, unknown>;
  const cell = comp as unknown as CellLike;
  const checkDt = () => {
    if (cell.dt !== undefined && Math.abs(cell.dt - b.dt) > 1e-12)
      throw new Error(
        `toNIR: ${name} (${comp.name}) runs at dt ${cell.dt}, the model at ${b.dt}; NIR holds one time step.`,
      );
  };
  const shape = b.shape;
  switch (comp.name) {
    case 'Sequential':
      for (const [k, l] of (comp.layers ?? []).entries()) await emitComponent(b, l, `${name}.${k}`);
      return;
    case 'Linear': {
      const w = comp.weight as tf.Variable;
      const bias = comp.bias as tf.Variable | undefined;
      const weight = float32(await f32Of(w), w.shape);
      const out = [...shape.slice(0, -1), w.shape[0]!];
      b.add(
        name,
        bias
          ? { type: 'Affine', weight, bias: float32(await f32Of(bias), bias.shape) }
          : { type: 'Linear', weight },
        out,
      );
      return;
    }
    case 'Conv2d': {
      const w = comp.weight as tf.Variable; // [k, k, in, out]
      const [k, , cin, cout] = w.shape as [number, number, number, number];
      if (shape.length !== 3 || shape[0] !== cin)
        throw new Error(
          `toNIR: ${name} (Conv2d ${cin} → ${cout}) gets [${shape.join(', ')}]; pass inputShape [C, H, W].`,
        );
      const t = tf.transpose(w, [3, 2, 0, 1]);
      const weight = float32(await f32Of(t), [cout, cin, k, k]);
      t.dispose();
      const bias = comp.bias as tf.Variable | undefined;
      const stride = comp.stride as number;
      const padding = comp.padding as number | 'same';
      const p = padding === 'same' ? Math.floor(k / 2) : padding;
      const node: NIRNode = {
        type: 'Conv2d',
        input_shape: int64([shape[1]!, shape[2]!]),
        weight,
        stride: int64([stride, stride]),
        padding: padding === 'same' ? 'same' : int64([p, p]),
        dilation: int64([1, 1]),
        groups: int64Scalar(1),
        bias: bias ? float32(await f32Of(bias), [cout]) : filled32([cout], 0),
      };
      b.add(name, node, [cout, convLength(shape[1]!, k, stride, p), convLength(shape[2]!, k, stride, p)]);
      return;
    }
    case 'MaxPool2d':
    case 'AvgPool2d':
    case 'SumPool2d': {
      const k = comp.kernelSize as number;
      const s = comp.stride as number;
      if (shape.length !== 3)
        throw new Error(`toNIR: ${name} (${comp.name}) needs [C, H, W], got [${shape}].`);
      const out = [shape[0]!, convLength(shape[1]!, k, s, 0), convLength(shape[2]!, k, s, 0)];
      const pool = {
        kernel_size: int64([k, k], 'array'),
        stride: int64([s, s], 'array'),
        padding: int64([0, 0], 'array'),
      };
      if (comp.name !== 'MaxPool2d') {
        b.add(name, { type: comp.name as 'AvgPool2d' | 'SumPool2d', ...pool }, out);
        return;
      }
      // NIR has no max pooling; on spikes (0/1) the maximum of a window is H(sum - 0.5).
      if (!b.spiking)
        throw new Error(
          `toNIR: ${name} (MaxPool2d) follows a non-spiking node; NIR can express max-pooling of spikes only.`,
        );
      b.add(
        name,
        {
          type: 'SumPool2d',
          ...pool,
          metadata: { snn_layer: 'MaxPool2d of spikes: SumPool2d → Threshold(0.5)' },
        },
        out,
      );
      b.add(`${name}.threshold`, { type: 'Threshold', threshold: filled32(out, 0.5) }, out, true);
      return;
    }
    case 'Flatten': {
      const start = (comp.startDim as number) - 1;
      if (start < 0)
        throw new Error(`toNIR: ${name} (Flatten from dim ${comp.startDim}) would flatten the batch.`);
      const out = [...shape.slice(0, start), sizeOf(shape.slice(start))];
      b.add(
        name,
        {
          type: 'Flatten',
          start_dim: int64Scalar(start),
          end_dim: int64Scalar(-1),
          input_type: int64(shape, 'array'),
        },
        out,
        b.spiking,
      );
      return;
    }
    case 'Dropout':
      return; // the identity at inference
    case 'LIFCell':
    case 'LIFBoxCell':
    case 'LICell':
    case 'LIBoxCell': {
      checkDt();
      const p = cell.params;
      if (comp.name === 'LIFBoxCell' && p.resetMethod === 'subtract')
        throw new Error(
          `toNIR: ${name} resets by subtraction, which NIR's LIF cannot express (it resets to v_reset).`,
        );
      const kind = ({ LIFCell: 'CubaLIF', LICell: 'CubaLI', LIFBoxCell: 'LIF', LIBoxCell: 'LI' } as const)[
        comp.name
      ];
      const keys: (keyof NeuronValues)[] = ['tauMemInv', 'vLeak'];
      if (kind === 'CubaLIF' || kind === 'CubaLI') keys.push('tauSynInv');
      if (kind === 'CubaLIF' || kind === 'LIF') keys.push('vTh', 'vReset');
      const v = await values(cell, shape, keys);
      b.add(
        name,
        neuronNode(kind, v, shape, b.convention, b.dt),
        shape,
        kind === 'CubaLIF' || kind === 'LIF',
      );
      return;
    }
    case 'IAFCell': {
      const v = await values(cell, shape, ['vTh', 'vReset']);
      b.add(name, ifNode(v.vTh!, v.vReset!, shape, b.convention, b.dt), shape, true);
      return;
    }
    case 'LIFRecurrentCell':
    case 'IAFRecurrentCell': {
      checkDt();
      const wIn = comp.inputWeights as tf.Variable;
      const wRec = (comp.effectiveRecurrentWeights as () => tf.Tensor).call(comp);
      const hidden = [wIn.shape[0]!];
      b.add(`${name}.input`, { type: 'Linear', weight: float32(await f32Of(wIn), wIn.shape) }, hidden);
      let neuron: NIRNode;
      if (comp.name === 'LIFRecurrentCell') {
        const v = await values(cell, hidden, ['tauSynInv', 'tauMemInv', 'vLeak', 'vTh', 'vReset']);
        neuron = neuronNode('CubaLIF', v, hidden, b.convention, b.dt);
      } else {
        const v = await values(cell, hidden, ['vTh', 'vReset']);
        neuron = ifNode(v.vTh!, v.vReset!, hidden, b.convention, b.dt);
      }
      const lif = b.add(name, neuron, hidden, true);
      const rec = float32(await f32Of(wRec), wRec.shape);
      if (wRec !== comp.recurrentWeights) wRec.dispose();
      b.addSide(`${name}.recurrent`, { type: 'Linear', weight: rec }, lif, lif);
      return;
    }
    case 'LILinearCell':
    case 'LIBoxLinearCell': {
      checkDt();
      const w = comp.weights as tf.Variable;
      const out = [w.shape[0]!];
      b.add(`${name}.input`, { type: 'Linear', weight: float32(await f32Of(w), w.shape) }, out);
      const kind = comp.name === 'LILinearCell' ? 'CubaLI' : 'LI';
      const keys: (keyof NeuronValues)[] =
        kind === 'CubaLI' ? ['tauSynInv', 'tauMemInv', 'vLeak'] : ['tauMemInv', 'vLeak'];
      b.addNeuron(name, kind, await values(cell, out, keys), false);
      return;
    }
    default:
      throw new TypeError(
        `toNIR: ${name} is a ${String(comp.name)}, which has no NIR equivalent (NIR has Linear/Affine, Conv2d, pooling, Flatten, LIF/LI/IF and their current-based forms).`,
      );
  }
}

/** The weights of an imported model written back into its graph (unchanged arrays kept as read). */
async function exportModel(model: NIRModel): Promise<NIRGraph> {
  const replaced = new Map<string, Record<string, NIRArray>>();
  for (const e of model.compiled()) {
    if (!e.readWeights) continue;
    const fresh = await e.readWeights();
    const src = e.source as unknown as Record<string, NIRArray>;
    const fields: Record<string, NIRArray> = {};
    for (const [k, data] of Object.entries(fresh)) {
      const old = src[k]!;
      const same = arraysEqual(
        float32(data, old.shape),
        float32(Float32Array.from(old.data as ArrayLike<number>, Number), old.shape),
      );
      if (!same)
        fields[k] = nirArray(
          data,
          old.shape,
          old.dtype === 'float64' ? 'float64' : 'float32',
          old.storage ?? 'array',
        );
    }
    if (Object.keys(fields).length > 0)
      replaced.set((model.paths.get(e.info.name) ?? [e.info.name]).join('\u0000'), fields);
  }
  const rebuild = (g: NIRGraph, path: string[]): NIRGraph => ({
    ...g,
    nodes: Object.fromEntries(
      Object.entries(g.nodes).map(([k, n]) => {
        if (n.type === 'NIRGraph') return [k, rebuild(n, [...path, k])];
        const fields = replaced.get([...path, k].join('\u0000'));
        return [k, fields ? ({ ...n, ...fields } as NIRNode) : n];
      }),
    ),
  });
  return rebuild(model.graph, []);
}

/**
 * Exports a model as a NIR graph: an imported {@link NIRModel} (its graph with the current weights),
 * a `@snn/train` model or network (`recurrentSNN`, `convSNN`: read through `config` and
 * `namedVariables()`, with a constant-current encoder as a first LIF node), a `Sequential`, or
 * layers and cells of `@snn/neurons` (Linear → Affine/Linear, Conv2d, pooling, Flatten, `LIFCell` →
 * CubaLIF, `LICell` → CubaLI, `LIFBoxCell` → LIF, `LIBoxCell` → LI, `IAFCell` → IF, recurrent cells
 * → a cycle through their recurrent weights). The convention and `dt` go into the graph's metadata.
 * Reads weights with `await data()`, so it works on every backend.
 *
 * @example
 * ```ts
 * const graph = await toNIR(sequential(new Linear(784, 100), new LIFCell(), new Linear(100, 10), new LIBoxCell()));
 * const bytes = await writeNIR(graph);
 * ```
 */
export async function toNIR(model: Exportable, options: ToNIROptions = {}): Promise<NIRGraph> {
  if (model instanceof NIRModel) return exportModel(model);
  const convention = options.convention ?? 'nir';
  if (!['nir', 'norse', 'snntorch'].includes(convention))
    throw new TypeError(
      `toNIR: convention must be 'nir', 'norse' or 'snntorch', got ${JSON.stringify(convention)}.`,
    );
  const m = model as Partial<ModelLike & NetworkLike>;
  if (m.network !== undefined || (m.config !== undefined && typeof m.namedVariables === 'function')) {
    return exportNetwork(model as ModelLike | NetworkLike, { ...options, convention });
  }
  const items: readonly unknown[] = Array.isArray(model) ? model : [model];
  const first = items[0] as Record<string, unknown> | undefined;
  const flatFirst =
    first?.name === 'Sequential' ? ((first.layers as unknown[])[0] as Record<string, unknown>) : first;
  const inferred =
    flatFirst?.name === 'Linear'
      ? [flatFirst.inFeatures as number]
      : flatFirst?.name === 'LIFRecurrentCell' ||
          flatFirst?.name === 'IAFRecurrentCell' ||
          String(flatFirst?.name).endsWith('LinearCell')
        ? [(flatFirst?.inputSize ?? (flatFirst?.weights as tf.Variable | undefined)?.shape[1]) as number]
        : undefined;
  const inputShape = options.inputShape ?? inferred;
  if (!inputShape)
    throw new Error('toNIR: pass { inputShape } (the shape of one sample, without batch), e.g. [1, 28, 28].');
  const dt = findDt(items) ?? 1e-3;
  const b = new GraphBuilder(convention, dt, inputShape, options.importable);
  // One Sequential: its layers are the graph's nodes, named by position as in Norse ("0", "1", ...).
  const top = items.length === 1 && first?.name === 'Sequential' ? (first.layers as unknown[]) : items;
  for (const [k, item] of top.entries()) await emitComponent(b, item, String(k));
  return b.finish(graphMetadata(convention, dt, options.metadata));
}

function findDt(items: readonly unknown[]): number | undefined {
  for (const it of items) {
    const c = it as { dt?: unknown; name?: unknown; layers?: unknown[] };
    if (c?.name === 'Sequential') {
      const d = findDt(c.layers ?? []);
      if (d !== undefined) return d;
    } else if (typeof c?.dt === 'number' && c.name !== 'IAFCell') return c.dt;
  }
  return undefined;
}

/** The metadata `toNIR` stores: the convention, `dt`, the writer. */
export function graphMetadata(convention: ExportConvention, dt: number, extra?: NIRMetadata): NIRMetadata {
  const writtenDt = convention === 'snntorch' ? 1e-4 : dt;
  return {
    convention,
    dt: nirArray([writtenDt], [], 'float64', 'plain'),
    generator: '@snn/nir',
    ...(extra ?? {}),
  };
}
