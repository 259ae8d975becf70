import type { NIRArray, NIRData, NIRDataOf, NIRDtype, NIRStorage } from './types.js';

const CONSTRUCTORS: { readonly [D in NIRDtype]: new (n: number) => NIRDataOf[D] } = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  uint64: BigUint64Array,
};

/** The number of elements of a shape (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * A NIR array of `dtype` from numbers (or a typed array), with `shape` (default: 1-D). 64-bit
 * integer dtypes take whole numbers and store them as BigInt.
 *
 * @example
 * ```ts
 * const tau = nirArray([0.01, 0.02], [2]);                       // float32
 * const stride = nirArray([1, 1], [2], 'int64', 'plain');         // a Python tuple
 * ```
 */
export function nirArray<D extends NIRDtype = 'float32'>(
  values: ArrayLike<number> | ArrayLike<bigint>,
  shape?: readonly number[],
  dtype?: D,
  storage?: NIRStorage,
): NIRArray<D> {
  const d = (dtype ?? 'float32') as D;
  const s = shape ?? [values.length];
  if (sizeOf(s) !== values.length) {
    throw new RangeError(`nirArray: ${values.length} values do not fill shape [${s.join(', ')}].`);
  }
  const data = new CONSTRUCTORS[d](values.length);
  const big = d === 'int64' || d === 'uint64';
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    if (big) {
      if (typeof v === 'number' && !Number.isInteger(v)) {
        throw new RangeError(`nirArray: ${d} needs whole numbers, got ${v}.`);
      }
      (data as BigInt64Array)[k] = typeof v === 'bigint' ? v : BigInt(v);
    } else (data as Float64Array)[k] = Number(v);
  }
  return storage === undefined
    ? { dtype: d, shape: s.slice(), data }
    : { dtype: d, shape: s.slice(), data, storage };
}

/** A float32 NIR array (a numpy float32 array). */
export function float32(values: ArrayLike<number>, shape?: readonly number[]): NIRArray<'float32'> {
  return nirArray(values, shape, 'float32');
}

/** An int64 Python integer (stored plain, as NIR writes `groups`, `start_dim`, ...). */
export function int64Scalar(value: number): NIRArray<'int64'> {
  return nirArray([value], [], 'int64', 'plain');
}

/** An int64 tuple or array; `storage` `'plain'` for a Python tuple, `'array'` for numpy. */
export function int64(values: readonly number[], storage: NIRStorage = 'plain'): NIRArray<'int64'> {
  return nirArray(values, [values.length], 'int64', storage);
}

/** The values as JavaScript numbers (64-bit integers converted, refusing ones beyond 2^53). */
export function arrayValues(a: NIRArray): number[] {
  const out = new Array<number>(a.data.length);
  for (let k = 0; k < a.data.length; k++) {
    const v = a.data[k]!;
    if (typeof v === 'bigint') {
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
        throw new RangeError(`a 64-bit integer (${v}) does not fit a JavaScript number.`);
      }
      out[k] = Number(v);
    } else out[k] = v;
  }
  return out;
}

/** The values rounded to float32, as tfjs computes (and as Norse's importer casts). */
export function float32Values(a: NIRArray): Float32Array {
  return a.data instanceof Float32Array ? a.data : Float32Array.from(arrayValues(a));
}

/** The single value of a one-element array (a scalar or a length-1 tuple). */
export function scalarValue(a: NIRArray, what: string): number {
  const v = arrayValues(a);
  if (v.length !== 1) throw new RangeError(`${what} must hold one value, got ${v.length}.`);
  return v[0]!;
}

/**
 * A pair `(h, w)` from a scalar (`k` → `(k, k)`) or a 2-tuple, as PyTorch's `_pair`.
 */
export function pairValues(a: NIRArray, what: string): [number, number] {
  const v = arrayValues(a);
  if (v.length === 1) return [v[0]!, v[0]!];
  if (v.length === 2) return [v[0]!, v[1]!];
  throw new RangeError(`${what} must be one number or two, got [${v.join(', ')}].`);
}

/** True when two arrays have the same dtype, shape and bit-identical values (NaN equals NaN). */
export function arraysEqual(a: NIRArray, b: NIRArray): boolean {
  if (a.dtype !== b.dtype || a.shape.length !== b.shape.length) return false;
  if (a.shape.some((d, k) => d !== b.shape[k])) return false;
  const x = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const y = new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength);
  if (x.length !== y.length) return false;
  for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) return false;
  return true;
}

/** An array of `shape` filled with `value` (float32 unless `dtype` says otherwise). */
export function filledArray(
  shape: readonly number[],
  value: number,
  dtype: 'float32' | 'float64' = 'float32',
) {
  return nirArray(new Array<number>(sizeOf(shape)).fill(value), shape, dtype);
}

/** True for a typed array that NIR arrays may hold. */
export function isNIRData(x: unknown): x is NIRData {
  return (
    x instanceof Float32Array ||
    x instanceof Float64Array ||
    x instanceof Int8Array ||
    x instanceof Int16Array ||
    x instanceof Int32Array ||
    x instanceof BigInt64Array ||
    x instanceof Uint8Array ||
    x instanceof Uint16Array ||
    x instanceof Uint32Array ||
    x instanceof BigUint64Array
  );
}

/** True for a {@link NIRArray}. */
export function isNIRArray(x: unknown): x is NIRArray {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as { dtype?: unknown }).dtype === 'string' &&
    Array.isArray((x as { shape?: unknown }).shape) &&
    isNIRData((x as { data?: unknown }).data)
  );
}
