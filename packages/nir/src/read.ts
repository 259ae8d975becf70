import type * as H5 from 'h5wasm';
import type { H5Api } from './hdf5.js';
import { withFile } from './hdf5.js';
import {
  NIR_FIELDS,
  NIR_NODE_TYPES,
  type NIRArray,
  type NIRDtype,
  type NIREdge,
  type NIRGraph,
  type NIRMetadata,
  type NIRNode,
  type NIRNodeType,
} from './types.js';

/** A file that is not a NIR file, or a NIR file this reader cannot understand; the message says which. */
export class NIRFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NIRFormatError';
  }
}

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Whether `bytes` carry HDF5's signature (at offset 0, 512, 1024, ... as HDF5 allows). */
export function isHDF5(bytes: Uint8Array): boolean {
  for (let at = 0; at + 8 <= bytes.length; at = at === 0 ? 512 : at * 2) {
    if (SIGNATURE.every((b, k) => bytes[at + k] === b)) return true;
    if (at > bytes.length) break;
  }
  return false;
}

const H5T_INTEGER = 0;
const H5T_FLOAT = 1;
const H5T_STRING = 3;

function dtypeOf(meta: H5.Metadata, path: string): NIRDtype {
  if (meta.type === H5T_FLOAT && meta.size === 4) return 'float32';
  if (meta.type === H5T_FLOAT && meta.size === 8) return 'float64';
  if (meta.type === H5T_INTEGER) {
    const bits = meta.size * 8;
    const name = `${meta.signed ? 'int' : 'uint'}${bits}`;
    if (['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64'].includes(name))
      return name as NIRDtype;
  }
  throw new NIRFormatError(
    `${path}: unsupported HDF5 type (class ${meta.type}, ${meta.size} bytes); NIR stores numbers as float32/float64 or integers.`,
  );
}

const TYPED: Record<NIRDtype, (n: number) => NIRArray['data']> = {
  float32: (n) => new Float32Array(n),
  float64: (n) => new Float64Array(n),
  int8: (n) => new Int8Array(n),
  int16: (n) => new Int16Array(n),
  int32: (n) => new Int32Array(n),
  int64: (n) => new BigInt64Array(n),
  uint8: (n) => new Uint8Array(n),
  uint16: (n) => new Uint16Array(n),
  uint32: (n) => new Uint32Array(n),
  uint64: (n) => new BigUint64Array(n),
};

/** One value of a dataset: a string, strings, or a numeric array. */
type Value = string | readonly string[] | NIRArray;

function readDataset(ds: H5.Dataset, path: string): Value {
  const meta = ds.metadata;
  const shape = ds.shape ?? [];
  const raw = ds.value;
  if (meta.type === H5T_STRING) {
    if (typeof raw === 'string') return raw;
    if (Array.isArray(raw) && raw.every((s) => typeof s === 'string')) return raw as string[];
    throw new NIRFormatError(`${path}: a string dataset whose value could not be read.`);
  }
  const dtype = dtypeOf(meta, path);
  let data: NIRArray['data'];
  if (ArrayBuffer.isView(raw)) {
    // Copy: h5wasm may hand out views of its own heap.
    data = TYPED[dtype](shape.reduce((a, b) => a * b, 1));
    (data as Float64Array).set(raw as unknown as Float64Array);
  } else if (typeof raw === 'number' || typeof raw === 'bigint') {
    data = TYPED[dtype](1);
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) data[0] = BigInt(raw);
    else data[0] = Number(raw);
  } else {
    throw new NIRFormatError(`${path}: a numeric dataset whose value could not be read.`);
  }
  const storage = meta.chunks === null || meta.chunks === undefined ? 'plain' : 'array';
  return { dtype, shape, data, storage };
}

function entries(group: H5.Group, api: H5Api, path: string): Map<string, H5.Dataset | H5.Group> {
  const out = new Map<string, H5.Dataset | H5.Group>();
  for (const key of group.keys()) {
    const item = group.get(key);
    if (item instanceof api.Dataset || item instanceof api.Group) out.set(key, item);
    else throw new NIRFormatError(`${path}/${key}: neither a dataset nor a group (a link?).`);
  }
  return out;
}

function readMetadata(group: H5.Group, api: H5Api, path: string): NIRMetadata {
  const out: Record<string, string | NIRArray | NIRMetadata> = {};
  for (const [key, item] of entries(group, api, path)) {
    if (item instanceof api.Group) out[key] = readMetadata(item, api, `${path}/${key}`);
    else {
      const v = readDataset(item as H5.Dataset, `${path}/${key}`);
      // A list of strings becomes a string array in HDF5; keep its text joined by newlines.
      out[key] = Array.isArray(v) ? (v as string[]).join('\n') : (v as string | NIRArray);
    }
  }
  return out;
}

