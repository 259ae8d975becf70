import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { MANIFEST, mnistSubsetUrls } from '@snn/mnist-subset';
import { describe, expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const script = join(pkg, 'scripts', 'generate.mjs');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const mnistDir = process.env.SNN_MNIST_DIR;
if (!mnistDir)
  console.warn(
    'skipping the regeneration check: set SNN_MNIST_DIR to the folder of the official MNIST .gz files',
  );

describe('the shipped files', () => {
  const urls = mnistSubsetUrls();
  const gzImages = readFileSync(urls.images);
  const gzLabels = readFileSync(urls.labels);
  const images = gunzipSync(gzImages);
  const labels = gunzipSync(gzLabels);

  it('match the checksums and sizes of the manifest', () => {
    expect(gzImages.length).toBe(MANIFEST.files.images.bytes);
    expect(sha256(gzImages)).toBe(MANIFEST.files.images.sha256);
    expect(sha256(images)).toBe(MANIFEST.files.images.rawSha256);
    expect(sha256(gzLabels)).toBe(MANIFEST.files.labels.sha256);
    expect(sha256(labels)).toBe(MANIFEST.files.labels.rawSha256);
    expect(gzImages.length + gzLabels.length).toBeLessThan(2_000_000);
  });

  it('are IDX files of 10,000 28x28 images and 10,000 labels with the manifest histogram', () => {
    expect([0, 4, 8, 12].map((o) => images.readUInt32BE(o))).toEqual([0x803, 10_000, 28, 28]);
    expect(images.length).toBe(16 + 10_000 * 784);
    expect([labels.readUInt32BE(0), labels.readUInt32BE(4)]).toEqual([0x801, 10_000]);
    const hist = new Array(10).fill(0);
    for (const l of labels.subarray(8)) hist[l]++;
    expect(hist).toEqual(MANIFEST.labelHistogram);
    // MNIST's first training label is a 5, its second a 0.
    expect([labels[8], labels[9]]).toEqual([5, 0]);
  });
});

describe('scripts/generate.mjs', () => {
  it.skipIf(!mnistDir)('regenerates exactly the committed data and manifest from the official files', () => {
    const out = execFileSync(process.execPath, [script, '--check', '--from', mnistDir!], {
      encoding: 'utf8',
    });
    expect(out).toMatch(/train-images-10k-idx3-ubyte\.gz: (identical|same bytes)/);
    expect(out).toMatch(/manifest\.ts: identical/);
  });

  it('refuses files that are not the official ones, naming the MD5s', () => {
    const dir = mkdtempSync(join(tmpdir(), 'snn-subset-'));
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), 'not mnist');
    writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), 'not mnist');
    const r = spawnSync(process.execPath, [script, '--check', '--from', dir], { encoding: 'utf8' });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/has MD5 [0-9a-f]{32}, not the official f68b3c2dcbeaaa9fbdd348bbdeb94873/);
  });

  it('says how to name the source folder when there is none', () => {
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--from <folder with the official MNIST \.gz files> or set SNN_MNIST_DIR/);
  });
});
