/**
 * The NIR graph as TypeScript types: one interface per NIR primitive, with NIR's own field names
 * (`tau_mem`, `v_threshold`, `w_in`, ...), so a graph reads like NIR's Python `nir.*` classes.
 */

/** Element types a NIR array may hold (numpy's names). */
export type NIRDtype =
  | 'float32'
  | 'float64'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64';

/** The typed array behind each {@link NIRDtype}. 64-bit integers are BigInt arrays, as HDF5 gives them. */
export interface NIRDataOf {
  float32: Float32Array;
  float64: Float64Array;
  int8: Int8Array;
  int16: Int16Array;
  int32: Int32Array;
  int64: BigInt64Array;
  uint8: Uint8Array;
  uint16: Uint16Array;
  uint32: Uint32Array;
  uint64: BigUint64Array;
}

/** Any typed array a {@link NIRArray} may hold. */
export type NIRData = NIRDataOf[NIRDtype];

/**
 * How NIR's Python writer stores a value, which decides the HDF5 layout:
 * `'array'` for a numpy array (chunked, gzip level 4), `'plain'` for a Python int, float or tuple
 * (contiguous, no filter). Norse writes weights and neuron parameters as arrays, and Conv2d's
 * `stride`, `padding`, `dilation`, `groups` and Flatten's dims as plain values.
 */
export type NIRStorage = 'array' | 'plain';

/** A numeric value of a NIR node: an n-dimensional array in row-major order. */
export interface NIRArray<D extends NIRDtype = NIRDtype> {
  readonly dtype: D;
  /** Its shape; `[]` for a scalar. */
  readonly shape: readonly number[];
  /** The values, row-major. */
  readonly data: NIRDataOf[D];
  /** How it is stored in the file. Default `'array'`. */
  readonly storage?: NIRStorage;
}

/** Free-form metadata of a node or graph: strings, numbers, arrays and nested records. */
export interface NIRMetadata {
  readonly [key: string]: string | NIRArray | NIRMetadata;
}

interface NodeBase {
  /** Optional metadata (written only when not empty). */
  readonly metadata?: NIRMetadata;
}

/** `nir.Input`: where data enters the graph; `shape` excludes the batch (and time) axis. */
export interface NIRInputNode extends NodeBase {
  readonly type: 'Input';
  readonly shape: NIRArray;
}

/** `nir.Output`: where data leaves the graph. */
export interface NIROutputNode extends NodeBase {
  readonly type: 'Output';
  readonly shape: NIRArray;
}

/** `nir.Affine`: `y = W x + b`, `weight [out, in]`. */
export interface NIRAffineNode extends NodeBase {
  readonly type: 'Affine';
  readonly weight: NIRArray;
  readonly bias: NIRArray;
}

/** `nir.Linear`: `y = W x`, `weight [out, in]`. */
export interface NIRLinearNode extends NodeBase {
  readonly type: 'Linear';
  readonly weight: NIRArray;
}

/** `nir.Scale`: `y = s ⊙ x`. */
export interface NIRScaleNode extends NodeBase {
  readonly type: 'Scale';
  readonly scale: NIRArray;
}

/** `nir.Conv1d`: `weight [C_out, C_in / groups, K]`, input `[C_in, N]`. */
export interface NIRConv1dNode extends NodeBase {
  readonly type: 'Conv1d';
  /** The input length `N` (absent when the writer did not know it). */
  readonly input_shape?: NIRArray;
  readonly weight: NIRArray;
  readonly stride: NIRArray;
  /** Zero padding on each side, or `'same'` / `'valid'`. */
  readonly padding: NIRArray | 'same' | 'valid';
  readonly dilation: NIRArray;
  readonly groups: NIRArray;
  readonly bias: NIRArray;
}

/** `nir.Conv2d`: `weight [C_out, C_in / groups, kH, kW]` (PyTorch's layout), input `[C_in, H, W]`. */
export interface NIRConv2dNode extends NodeBase {
  readonly type: 'Conv2d';
  /** The input `(H, W)` (absent when the writer did not know it, as Norse's exporter). */
  readonly input_shape?: NIRArray;
  readonly weight: NIRArray;
  readonly stride: NIRArray;
  /** Zero padding `(pH, pW)` on each side, or `'same'` / `'valid'`. */
  readonly padding: NIRArray | 'same' | 'valid';
  readonly dilation: NIRArray;
  readonly groups: NIRArray;
  readonly bias: NIRArray;
}

/** `nir.SumPool2d`: sums over `kernel_size` windows of `[C, H, W]`. */
export interface NIRSumPool2dNode extends NodeBase {
  readonly type: 'SumPool2d';
  readonly kernel_size: NIRArray;
  readonly stride: NIRArray;
  readonly padding: NIRArray;
}

/** `nir.AvgPool2d`: averages over `kernel_size` windows of `[C, H, W]`. */
export interface NIRAvgPool2dNode extends NodeBase {
  readonly type: 'AvgPool2d';
  readonly kernel_size: NIRArray;
  readonly stride: NIRArray;
  readonly padding: NIRArray;
}

/** `nir.Flatten`: flattens dims `start_dim..end_dim` of one sample (NIR shapes exclude the batch). */
export interface NIRFlattenNode extends NodeBase {
  readonly type: 'Flatten';
  readonly start_dim: NIRArray;
  readonly end_dim: NIRArray;
  /** The input shape (NIR writes it; Python's reader accepts files without it). */
  readonly input_type?: NIRArray;
}

/** `nir.Delay`: `y(t) = x(t - delay)`, delays in seconds. */
export interface NIRDelayNode extends NodeBase {
  readonly type: 'Delay';
  readonly delay: NIRArray;
}

