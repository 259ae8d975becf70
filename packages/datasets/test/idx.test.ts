import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DATASETS, DatasetFileError, imageSplit, maybeGunzip, md5Hex, parseIdx } from '@snn/datasets';
import { readDatasetDir } from '@snn/datasets/node';
import { describe, expect, it } from 'vitest';
import { idxBytes } from './helpers.js';

describe('IDX reader', () => {
  it('reads uint8 images and big-endian typed data', () => {
    const img = parseIdx(
      idxBytes(0x08, [2, 2, 3], Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])),
      'a',
    );
    expect(img.type).toBe('uint8');
    expect(img.dims).toEqual([2, 2, 3]);
    expect(Array.from(img.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const i16 = parseIdx(idxBytes(0x0b, [2], Uint8Array.from([0x01, 0x02, 0xff, 0xfe])), 'b');
    expect(Array.from(i16.data)).toEqual([0x0102, -2]);
    const f32 = new Uint8Array(4);
    new DataView(f32.buffer).setFloat32(0, 1.5, false);
    expect(Array.from(parseIdx(idxBytes(0x0d, [1], f32), 'c').data)).toEqual([1.5]);
  });

  const cases: [string, Uint8Array, RegExp][] = [
    [
      'wrong magic',
      Uint8Array.from([1, 2, 8, 1, 0, 0, 0, 1, 5]),
      /f: wrong magic number 0x01020801: not an IDX file/,
    ],
    ['gzip not decompressed', gzipSync(Uint8Array.from([0, 0, 8, 1])), /it is gzip-compressed/],
    ['unknown type', Uint8Array.from([0, 0, 0x42, 1, 0, 0, 0, 1, 5]), /unknown IDX element type code 0x42/],
    ['truncated header', Uint8Array.from([0, 0, 8, 3, 0, 0]), /truncated inside the header/],
    [
      'truncated data',
      idxBytes(0x08, [10, 28, 28], new Uint8Array(100)),
      /truncated: the header declares \[10 x 28 x 28\] uint8 \(7856 bytes\) but the file has 116/,
    ],
    [
      'extra bytes',
      idxBytes(0x08, [2], new Uint8Array(5)),
      /size mismatch: 3 bytes after the declared \[2\] uint8 data/,
    ],
    ['empty', new Uint8Array(0), /too short for an IDX header/],
  ];
  for (const [name, bytes, message] of cases) {
    it(`rejects ${name} with a message naming the file`, () => {
      expect(() => parseIdx(bytes, 'f')).toThrow(DatasetFileError);
      expect(() => parseIdx(bytes, 'f')).toThrow(message);
    });
  }

  it('rejects bad gzip, and image/label mismatches', async () => {
    const gz = gzipSync(idxBytes(0x08, [3], new Uint8Array(3)));
    await expect(maybeGunzip(gz.subarray(0, gz.length - 6), 'x.gz')).rejects.toThrow(
      /x\.gz: not valid gzip data/,
    );
    expect(Array.from((await maybeGunzip(gz, 'x.gz')).subarray(0, 4))).toEqual([0, 0, 8, 1]);
    const images = parseIdx(idxBytes(0x08, [3, 2, 2], new Uint8Array(12)), 'img');
    const labels = parseIdx(idxBytes(0x08, [2], Uint8Array.from([0, 1])), 'lab');
    expect(() => imageSplit(images, labels, { images: 'img', labels: 'lab' })).toThrow(
      /lab: image\/label count mismatch: 2 labels for 3 images in img/,
    );
    const bad = parseIdx(idxBytes(0x08, [3], Uint8Array.from([0, 12, 1])), 'lab');
    expect(() => imageSplit(images, bad, { images: 'img', labels: 'lab' }, 10)).toThrow(
      /label 12 at index 1 is not a class in \[0, 10\)/,
    );
  });

  it('a folder with a corrupt or missing file fails with the file named', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snn-idx-'));
    await expect(readDatasetDir(DATASETS.mnist, dir)).rejects.toThrow(
      /missing train-images-idx3-ubyte\.gz, train-labels/,
    );
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), idxBytes(0x08, [2, 28, 28], new Uint8Array(2 * 784)));
    writeFileSync(
      join(dir, 'train-labels-idx1-ubyte.gz'),
      gzipSync(idxBytes(0x08, [2], Uint8Array.from([3, 4]))),
    );
    writeFileSync(
      join(dir, 't10k-images-idx3-ubyte.gz'),
      gzipSync(idxBytes(0x08, [1, 28, 28], new Uint8Array(784))).subarray(0, 30),
    );
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idxBytes(0x08, [1], Uint8Array.from([1])));
    await expect(readDatasetDir(DATASETS.mnist, dir)).rejects.toThrow(
      /t10k-images-idx3-ubyte\.gz: not valid gzip data/,
    );
  });
});

describe('md5', () => {
  it('matches the RFC test vectors and node:crypto', () => {
    const enc = new TextEncoder();
    expect(md5Hex(enc.encode(''))).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(md5Hex(enc.encode('abc'))).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(md5Hex(enc.encode('The quick brown fox jumps over the lazy dog'))).toBe(
      '9e107d9d372bb6826bd81d3542a419d6',
    );
    for (const n of [55, 56, 63, 64, 65, 1000, 100_003]) {
      const b = new Uint8Array(randomBytes(n));
      expect(md5Hex(b)).toBe(createHash('md5').update(b).digest('hex'));
    }
  });
});
