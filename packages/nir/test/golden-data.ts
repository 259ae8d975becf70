/**
 * Golden NIR files (`$SNN_GOLDEN_DIR/nir`): the `.nir` files Norse (and others) wrote, with the
 * inputs and outputs recorded from the original models and from Norse's importer.
 */
import * as tf from '@tensorflow/tfjs-core';

/** A recorded layer: nested numbers, or (for large layers) the indices of its ones. */
export type Recorded = number | readonly Recorded[] | { readonly [k: string]: unknown };

/** Norse-written golden files (schema norse-nir-golden/1), and the foreign ones. */
export const NORSE_FILES = [
  'lif_linear',
  'lif_box',
  'lif_box_vreset',
  'if_linear',
  'if_vreset',
  'conv',
] as const;
export const FOREIGN_FILES = [
  'spyx_lif_norse',
  'snntorch_braille_noDelay_bias_zero',
  'spyx_scnn_mnist',
] as const;

export interface NorseGolden {
  readonly name: string;
  readonly dt: number;
  readonly T: number;
  readonly B: number;
  readonly input: { readonly x: Recorded; readonly shape?: readonly number[] };
  readonly original: {
    readonly outputs: Recorded;
    readonly output_shape: readonly number[];
    readonly hidden: Readonly<Record<string, Recorded>>;
  };
  readonly imported: {
    readonly outputs: Recorded | null;
    readonly output_shape?: readonly number[];
    readonly hidden?: Readonly<Record<string, Recorded>>;
    readonly error?: string | null;
  };
  readonly model: { readonly modules: Readonly<Record<string, { cls: string } & Record<string, unknown>>> };
  readonly nir_nodes: Readonly<Record<string, Record<string, unknown>>>;
  readonly nir_edges: readonly (readonly [string, string])[];
}

export interface ForeignGolden {
  readonly file: string;
  readonly nir_nodes: Readonly<Record<string, Record<string, unknown>>>;
  readonly nir_edges: readonly (readonly [string, string])[];
  readonly import: { readonly error: string | null; readonly kwargs?: { readonly dt?: number } };
  readonly run?: {
    readonly input: {
      readonly x?: Recorded;
      readonly shape: readonly number[];
      readonly format?: string;
    } & Record<string, unknown>;
    readonly mode: string;
    readonly output_shape: readonly number[];
    readonly outputs: Recorded;
    readonly hidden?: Readonly<Record<string, Recorded>>;
    readonly hidden_spike_counts?: Readonly<Record<string, number>>;
  };
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * A recorded array as a float32 tensor of `shape`: nested numbers as they are, or an object
 * holding the flat indices of its ones. `undefined` when the record is only a summary.
 */
export function recordedTensor(r: Recorded, shape: readonly number[]): tf.Tensor | undefined {
  if (Array.isArray(r) || typeof r === 'number') return tf.tensor(r as number[], shape.slice(), 'float32');
  const o = r as Record<string, unknown>;
  const idx = (o.flat_indices_of_ones ?? o.indices_of_ones ?? o.indices) as Recorded | undefined;
  if (Array.isArray(idx)) {
    const s = (Array.isArray(o.shape) ? (o.shape as number[]) : shape).slice();
    const data = new Float32Array(size(s));
    // Flat indices into the whole array, or nested per step (and per sample) of the leading axes.
    const visit = (node: Recorded, depth: number, offset: number) => {
      if (typeof node === 'number') data[offset + node] = 1;
      else if (Array.isArray(node)) {
        const nested = node.some((n) => Array.isArray(n));
        const stride = size(s.slice(depth + 2));
        node.forEach((n, k) => {
          visit(n as Recorded, depth + 1, nested ? offset + k * stride : offset);
        });
      }
    };
    visit(idx, -1, 0);
    return tf.tensor(data, s, 'float32');
  }
  if (Array.isArray(o.value)) return tf.tensor(o.value as number[], shape.slice(), 'float32');
  return undefined;
}

/** The shape of nested arrays. */
export function nestedShape(r: Recorded): number[] {
  const s: number[] = [];
  let x: unknown = r;
  while (Array.isArray(x)) {
    s.push(x.length);
    x = x[0];
  }
  return s;
}