/** `nir.Threshold`: `y = H(x - threshold)`. */
export interface NIRThresholdNode extends NodeBase {
  readonly type: 'Threshold';
  readonly threshold: NIRArray;
}

/** `nir.I`: the integrator `dv/dt = r·I`. */
export interface NIRINode extends NodeBase {
  readonly type: 'I';
  readonly r: NIRArray;
}

/** `nir.IF`: integrate-and-fire, `dv/dt = r·I`, spike above `v_threshold`, reset to `v_reset`. */
export interface NIRIFNode extends NodeBase {
  readonly type: 'IF';
  readonly r: NIRArray;
  readonly v_threshold: NIRArray;
  /** Absent in older files (read as zeros, as NIR's reader does). */
  readonly v_reset?: NIRArray;
}

/** `nir.LI`: leaky integrator, `tau dv/dt = (v_leak - v) + r·I`. */
export interface NIRLINode extends NodeBase {
  readonly type: 'LI';
  readonly tau: NIRArray;
  readonly r: NIRArray;
  readonly v_leak: NIRArray;
}

/** `nir.LIF`: leaky integrate-and-fire, LI with a threshold and a reset. */
export interface NIRLIFNode extends NodeBase {
  readonly type: 'LIF';
  readonly tau: NIRArray;
  readonly r: NIRArray;
  readonly v_leak: NIRArray;
  readonly v_threshold: NIRArray;
  /** Absent in older files (read as zeros, as NIR's reader does). */
  readonly v_reset?: NIRArray;
}

/** `nir.CubaLI`: `tau_syn dI/dt = -I + w_in·S`, `tau_mem dv/dt = (v_leak - v) + r·I`. */
export interface NIRCubaLINode extends NodeBase {
  readonly type: 'CubaLI';
  readonly tau_syn: NIRArray;
  readonly tau_mem: NIRArray;
  readonly r: NIRArray;
  readonly v_leak: NIRArray;
  readonly w_in: NIRArray;
}

/** `nir.CubaLIF`: CubaLI with a threshold and a reset. */
export interface NIRCubaLIFNode extends NodeBase {
  readonly type: 'CubaLIF';
  readonly tau_syn: NIRArray;
  readonly tau_mem: NIRArray;
  readonly r: NIRArray;
  readonly v_leak: NIRArray;
  readonly v_threshold: NIRArray;
  /** Absent in older files (read as zeros, as NIR's reader does). */
  readonly v_reset?: NIRArray;
  readonly w_in: NIRArray;
}

/** A directed edge `[from, to]` between node names. */
export type NIREdge = readonly [from: string, to: string];

/** `nir.NIRGraph`: named nodes and the edges between them; nodes may be graphs themselves. */
export interface NIRGraph extends NodeBase {
  readonly type: 'NIRGraph';
  readonly nodes: Readonly<Record<string, NIRNode>>;
  readonly edges: readonly NIREdge[];
  /** The file's `/version` (set on a graph read from a file; written by `writeNIR`). */
  readonly version?: string;
}

/** Every NIR primitive. */
export type NIRNode =
  | NIRInputNode
  | NIROutputNode
  | NIRAffineNode
  | NIRLinearNode
  | NIRScaleNode
  | NIRConv1dNode
  | NIRConv2dNode
  | NIRSumPool2dNode
  | NIRAvgPool2dNode
  | NIRFlattenNode
  | NIRDelayNode
  | NIRThresholdNode
  | NIRINode
  | NIRIFNode
  | NIRLINode
  | NIRLIFNode
  | NIRCubaLINode
  | NIRCubaLIFNode
  | NIRGraph;

/** The name of a NIR primitive (`'LIF'`, `'Conv2d'`, ...). */
export type NIRNodeType = NIRNode['type'];

/** Every NIR node type, in NIR's order. */
export const NIR_NODE_TYPES: readonly NIRNodeType[] = [
  'Input',
  'Output',
  'Affine',
  'Linear',
  'Scale',
  'Conv1d',
  'Conv2d',
  'SumPool2d',
  'AvgPool2d',
  'Flatten',
  'Delay',
  'Threshold',
  'I',
  'IF',
  'LI',
  'LIF',
  'CubaLI',
  'CubaLIF',
  'NIRGraph',
];

/**
 * The fields of each node type, in the order NIR's Python classes declare them: required ones,
 * then optional ones (`?`). `padding` of a convolution may also be a string.
 */
export const NIR_FIELDS: Readonly<Record<Exclude<NIRNodeType, 'NIRGraph'>, readonly string[]>> = {
  Input: ['shape'],
  Output: ['shape'],
  Affine: ['weight', 'bias'],
  Linear: ['weight'],
  Scale: ['scale'],
  Conv1d: ['input_shape?', 'weight', 'stride', 'padding', 'dilation', 'groups', 'bias'],
  Conv2d: ['input_shape?', 'weight', 'stride', 'padding', 'dilation', 'groups', 'bias'],
  SumPool2d: ['kernel_size', 'stride', 'padding'],
  AvgPool2d: ['kernel_size', 'stride', 'padding'],
  Flatten: ['start_dim', 'end_dim', 'input_type?'],
  Delay: ['delay'],
  Threshold: ['threshold'],
  I: ['r'],
  IF: ['r', 'v_threshold', 'v_reset?'],
  LI: ['tau', 'r', 'v_leak'],
  LIF: ['tau', 'r', 'v_leak', 'v_threshold', 'v_reset?'],
  CubaLI: ['tau_syn', 'tau_mem', 'r', 'v_leak', 'w_in'],
  CubaLIF: ['tau_syn', 'tau_mem', 'r', 'v_leak', 'v_threshold', 'v_reset?', 'w_in'],
};
