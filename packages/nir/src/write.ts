import type * as H5 from 'h5wasm';
import { isNIRArray, sizeOf } from './arrays.js';
import { loadH5, scratchPath } from './hdf5.js';
import {
  NIR_FIELDS,
  type NIRArray,
  type NIRGraph,
  type NIRMetadata,
  type NIRNode,
  type NIRNodeType,
} from './types.js';

/** The version string `writeNIR` stores in `/version` when the graph carries none. */
export const NIR_FORMAT_VERSION = '1.0.7';

// h5py's chunk guess (h5py/_hl/filters.py `guess_chunk`), so arrays are chunked as NIR's Python
// writer chunks them: aim at 16 KiB scaled with the data size, within [8 KiB, 1 MiB], halving
// the axes in turn.
const CHUNK_BASE = 16 * 1024;
const CHUNK_MIN = 8 * 1024;
const CHUNK_MAX = 1024 * 1024;

/** The chunk shape h5py chooses for an array of `shape` with elements of `typeSize` bytes. */
export function guessChunk(shape: readonly number[], typeSize: number): number[] {
  if (shape.length === 0) throw new RangeError('guessChunk: a scalar dataset cannot be chunked.');
  const chunks = shape.map((d) => (d === 0 ? 1024 : d));
  const product = () => chunks.reduce((a, b) => a * b, 1);
  let target = CHUNK_BASE * 2 ** Math.log10((product() * typeSize) / (1024 * 1024));
  if (target > CHUNK_MAX) target = CHUNK_MAX;
  else if (target < CHUNK_MIN) target = CHUNK_MIN;
  for (let idx = 0; ; idx++) {
    const bytes = product() * typeSize;
    if ((bytes < target || Math.abs(bytes - target) / target < 0.5) && bytes < CHUNK_MAX) break;
    if (product() === 1) break;
    const axis = idx % chunks.length;
    chunks[axis] = Math.ceil(chunks[axis]! / 2);
  }
  return chunks;
}

/** Options of {@link writeNIR}. */
export interface WriteNIROptions {
  /** The string stored in `/version`. Default: the graph's own `version`, else {@link NIR_FORMAT_VERSION}. */
  readonly version?: string;
}

function writeArray(group: H5.Group, name: string, a: NIRArray, path: string): void {
  if (a.data.length !== sizeOf(a.shape)) {
    throw new RangeError(`${path}: ${a.data.length} values for shape [${a.shape.join(', ')}].`);
  }
  const chunked = (a.storage ?? 'array') === 'array' && a.shape.length > 0 && a.data.length > 0;
  group.create_dataset({
    name,
    data: a.data,
    shape: a.shape.slice(),
    ...(chunked
      ? { chunks: guessChunk(a.shape, a.data.BYTES_PER_ELEMENT), compression: 'gzip', compression_opts: 4 }
      : {}),
  });
}

function writeString(group: H5.Group, name: string, s: string): void {
  group.create_dataset({ name, data: s, shape: [] });
}

function writeMetadata(group: H5.Group, meta: NIRMetadata, path: string): void {
  for (const [key, v] of Object.entries(meta)) {
    if (typeof v === 'string') writeString(group, key, v);
    else if (isNIRArray(v)) writeArray(group, key, v, `${path}/${key}`);
    else writeMetadata(group.create_group(key), v, `${path}/${key}`);
  }
}

function writeNode(group: H5.Group, node: NIRNode, path: string): void {
  if (node.type === 'NIRGraph') {
    const nodes = group.create_group('nodes');
    for (const [name, child] of Object.entries(node.nodes)) {
      if (name.includes('/')) throw new RangeError(`${path}: node name "${name}" contains "/".`);
      writeNode(nodes.create_group(name), child, `${path}/nodes/${name}`);
    }
    if (node.edges.length > 0) {
      group.create_dataset({ name: 'edges', data: node.edges.flat(), shape: [node.edges.length, 2] });
    } else {
      // h5py writes an empty edge list as an empty float64 array.
      group.create_dataset({ name: 'edges', data: new Float64Array(0), shape: [0] });
    }
  } else {
    const fields = NIR_FIELDS[node.type as Exclude<NIRNodeType, 'NIRGraph'>];
    if (fields === undefined) throw new RangeError(`${path}: unknown node type "${String(node.type)}".`);
    const values = node as unknown as Record<string, unknown>;
    for (const spec of fields) {
      const optional = spec.endsWith('?');
      const field = optional ? spec.slice(0, -1) : spec;
      const v = values[field];
      if (v === undefined) {
        if (optional) continue;
        throw new RangeError(`${path}: the ${node.type} node has no "${field}".`);
      }
      if (typeof v === 'string') writeString(group, field, v);
      else if (isNIRArray(v)) writeArray(group, field, v, `${path}/${field}`);
      else throw new TypeError(`${path}/${field}: expected a NIR array (see nirArray()), got ${String(v)}.`);
    }
  }
  if (node.metadata && Object.keys(node.metadata).length > 0)
    writeMetadata(group.create_group('metadata'), node.metadata, `${path}/metadata`);
  writeString(group, 'type', node.type);
}

/**
 * Writes a {@link NIRGraph} as a `.nir` file with the HDF5 layout of NIR's Python `nir.write`:
 * superblock version 0, `/version` and every `type` as scalar variable-length UTF-8 strings, edges
 * as an `(n, 2)` string array, arrays (`storage: 'array'`) chunked as h5py chunks them with gzip
 * level 4, plain values (`storage: 'plain'`: Python ints and tuples) contiguous, empty metadata
 * omitted. NIR's `nir.read` reads it back; so does {@link readNIR}.
 *
 * @example
 * ```ts
 * const bytes = await writeNIR(toNIR(network, { inputShape: [784] }));
 * await writeFile('model.nir', bytes);
 * ```
 */
export async function writeNIR(graph: NIRGraph, options: WriteNIROptions = {}): Promise<Uint8Array> {
  if (graph?.type !== 'NIRGraph') {
    throw new TypeError(
      `writeNIR: expected a NIRGraph (type "NIRGraph"), got ${JSON.stringify(graph?.type)}.`,
    );
  }
  const api = await loadH5();
  const path = scratchPath('write');
  let file: H5.File | undefined;
  try {
    // h5py's defaults: the earliest file format (superblock 0, symbol-table groups).
    file = new api.File(path, 'w', { libver: ['earliest', 'v110'] });
    writeString(file, 'version', options.version ?? graph.version ?? NIR_FORMAT_VERSION);
    writeNode(file.create_group('node'), graph, '/node');
    file.close();
    file = undefined;
    return api.FS.readFile(path).slice();
  } finally {
    file?.close();
    try {
      api.FS.unlink(path);
    } catch {
      // nothing was created
    }
  }
}
