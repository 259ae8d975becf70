import type * as H5 from 'h5wasm';
import type { H5Api } from './hdf5.js';
import { withFile } from './hdf5.js';
import { isHDF5, NIRFormatError } from './read.js';

/** Python's `repr` of a double: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
function pythonFloat(x: number, digits?: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = (digits === undefined ? x.toExponential() : x.toExponential(digits - 1)).split(
    'e',
  );
  const exp = Number(expText);
  const negative = mantissa!.startsWith('-');
  const ds = mantissa!.replace('-', '').replace('.', '').replace(/0+$/, '') || '0';
  const sign = negative ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const m = ds.length > 1 ? `${ds[0]}.${ds.slice(1)}` : ds;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${ds}`;
  if (ds.length <= exp + 1) return `${sign}${ds}${'0'.repeat(exp + 1 - ds.length)}.0`;
  return `${sign}${ds.slice(0, exp + 1)}.${ds.slice(exp + 1)}`;
}

/** numpy's `repr` of a float32: the shortest decimal that rounds back to the same float32. */
function numpyFloat32(x: number): string {
  if (!Number.isFinite(x) || x === 0) return pythonFloat(x);
  for (let p = 1; p <= 9; p++) {
    if (Math.fround(Number(x.toPrecision(p))) === x) return pythonFloat(Number(x.toPrecision(p)), p);
  }
  return pythonFloat(x);
}

type Kind = 'f32' | 'f64' | 'int' | 'str';

function formatValue(v: unknown, kind: Kind): string {
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof v === 'bigint' || kind === 'int') return String(v);
  if (typeof v === 'number') return kind === 'f32' ? numpyFloat32(v) : pythonFloat(v);
  return String(v);
}

const H5T_FLOAT = 1;
const H5T_STRING = 3;

function describe(ds: H5.Dataset, path: string): string {
  const meta = ds.metadata;
  const shape = ds.shape ?? [];
  let dtype: string;
  if (meta.type === H5T_STRING) {
    const enc = meta.cset === 1 ? 'utf-8' : 'ascii';
    dtype = meta.vlen
      ? `object (string: encoding=${enc}, length=variable)`
      : `|S${meta.size} (string: encoding=${enc}, length=${meta.size})`;
  } else if (meta.type === H5T_FLOAT) dtype = meta.size === 4 ? 'float32' : 'float64';
  else dtype = `${meta.signed ? 'int' : 'uint'}${meta.size * 8}`;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let layout = 'layout=contiguous';
  if (meta.chunks) {
    const c = meta.chunks;
    const filters = ds.filters.map((f) =>
      f.id === 1 ? `gzip(${f.cd_values[0]})` : f.id === 2 ? 'shuffle' : `${f.name}(${f.cd_values.join(',')})`,
    );
    layout = `layout=chunked chunks=${c.length === 1 ? `(${c[0]},)` : `(${c.join(', ')})`}${filters.length ? ` filters=${filters.join(',')}` : ''}`;
  }
  const raw = ds.value;
  const kind: Kind =
    meta.type === H5T_STRING ? 'str' : meta.type === H5T_FLOAT ? (meta.size === 4 ? 'f32' : 'f64') : 'int';
  let value: string;
  if (shape.length === 0) value = formatValue(raw, kind);
  else {
    const list = Array.from(raw as ArrayLike<unknown>);
    if (list.length > 64) {
      value = `first 8 of ${list.length}: [${list
        .slice(0, 8)
        .map((x) => formatValue(x, kind))
        .join(', ')}, ...]`;
    } else value = `[${list.map((x) => formatValue(x, kind)).join(', ')}] (row-major)`;
  }
  return `${path} dataset dtype=${dtype} shape=${shapeText} ${layout} = ${value}`;
}

function walk(group: H5.Group, api: H5Api, prefix: string, out: string[]): void {
  for (const key of group.keys()) {
    const item = group.get(key);
    const path = `${prefix}/${key}`;
    if (item instanceof api.Group) {
      out.push(`${path}/ group`);
      walk(item, api, path, out);
    } else if (item instanceof api.Dataset) out.push(describe(item, path));
    else out.push(`${path} link`);
  }
}

/**
 * The HDF5 layout of a `.nir` file, one line per group and dataset: dtype (strings with their
 * encoding), shape, storage (contiguous or chunked, chunk shape, filters) and values (the first 8
 * of larger arrays), in the format of h5py dumps, so two writers can be compared line by line.
 *
 * @example
 * ```ts
 * for (const line of await nirLayout(bytes)) console.log(line);
 * // /node/nodes/_0/bias dataset dtype=float32 shape=(6,) layout=chunked chunks=(6,) filters=gzip(4) = [...]
 * ```
 */
export async function nirLayout(bytes: Uint8Array): Promise<string[]> {
  if (!isHDF5(bytes)) throw new NIRFormatError('not an HDF5 file (no signature).');
  return withFile(bytes, (file, api) => {
    const out: string[] = [];
    walk(file, api, '', out);
    return out;
  });
}
