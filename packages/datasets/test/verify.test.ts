import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DATASETS, DatasetFileError } from '@snn/datasets';
import { loadDataset, readDatasetDir, removeStalePartials } from '@snn/datasets/node';
import { describe, expect, it } from 'vitest';
import { idxBytes } from './helpers.js';

const mnistDir = process.env.SNN_MNIST_DIR || undefined;

/** Four valid IDX files (gzip) that are not MNIST. */
function fakeDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'snn-fake-'));
  const gz = (name: string, dims: number[], body: Uint8Array) =>
    writeFileSync(join(dir, name), gzipSync(idxBytes(0x08, dims, body)));
  gz('train-images-idx3-ubyte.gz', [4, 28, 28], new Uint8Array(4 * 784).fill(9));
  gz('train-labels-idx1-ubyte.gz', [4], Uint8Array.from([0, 1, 2, 3]));
  gz('t10k-images-idx3-ubyte.gz', [2, 28, 28], new Uint8Array(2 * 784).fill(7));
  gz('t10k-labels-idx1-ubyte.gz', [2], Uint8Array.from([4, 5]));
  return dir;
}

describe('a folder of dataset files is checked against the official MD5s', () => {
  it('files that parse but are not the official ones load as unverified, or are refused with requireVerified', async () => {
    const dir = fakeDir();
    const read = await readDatasetDir(DATASETS.mnist, dir);
    expect(read.unverified).toHaveLength(4);
    expect(read.unverified[0]).toMatch(
      /train-images-idx3-ubyte\.gz: its MD5 is not that of MNIST handwritten digits's train-images-idx3-ubyte\.gz/,
    );
    const loose = await loadDataset('mnist', { dir, env: {} });
    expect(loose.unverified).toHaveLength(4);
    const refused = await loadDataset('mnist', { dir, env: {}, requireVerified: true }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(DatasetFileError);
    expect((refused as Error).message).toMatch(
      /not the official MNIST handwritten digits files:\n {2}.*train-images/,
    );
    // The same through the environment variable.
    await expect(
      loadDataset('mnist', { env: { SNN_MNIST_DIR: dir }, requireVerified: true }),
    ).rejects.toThrow(/not the official/);
  });

  it.runIf(mnistDir)(
    'the official files verify, gzipped or decompressed; as another dataset they do not',
    async () => {
      expect((await readDatasetDir(DATASETS.mnist, mnistDir!)).unverified).toEqual([]);
      const raw = mkdtempSync(join(tmpdir(), 'snn-raw-'));
      for (const f of Object.values(DATASETS.mnist.files))
        writeFileSync(
          join(raw, f.name.replace(/\.gz$/, '')),
          gunzipSync(readFileSync(join(mnistDir!, f.name))),
        );
      expect((await readDatasetDir(DATASETS.mnist, raw)).unverified).toEqual([]);
      expect((await readDatasetDir(DATASETS['fashion-mnist'], mnistDir!)).unverified).toHaveLength(4);
      // KMNIST has no known MD5 of its decompressed files: those cannot be verified.
      expect((await readDatasetDir(DATASETS.kmnist, raw)).unverified[0]).toMatch(
        /no checksum is known for the uncompressed file/,
      );
    },
    60_000,
  );

  it('removes partial downloads of processes that no longer run, never a live one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snn-partial-'));
    const dead = Number(
      spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
        .stdout,
    );
    const stale = join(dir, `train-images-idx3-ubyte.gz.partial-${dead}-0badc0de`);
    const live = join(dir, `train-labels-idx1-ubyte.gz.partial-${process.pid}-0badc0de`);
    writeFileSync(stale, 'x');
    writeFileSync(live, 'x');
    expect(await removeStalePartials(dir)).toEqual([`train-images-idx3-ubyte.gz.partial-${dead}-0badc0de`]);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true);
    // loadDataset cleans its cache folder whatever the source.
    const cache = mkdtempSync(join(tmpdir(), 'snn-cache-'));
    mkdirSync(cache, { recursive: true });
    writeFileSync(join(cache, `t10k-images-idx3-ubyte.gz.partial-${dead}-0badc0de`), 'x');
    await loadDataset('mnist', { dir: fakeDir(), cacheDir: cache, env: {} });
    expect(existsSync(join(cache, `t10k-images-idx3-ubyte.gz.partial-${dead}-0badc0de`))).toBe(false);
  });
});
