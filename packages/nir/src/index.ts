/**
 * `@snn/nir`: NIR (the Neuromorphic Intermediate Representation) for `@snn`. Read and write `.nir`
 * files exactly as NIR's Python package does, run them as `@snn` models with the conventions of the
 * library that wrote them, export `@snn` models, and lint graphs before trusting them.
 * @packageDocumentation
 */
export * from './arrays.js';
export {
  CONVENTION_DT,
  inverseTau,
  NIR_CONVENTIONS,
  type NIRConvention,
} from './conventions.js';
export { type ExportConvention, SNNTORCH_DT } from './emit.js';
export { type FlatGraph, flattenGraph, flattenShape, type GraphOrder, orderGraph } from './graph.js';
export { nirLayout } from './layout.js';
export { lintNIR, type NIRLintWarning } from './lint.js';
export { type FromNIROptions, fromNIR, NIRModel, type RunOptions, type RunResult } from './model.js';
export type { ModelLike, NetworkLike } from './networks.js';
export type { Exec, NIRNodeInfo } from './nodes.js';
export { isHDF5, NIRFormatError, readNIR } from './read.js';
export { type ComponentLike, type Exportable, type ToNIROptions, toNIR } from './to-nir.js';
export * from './types.js';
export { guessChunk, NIR_FORMAT_VERSION, type WriteNIROptions, writeNIR } from './write.js';