function readNode(group: H5.Group, api: H5Api, path: string): NIRNode {
  const items = entries(group, api, path);
  const typeItem = items.get('type');
  if (!(typeItem instanceof api.Dataset))
    throw new NIRFormatError(`${path}: no "type" dataset, so this is not a NIR node.`);
  const type = readDataset(typeItem as H5.Dataset, `${path}/type`);
  if (typeof type !== 'string' || !(NIR_NODE_TYPES as readonly string[]).includes(type)) {
    throw new NIRFormatError(
      `${path}: unknown NIR node type ${JSON.stringify(type)} (known: ${NIR_NODE_TYPES.join(', ')}).`,
    );
  }
  const metaGroup = items.get('metadata');
  const metadata =
    metaGroup instanceof api.Group ? readMetadata(metaGroup as H5.Group, api, `${path}/metadata`) : undefined;
  const withMeta = <N extends object>(node: N): N =>
    metadata && Object.keys(metadata).length > 0 ? { ...node, metadata } : node;

  if (type === 'NIRGraph') {
    const nodesGroup = items.get('nodes');
    if (!(nodesGroup instanceof api.Group)) throw new NIRFormatError(`${path}: a NIRGraph without "nodes".`);
    const nodes: Record<string, NIRNode> = {};
    for (const [name, item] of entries(nodesGroup as H5.Group, api, `${path}/nodes`)) {
      if (!(item instanceof api.Group))
        throw new NIRFormatError(`${path}/nodes/${name}: a dataset where a node group was expected.`);
      nodes[name] = readNode(item as H5.Group, api, `${path}/nodes/${name}`);
    }
    const edgesItem = items.get('edges');
    const edges: NIREdge[] = [];
    if (edgesItem instanceof api.Dataset) {
      const e = readDataset(edgesItem as H5.Dataset, `${path}/edges`);
      const flat = typeof e === 'string' ? [e] : Array.isArray(e) ? (e as string[]) : undefined;
      if (flat === undefined || flat.length % 2 !== 0)
        throw new NIRFormatError(`${path}/edges: expected an (n, 2) array of node names.`);
      for (let k = 0; k < flat.length; k += 2) edges.push([flat[k]!, flat[k + 1]!]);
    } else if (edgesItem !== undefined) throw new NIRFormatError(`${path}/edges: a group, not a dataset.`);
    return withMeta({ type: 'NIRGraph', nodes, edges });
  }

  const node: Record<string, unknown> = { type };
  for (const spec of NIR_FIELDS[type as Exclude<NIRNodeType, 'NIRGraph'>]) {
    const optional = spec.endsWith('?');
    const field = optional ? spec.slice(0, -1) : spec;
    const item = items.get(field);
    if (item === undefined) {
      if (optional) continue;
      throw new NIRFormatError(`${path}: a ${type} node without its "${field}" field.`);
    }
    if (!(item instanceof api.Dataset)) throw new NIRFormatError(`${path}/${field}: a group, not a dataset.`);
    const v = readDataset(item as H5.Dataset, `${path}/${field}`);
    if (typeof v === 'string') {
      if (field !== 'padding' || (v !== 'same' && v !== 'valid'))
        throw new NIRFormatError(`${path}/${field}: the string ${JSON.stringify(v)} where numbers belong.`);
    } else if (Array.isArray(v)) throw new NIRFormatError(`${path}/${field}: strings where numbers belong.`);
    node[field] = v;
  }
  return withMeta(node as unknown as NIRNode);
}

/**
 * Reads a `.nir` file (HDF5, as NIR's Python `nir.write` produces it: Norse, snnTorch, Spyx,
 * Sinabs, Rockpool, ...) into a {@link NIRGraph}. Loads h5wasm on first use. Unknown fields are
 * ignored, as NIR's own reader does; absent optional fields (`v_reset`, `input_shape`) stay absent.
 *
 * @throws NIRFormatError naming what is wrong: not HDF5, no `/node` group, an unknown node type, a
 * missing field.
 *
 * @example
 * ```ts
 * const graph = await readNIR(new Uint8Array(await (await fetch('model.nir')).arrayBuffer()));
 * console.log(Object.keys(graph.nodes), graph.edges);
 * ```
 */
export async function readNIR(bytes: Uint8Array | ArrayBuffer): Promise<NIRGraph> {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (!isHDF5(b)) {
    throw new NIRFormatError(
      `not a NIR file: ${b.length} bytes without HDF5's signature (a .nir file is HDF5, written by nir.write).`,
    );
  }
  return withFile(b, (file, api) => {
    const items = entries(file, api, '');
    const root = items.get('node');
    if (!(root instanceof api.Group)) throw new NIRFormatError('not a NIR file: no "/node" group.');
    const graph = readNode(root as H5.Group, api, '/node');
    if (graph.type !== 'NIRGraph')
      throw new NIRFormatError(`/node is a ${graph.type} node; NIR files hold a NIRGraph there.`);
    const v = items.get('version');
    const version = v instanceof api.Dataset ? readDataset(v as H5.Dataset, '/version') : undefined;
    return typeof version === 'string' ? { ...graph, version } : graph;
  });
}
