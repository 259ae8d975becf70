export * from './arrays.js';
export { nirLayout } from './layout.js';
export { isHDF5, NIRFormatError, readNIR } from './read.js';
export * from './types.js';
export { guessChunk, NIR_FORMAT_VERSION, type WriteNIROptions, writeNIR } from './write.js';
