import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensor } from '@tensorflow/tfjs-core/dist/tensor_types';
import type { Model } from './model.js';

/** The tfjs weights manifest entry of one tensor. */
export type WeightSpec = tf.io.WeightsManifestEntry;

/**
 * A corrupt, unsafe or unreadable checkpoint, model or run file, or one of another architecture;
 * the message names the file and says what is wrong.
 */
export class CheckpointError extends Error {
  /** The file at fault, when one is (relative to the folder it was read from). */
  readonly file: string | undefined;
  /** Other checkpoints of the same run that are intact (newest first), when the one asked for is not. */
  readonly intact: readonly string[];
  constructor(message: string, details: { file?: string; intact?: readonly string[] } = {}) {
    super(message);
    this.name = 'CheckpointError';
    this.file = details.file;
    this.intact = details.intact ?? [];
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

/** Concatenates tfjs weight data (one buffer or several) into one buffer. */
export function concatWeightData(data: tf.io.WeightData | undefined): ArrayBuffer {
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

/** The most bytes of weights a checkpoint may declare (4 GiB: more than any tfjs backend holds). */
export const MAX_WEIGHT_BYTES = 2 ** 32;

const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * Checks weight specs read from a file: each a `name`, a `shape` of whole numbers and a float32 or
 * int32 `dtype` (no quantization), with distinct names; returns the bytes they need.
 * @throws CheckpointError naming `file`, the entry and the field.
 */
export function checkWeightSpecs(specs: unknown, file: string): number {
  if (!Array.isArray(specs)) throw new CheckpointError(`${file}: the weight specs are not a list`);
  let bytes = 0;
  const names = new Set<string>();
  specs.forEach((spec: unknown, k) => {
    const where = `${file}: weight ${k}`;
    if (!isRecord(spec)) throw new CheckpointError(`${where} is not an object`);
    if (typeof spec.name !== 'string' || spec.name === '')
      throw new CheckpointError(`${where}: "name" must be a non-empty string`);
    if (names.has(spec.name)) throw new CheckpointError(`${where}: the name "${spec.name}" appears twice`);
    names.add(spec.name);
    if (spec.dtype !== 'float32' && spec.dtype !== 'int32')
      throw new CheckpointError(`${where} ("${spec.name}"): "dtype" must be float32 or int32`);
    if ('quantization' in spec || 'group' in spec)
      throw new CheckpointError(
        `${where} ("${spec.name}"): quantized or grouped weights are not @snn weights`,
      );
    const shape = spec.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw new CheckpointError(`${where} ("${spec.name}"): "shape" must be a list of whole numbers`);
    bytes += shape.reduce((a: number, d: number) => a * d, 1) * 4;
    if (!(bytes <= MAX_WEIGHT_BYTES))
      throw new CheckpointError(
        `${where} ("${spec.name}"): the weights would exceed ${MAX_WEIGHT_BYTES} bytes`,
      );
  });
  return bytes;
}

/**
 * Loads weights saved by {@link modelArtifacts} into a model of the same architecture.
 * @throws CheckpointError naming what differs (architecture, a missing weight, a shape) or what is corrupt.
 */
export function loadModelArtifacts(m: Model, artifacts: tf.io.ModelArtifacts): void {
  const topo = (artifacts.modelTopology as { snn?: Record<string, unknown> } | undefined)?.snn;
  if (!isRecord(topo))
    throw new CheckpointError(
      'not an @snn checkpoint: model.json has no modelTopology.snn (was it saved by @snn/train?)',
    );
  // The seed only chose the initial weights: any seed's weights fit the same architecture.
  const shape = (n: unknown) => JSON.stringify({ ...(n as Record<string, unknown>), seed: undefined });
  const expected = shape(architectureOf(m).network);
  const found = isRecord(topo.network) ? shape(topo.network) : String(topo.network);
  if (expected !== found) {
    throw new CheckpointError(`wrong architecture: the checkpoint holds ${found}, the model is ${expected}`);
  }
  const specs = (artifacts.weightSpecs ?? []) as WeightSpec[];
  const needed = checkWeightSpecs(specs, 'model.json');
  const buffer = concatWeightData(artifacts.weightData);
  if (buffer.byteLength !== needed) {
    throw new CheckpointError(
      `corrupt weights: ${buffer.byteLength} bytes of weight data, the manifest needs ${needed}`,
    );
  }
  const named = m.network.namedVariables();
  // Check names, shapes and values on the host before any tensor is made.
  let offset = 0;
  const at = new Map<string, { spec: WeightSpec; offset: number }>();
  for (const spec of specs) {
    at.set(spec.name, { spec, offset });
    offset += spec.shape.reduce((a, d) => a * d, 1) * 4;
  }
  for (const [name, v] of Object.entries(named)) {
    const found = at.get(name);
    if (!found) throw new CheckpointError(`wrong architecture: the checkpoint has no weight "${name}"`);
    if (found.spec.shape.join() !== v.shape.join() || found.spec.dtype !== v.dtype) {
      throw new CheckpointError(
        `wrong architecture: weight "${name}" is ${found.spec.dtype} [${found.spec.shape}] in the checkpoint, ${v.dtype} [${v.shape}] in the model`,
      );
    }
    const values = new Float32Array(buffer, found.offset, v.size);
    for (const x of values) {
      if (!Number.isFinite(x)) throw new CheckpointError(`corrupt weights: "${name}" holds ${x}`);
    }
  }
  tf.tidy(() => {
    for (const [name, v] of Object.entries(named)) {
      const { offset: off } = at.get(name)!;
      v.assign(tf.tensor(new Float32Array(buffer.slice(off, off + v.size * 4)), v.shape, 'float32'));
    }
  });
}

/** The two files of a saved model in the tfjs layout: `model.json` (manifest → `weights.bin`) and `weights.bin`. */
export interface ModelFiles {
  readonly modelJson: string;
  readonly weights: Uint8Array;
}

/** Lays out tfjs `ModelArtifacts` as the files `model.json` + `weights.bin` (what `fileSystem` writes). */
export function artifactsToFiles(artifacts: tf.io.ModelArtifacts): ModelFiles {
  const { weightData, weightSpecs, ...rest } = artifacts;
  const json = { ...rest, weightsManifest: [{ paths: ['weights.bin'], weights: weightSpecs ?? [] }] };
  return {
    modelJson: `${JSON.stringify(json, null, 2)}\n`,
    weights: weightData === undefined ? new Uint8Array(0) : new Uint8Array(concatWeightData(weightData)),
  };
}

/** A model's weights as the files `model.json` + `weights.bin` (for downloads, or any storage). */
export async function modelFiles(m: Model): Promise<ModelFiles> {
  return artifactsToFiles(await modelArtifacts(m));
}

/** The weight files a `model.json` lists, in order, and the bytes each group's specs need. */
export interface ParsedModelJson {
  readonly json: Record<string, unknown>;
  readonly groups: readonly { readonly paths: readonly string[]; readonly weights: WeightSpec[] }[];
  /** Bytes of weight data all the specs need together. */
  readonly bytes: number;
}

/**
 * Parses and checks the text of a tfjs `model.json` with a weights manifest: JSON, a
 * `weightsManifest` list of `{ paths, weights }` with relative paths (no `..`, no absolute paths)
 * and valid specs. Reading the listed files is the caller's (see {@link artifactsFromFiles}).
 * @throws CheckpointError naming `file` and the field.
 */
export function parseModelJson(text: string, file = 'model.json'): ParsedModelJson {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  if (!isRecord(json)) throw new CheckpointError(`${file}: not a JSON object`);
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest) || manifest.length === 0)
    throw new CheckpointError(`${file}: no weightsManifest (not a tfjs model.json)`);
  let bytes = 0;
  const groups = manifest.map((g: unknown, k) => {
    if (!isRecord(g) || !Array.isArray(g.paths) || g.paths.length === 0)
      throw new CheckpointError(`${file}: weightsManifest[${k}] has no "paths" list`);
    for (const p of g.paths) {
      if (typeof p !== 'string' || !isRelativeInside(p))
        throw new CheckpointError(
          `${file}: weightsManifest[${k}].paths holds ${JSON.stringify(p)}: weight files must be relative paths inside the model's folder`,
        );
    }
    bytes += checkWeightSpecs(g.weights, `${file}: weightsManifest[${k}].weights`);
    if (bytes > MAX_WEIGHT_BYTES)
      throw new CheckpointError(`${file}: the weights exceed ${MAX_WEIGHT_BYTES} bytes`);
    return { paths: g.paths as string[], weights: g.weights as WeightSpec[] };
  });
  return { json, groups, bytes };
}

/**
 * True for a relative path that stays inside its folder: `a/b.bin`, but not `../x`, `/etc/x`,
 * `C:\\x`, `a//b`, `./a` or a URL.
 */
export function isRelativeInside(p: string): boolean {
  if (p === '' || p.includes('\0') || p.includes('\\') || p.startsWith('/') || /^[a-zA-Z]:/.test(p))
    return false;
  if (/^[a-z][a-z0-9+.-]*:/i.test(p)) return false;
  return p.split('/').every((part) => part !== '..' && part !== '' && part !== '.');
}

/**
 * Joins a parsed `model.json` with the bytes of its weight files (in the order of the paths) into
 * tfjs `ModelArtifacts`, checking that the sizes add up to what the specs need.
 * @throws CheckpointError naming the file that is short or long.
 */
export function artifactsFromFiles(
  parsed: ParsedModelJson,
  buffers: readonly Uint8Array[],
): tf.io.ModelArtifacts {
  const total = buffers.reduce((a, b) => a + b.byteLength, 0);
  if (total !== parsed.bytes)
    throw new CheckpointError(
      `corrupt weights: the weight files hold ${total} bytes, the manifest needs ${parsed.bytes}`,
    );
  const data = new Uint8Array(total);
  let off = 0;
  for (const b of buffers) {
    data.set(b, off);
    off += b.byteLength;
  }
  const { weightsManifest: _, ...rest } = parsed.json;
  return { ...rest, weightSpecs: parsed.groups.flatMap((g) => g.weights), weightData: data.buffer };
}

/**
 * The optimizer's state with variable names replaced by the model's stable names. Frees the
 * tensors `getWeights` made for the occasion (the step count), keeping the optimizer's own variables.
 */
export async function optimizerArtifacts(
  optimizer: tf.Optimizer,
  m: Model,
): Promise<{ specs: WeightSpec[]; data: ArrayBuffer }> {
  const rename = new Map(Object.entries(m.network.namedVariables()).map(([k, v]) => [v.name, k]));
  const weights = await optimizer.getWeights();
  try {
    const named: NamedTensor[] = weights.map(({ name, tensor }) => {
      const [head, ...rest] = name.split('/');
      const stable = rename.get(head!);
      return { name: stable === undefined ? name : [stable, ...rest].join('/'), tensor };
    });
    const { data, specs } = await tf.io.encodeWeights(named);
    return { specs, data: concatWeightData(data) };
  } finally {
    tf.dispose(weights.map((w) => w.tensor).filter((t) => !(t instanceof tf.Variable)));
  }
}

/**
 * Restores an optimizer's state saved by {@link optimizerArtifacts} for this model.
 * @throws CheckpointError when the data does not match its specs.
 */
export async function loadOptimizerArtifacts(
  optimizer: tf.Optimizer,
  m: Model,
  specs: WeightSpec[],
  data: ArrayBuffer,
): Promise<void> {
  const needed = specs.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1) * 4, 0);
  if (data.byteLength !== needed)
    throw new CheckpointError(`corrupt optimizer state: ${data.byteLength} bytes, its specs need ${needed}`);
  const back = new Map(Object.entries(m.network.namedVariables()).map(([k, v]) => [k, v.name]));
  const decoded = tf.io.decodeWeights(data, specs);
  try {
    const list: NamedTensor[] = specs.map((s) => {
      const [head, ...rest] = s.name.split('/');
      const live = back.get(head!);
      return { name: live === undefined ? s.name : [live, ...rest].join('/'), tensor: decoded[s.name]! };
    });
    await optimizer.setWeights(list);
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    throw new CheckpointError(`corrupt optimizer state: ${(error as Error).message}`);
  } finally {
    tf.dispose(Object.values(decoded));
  }
}
