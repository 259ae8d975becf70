import type * as H5 from 'h5wasm';

/** The parts of h5wasm this package uses. */
export interface H5Api {
  readonly File: typeof H5.File;
  readonly Dataset: typeof H5.Dataset;
  readonly Group: typeof H5.Group;
  readonly FS: Awaited<typeof H5.ready>['FS'];
}

/**
 * Loads h5wasm (HDF5 compiled to WebAssembly, about 4 MB) on first use: importing `@snn/nir`
 * costs nothing until a file is read or written. The module system caches the import.
 */
export async function loadH5(): Promise<H5Api> {
  let mod: typeof H5;
  try {
    mod = await import('h5wasm');
  } catch (error) {
    throw new Error(
      `@snn/nir: could not load h5wasm, the HDF5 library NIR files need (${error instanceof Error ? error.message : String(error)}). Install it with \`npm install h5wasm\`.`,
    );
  }
  const h5 = mod.default ?? mod;
  const module = await h5.ready;
  return { File: h5.File, Dataset: h5.Dataset, Group: h5.Group, FS: module.FS };
}

/** A fresh path in h5wasm's in-memory file system (calls may overlap). */
export function scratchPath(kind: string): string {
  return `/snn-nir-${kind}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}.h5`;
}

/** Runs `fn` on `bytes` opened as an HDF5 file, then removes the in-memory copy. */
export async function withFile<T>(bytes: Uint8Array, fn: (file: H5.File, api: H5Api) => T): Promise<T> {
  const api = await loadH5();
  const path = scratchPath('read');
  api.FS.writeFile(path, bytes);
  let file: H5.File | undefined;
  try {
    file = new api.File(path, 'r');
    return fn(file, api);
  } finally {
    file?.close();
    api.FS.unlink(path);
  }
}
