import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensor } from '@tensorflow/tfjs-core/dist/tensor_types';
import type { Model } from './model.js';

/** The tfjs weights manifest entry of one tensor. */
export type WeightSpec = tf.io.WeightsManifestEntry;

/** A corrupt checkpoint, or one of another architecture; the message says which and why. */
export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

/** Identifies the architecture a checkpoint belongs to. */
export function architectureOf(m: Model): Record<string, unknown> {
  return {
    network: m.network.config,
    encoder: { name: m.encoder.name, seqLength: m.encoder.seqLength ?? null },
  };
}

/**
 * The model's weights as tfjs `ModelArtifacts` (standard weight specs + one binary buffer), with the
 * architecture in `modelTopology.snn`. Save them with any tfjs IO handler (`indexeddb://`,
 * `downloads://`, or `fileSystem(dir)` from `@snn/train/node`).
 */
export async function modelArtifacts(m: Model): Promise<tf.io.ModelArtifacts> {
  const { data, specs } = await tf.io.encodeWeights(
    m.network.namedVariables() as unknown as tf.NamedTensorMap,
  );
  return {
    format: 'snn-weights',
    generatedBy: '@snn/train',
    convertedBy: null,
    modelTopology: { snn: { version: 1, ...architectureOf(m) } },
    weightSpecs: specs,
    weightData: data,
  };
}

function concatWeightData(data: tf.io.WeightData | undefined): ArrayBuffer {
  if (data === undefined) throw new CheckpointError('the checkpoint has no weight data');
  if (!Array.isArray(data)) return data as ArrayBuffer;
  const total = data.reduce((a, b) => a + b.byteLength, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const b of data) {
    out.set(new Uint8Array(b), off);
    off += b.byteLength;
  }
  return out.buffer;
}

/**
 * Loads weights saved by {@link modelArtifacts} into a model of the same architecture.
 * @throws CheckpointError naming what differs (architecture, a missing weight, a shape) or what is corrupt.
 */
export function loadModelArtifacts(m: Model, artifacts: tf.io.ModelArtifacts): void {
  const topo = (artifacts.modelTopology as { snn?: Record<string, unknown> } | undefined)?.snn;
  if (!topo)
    throw new CheckpointError(
      'not an @snn checkpoint: model.json has no modelTopology.snn (was it saved by @snn/train?)',
    );
  // The seed only chose the initial weights: any seed's weights fit the same architecture.
  const shape = (n: unknown) => JSON.stringify({ ...(n as Record<string, unknown>), seed: undefined });
  const expected = shape(architectureOf(m).network);
  const found = shape(topo.network);
  if (expected !== found) {
    throw new CheckpointError(`wrong architecture: the checkpoint holds ${found}, the model is ${expected}`);
  }
  const specs = artifacts.weightSpecs ?? [];
  const buffer = concatWeightData(artifacts.weightData);
  const needed = specs.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1) * 4, 0);
  if (buffer.byteLength !== needed) {
    throw new CheckpointError(
      `corrupt weights: ${buffer.byteLength} bytes of weight data, the manifest needs ${needed}`,
    );
  }
  const decoded = tf.io.decodeWeights(buffer, specs);
  try {
    const named = m.network.namedVariables();
    for (const [name, v] of Object.entries(named)) {
      const t = decoded[name];
      if (!t) throw new CheckpointError(`wrong architecture: the checkpoint has no weight "${name}"`);
      if (t.shape.join() !== v.shape.join()) {
        throw new CheckpointError(
          `wrong architecture: weight "${name}" is [${t.shape}] in the checkpoint, [${v.shape}] in the model`,
        );
      }
      const values = t.dataSync();
      for (const x of values) {
        if (!Number.isFinite(x)) throw new CheckpointError(`corrupt weights: "${name}" holds ${x}`);
      }
    }
    for (const [name, v] of Object.entries(named)) v.assign(decoded[name]!);
  } finally {
    tf.dispose(Object.values(decoded));
  }
}

/** The optimizer's state with variable names replaced by the model's stable names. */
export async function optimizerArtifacts(
  optimizer: tf.Optimizer,
  m: Model,
): Promise<{ specs: WeightSpec[]; data: ArrayBuffer }> {
  const rename = new Map(Object.entries(m.network.namedVariables()).map(([k, v]) => [v.name, k]));
  const weights = await optimizer.getWeights();
  const named: NamedTensor[] = weights.map(({ name, tensor }) => {
    const [head, ...rest] = name.split('/');
    const stable = rename.get(head!);
    return { name: stable === undefined ? name : [stable, ...rest].join('/'), tensor };
  });
  const { data, specs } = await tf.io.encodeWeights(named);
  return { specs, data: concatWeightData(data) };
}

/** Restores an optimizer's state saved by {@link optimizerArtifacts} for this model. */
export async function loadOptimizerArtifacts(
  optimizer: tf.Optimizer,
  m: Model,
  specs: WeightSpec[],
  data: ArrayBuffer,
): Promise<void> {
  const back = new Map(Object.entries(m.network.namedVariables()).map(([k, v]) => [k, v.name]));
  const decoded = tf.io.decodeWeights(data, specs);
  const list: NamedTensor[] = specs.map((s) => {
    const [head, ...rest] = s.name.split('/');
    const live = back.get(head!);
    return { name: live === undefined ? s.name : [live, ...rest].join('/'), tensor: decoded[s.name]! };
  });
  await optimizer.setWeights(list);
}
