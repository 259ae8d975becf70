/** Element types of the IDX format, by their type code (the third magic byte). */
export const IDX_TYPES = {
  8: { name: 'uint8', size: 1 },
  9: { name: 'int8', size: 1 },
  11: { name: 'int16', size: 2 },
  12: { name: 'int32', size: 4 },
  13: { name: 'float32', size: 4 },
  14: { name: 'float64', size: 8 },
} as const;

/** A parsed IDX file: its dimensions and its data (typed as in the file). */
export interface IdxArray {
  readonly type: (typeof IDX_TYPES)[keyof typeof IDX_TYPES]['name'];
  readonly dims: readonly number[];
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/** A file that is not a valid IDX file (or not the one expected); the message names file and problem. */
export class DatasetFileError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'DatasetFileError';
  }
}

/** True for gzip data (magic bytes 1f 8b). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Parses raw (uncompressed) IDX bytes: two zero bytes, the type code, the number of dimensions,
 * the big-endian dimensions, then exactly `prod(dims)` elements, big-endian.
 * @throws DatasetFileError naming `file` and what is wrong (bad magic, unknown type, truncated, extra bytes).
 */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  if (bytes.length < 4)
    throw new DatasetFileError(
      file,
      `too short for an IDX header (${bytes.length} bytes): the file is truncated`,
    );
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const hint = isGzip(bytes) ? ' (it is gzip-compressed: decompress it first)' : '';
    throw new DatasetFileError(
      file,
      `wrong magic number 0x${[...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join('')}: not an IDX file${hint}`,
    );
  }
  const code = bytes[2]!;
  const type = IDX_TYPES[code as keyof typeof IDX_TYPES];
  if (type === undefined)
    throw new DatasetFileError(file, `unknown IDX element type code 0x${code.toString(16)}`);
  const ndims = bytes[3]!;
  if (ndims === 0) throw new DatasetFileError(file, 'IDX header declares 0 dimensions');
  const headerSize = 4 + 4 * ndims;
  if (bytes.length < headerSize)
    throw new DatasetFileError(file, `truncated inside the header (${bytes.length} of ${headerSize} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let k = 0; k < ndims; k++) dims.push(view.getUint32(4 + 4 * k, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = headerSize + count * type.size;
  if (bytes.length < expected) {
    throw new DatasetFileError(
      file,
      `truncated: the header declares [${dims.join(' x ')}] ${type.name} (${expected} bytes) but the file has ${bytes.length}`,
    );
  }
  if (bytes.length > expected) {
    throw new DatasetFileError(
      file,
      `size mismatch: ${bytes.length - expected} bytes after the declared [${dims.join(' x ')}] ${type.name} data`,
    );
  }
  const body = bytes.subarray(headerSize);
  let data: IdxArray['data'];
  switch (type.name) {
    case 'uint8':
      data = body;
      break;
    case 'int8':
      data = new Int8Array(body.buffer, body.byteOffset, body.length);
      break;
    default: {
      const Ctor = { int16: Int16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array }[
        type.name
      ];
      const out = new Ctor(count);
      const getter = { int16: 'getInt16', int32: 'getInt32', float32: 'getFloat32', float64: 'getFloat64' }[
        type.name
      ] as 'getInt16' | 'getInt32' | 'getFloat32' | 'getFloat64';
      for (let k = 0; k < count; k++) out[k] = view[getter](headerSize + k * type.size, false);
      data = out;
    }
  }
  return { type: type.name, dims, data };
}

/** One split of an image dataset: images `[count, rows, cols]` as bytes, labels `[count]`. */
export interface ImageSplit {
  /** `count * rows * cols` pixel bytes, row-major. */
  readonly images: Uint8Array;
  /** `count` class indices. */
  readonly labels: Uint8Array;
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
}

/**
 * Builds a split from parsed image and label files, checking their types, shapes and counts.
 * @throws DatasetFileError when they do not belong together.
 */
export function imageSplit(
  images: IdxArray,
  labels: IdxArray,
  names: { images: string; labels: string },
  classes?: number,
): ImageSplit {
  if (images.type !== 'uint8' || images.dims.length !== 3) {
    throw new DatasetFileError(
      names.images,
      `expected uint8 images [N x rows x cols], got ${images.type} [${images.dims.join(' x ')}]`,
    );
  }
  if (labels.type !== 'uint8' || labels.dims.length !== 1) {
    throw new DatasetFileError(
      names.labels,
      `expected uint8 labels [N], got ${labels.type} [${labels.dims.join(' x ')}]`,
    );
  }
  const [count, rows, cols] = images.dims as [number, number, number];
  if (labels.dims[0] !== count) {
    throw new DatasetFileError(
      names.labels,
      `image/label count mismatch: ${labels.dims[0]} labels for ${count} images in ${names.images}`,
    );
  }
  if (classes !== undefined) {
    const bad = (labels.data as Uint8Array).findIndex((l) => l >= classes);
    if (bad >= 0)
      throw new DatasetFileError(
        names.labels,
        `label ${labels.data[bad]} at index ${bad} is not a class in [0, ${classes})`,
      );
  }
  return { images: images.data as Uint8Array, labels: labels.data as Uint8Array, count, rows, cols };
}
