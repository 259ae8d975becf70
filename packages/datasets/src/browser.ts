import { describeDataset, type ImageDataset } from './dataset.js';
import { maybeGunzip } from './gunzip.js';
import { DatasetFileError, imageSplit, parseIdx } from './idx.js';
import { md5Hex } from './md5.js';
import { type DatasetId, datasetInfo } from './registry.js';

/** Progress of a multi-file load: bytes so far and (when known) in total, per file. */
export interface LoadProgress {
  readonly file: string;
  readonly loaded: number;
  readonly total: number | undefined;
}

/** Options of {@link loadFromUrl}. */
export interface UrlOptions {
  readonly dataset?: DatasetId;
  readonly onProgress?: (p: LoadProgress) => void;
  /** Keep the files in the Cache Storage API so a reload does not refetch. Default `true` where available. */
  readonly cache?: boolean;
  /** Check the files' MD5 against the registry. Default `true`. */
  readonly verify?: boolean;
  readonly fetch?: typeof fetch;
  readonly signal?: AbortSignal;
}

const CACHE_NAME = 'snn-datasets-v1';

async function readBody(
  response: Response,
  file: string,
  onProgress?: (p: LoadProgress) => void,
): Promise<Uint8Array> {
  const total = Number(response.headers.get('content-length')) || undefined;
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onProgress?.({ file, loaded, total });
  }
  const out = new Uint8Array(loaded);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  if (total !== undefined && loaded !== total)
    throw new DatasetFileError(file, `connection closed after ${loaded} of ${total} bytes`);
  return out;
}

/**
 * Loads a dataset's four files from `baseUrl` with `fetch` (browsers, workers, Node): progress,
 * MD5 check against the registry, and the Cache Storage API so a reload does not refetch.
 * A corrupt response is never cached.
 */
export async function loadFromUrl(baseUrl: string, options: UrlOptions = {}): Promise<ImageDataset> {
  const info = datasetInfo(options.dataset ?? 'mnist');
  const doFetch = options.fetch ?? fetch;
  const cacheStorage = (globalThis as { caches?: CacheStorage }).caches;
  const cache = options.cache !== false && cacheStorage ? await cacheStorage.open(CACHE_NAME) : undefined;
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const load = async (f: { name: string; md5: string }) => {
    const url = new URL(f.name, base).href;
    const cached = await cache?.match(url);
    let bytes: Uint8Array;
    if (cached) bytes = new Uint8Array(await cached.arrayBuffer());
    else {
      const response = await doFetch(url, options.signal ? { signal: options.signal } : {});
      if (!response.ok) throw new DatasetFileError(url, `HTTP ${response.status} ${response.statusText}`);
      bytes = await readBody(response, f.name, options.onProgress);
    }
    if (options.verify !== false) {
      const sum = md5Hex(bytes);
      if (sum !== f.md5)
        throw new DatasetFileError(
          url,
          `checksum mismatch: MD5 ${sum}, expected ${f.md5} (corrupt or wrong file)`,
        );
    }
    if (cache && !cached) await cache.put(url, new Response(bytes as Uint8Array<ArrayBuffer>));
    return parseIdx(await maybeGunzip(bytes, f.name), f.name);
  };
  const { trainImages, trainLabels, testImages, testLabels } = info.files;
  const [a, b, c, d] = await Promise.all([
    load(trainImages),
    load(trainLabels),
    load(testImages),
    load(testLabels),
  ]);
  const train = imageSplit(a, b, { images: trainImages.name, labels: trainLabels.name }, info.classes.length);
  const test = imageSplit(c, d, { images: testImages.name, labels: testLabels.name }, info.classes.length);
  return {
    info,
    train,
    test,
    source: 'url',
    location: base,
    subset: false,
    unverified: options.verify === false ? ['checksums not checked (verify: false)'] : [],
    description: describeDataset(info, train, test, 'url', base, false),
  };
}

/** MNIST from a URL (the four official files under `baseUrl`). */
export function loadMnistFromUrl(
  baseUrl: string,
  options: Omit<UrlOptions, 'dataset'> = {},
): Promise<ImageDataset> {
  return loadFromUrl(baseUrl, { ...options, dataset: 'mnist' });
}
