// Every reader of outside data in @snn/datasets, fed thousands of random and mutated inputs: each
// ends in a DatasetFileError naming the file or in a valid result, never in another error, a hang
// or an allocation larger than its input promises.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  DATASETS,
  DatasetFileError,
  gunzipWeb,
  loadFromUrl,
  MAX_DECOMPRESSED_BYTES,
  parseIdx,
} from '@snn/datasets';
import { readDatasetDir } from '@snn/datasets/node';
import { mutatedBytes } from '@snn/test-utils/fuzz';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idxBytes } from './helpers.js';

/** Counts every input the properties below run (reported by the trainer README). */
const RUNS = { idx: 4000, gzip: 1000, dir: 300, url: 300 };

const SIZES: Record<string, number> = { uint8: 1, int8: 1, int16: 2, int32: 4, float32: 4, float64: 8 };

/** A valid IDX file of a random type and small random dimensions. */
const validIdx = fc
  .record({
    code: fc.constantFrom(0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e),
    dims: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 3 }),
  })
  .chain(({ code, dims }) => {
    const size = { 8: 1, 9: 1, 11: 2, 12: 4, 13: 4, 14: 8 }[code]!;
    const n = dims.reduce((a, b) => a * b, 1) * size;
    return fc.uint8Array({ minLength: n, maxLength: n }).map((body) => idxBytes(code, dims, body));
  });

const mutated = mutatedBytes;

/** Big-endian headers that declare huge dimensions over a tiny body. */
const hugeHeader = fc
  .tuple(
    fc.constantFrom(0x08, 0x0d, 0x0e),
    fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 4 }),
  )
  .map(([code, dims]) => idxBytes(code, dims, new Uint8Array(8)));

/** How many inputs of the current property were valid and how many refused: both must happen. */
let outcomes = { valid: 0, refused: 0 };
const expectFileError = (error: unknown) => {
  expect(error, String(error)).toBeInstanceOf(DatasetFileError);
  expect((error as DatasetFileError).file).toBeTypeOf('string');
  outcomes.refused++;
};
const expectBoth = () => {
  expect(outcomes.valid, 'some inputs should be valid').toBeGreaterThan(0);
  expect(outcomes.refused, 'some inputs should be refused').toBeGreaterThan(0);
  outcomes = { valid: 0, refused: 0 };
};

describe('fuzz: the readers of dataset files', () => {
  it(`parseIdx: ${RUNS.idx} random, mutated and huge-header inputs end in DatasetFileError or a consistent array`, () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), mutated(validIdx), hugeHeader), (bytes) => {
        try {
          const a = parseIdx(bytes, 'fuzz.idx');
          const count = a.dims.reduce((x, y) => x * y, 1);
          expect(a.data.length).toBe(count);
          // Never more data than the input holds.
          expect(count * SIZES[a.type]!).toBeLessThanOrEqual(bytes.length);
          outcomes.valid++;
        } catch (error) {
          expectFileError(error);
        }
      }),
      { numRuns: RUNS.idx, seed: 16 },
    );
    expectBoth();
  });

  it(`gunzip: ${RUNS.gzip} mutated gzip streams end in DatasetFileError or bytes; a gzip bomb is refused`, async () => {
    const gz = fc.uint8Array({ maxLength: 256 }).map((b) => new Uint8Array(gzipSync(b)));
    await fc.assert(
      fc.asyncProperty(mutated(gz), async (bytes) => {
        try {
          const out = await gunzipWeb(bytes, 'fuzz.gz');
          expect(out).toBeInstanceOf(Uint8Array);
          outcomes.valid++;
        } catch (error) {
          expectFileError(error);
        }
      }),
      { numRuns: RUNS.gzip, seed: 16, timeout: 5000, markInterruptAsFailure: true },
    );
    expectBoth();
    const bomb = new Uint8Array(gzipSync(new Uint8Array(4096 * 1024)));
    await expect(gunzipWeb(bomb, 'bomb.gz', 1024 * 1024)).rejects.toThrow(
      /decompresses to more than 1048576 bytes/,
    );
    expect(MAX_DECOMPRESSED_BYTES).toBe(256 * 1024 * 1024);
  }, 120_000);

  it(`readDatasetDir: ${RUNS.dir} folders of mutated MNIST-shaped files end in DatasetFileError or a checked split`, async () => {
    const images = (n: number) => idxBytes(0x08, [n, 28, 28], new Uint8Array(n * 784).fill(3));
    const labels = (n: number) =>
      idxBytes(
        0x08,
        [n],
        Uint8Array.from({ length: n }, (_, k) => k % 10),
      );
    const file = (valid: Uint8Array) =>
      fc.oneof(
        fc.constant(valid),
        mutated(fc.constant(valid)),
        fc.constant(new Uint8Array(gzipSync(valid))),
        mutated(fc.constant(new Uint8Array(gzipSync(valid)))),
      );
    const root = mkdtempSync(join(tmpdir(), 'snn-fuzz-dir-'));
    let k = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(file(images(3)), file(labels(3)), file(images(2)), file(labels(2))),
        async (four) => {
          const dir = join(root, String(k++));
          const names = Object.values(DATASETS.mnist.files).map((f) => f.name);
          const { mkdirSync } = await import('node:fs');
          mkdirSync(dir);
          four.forEach((bytes, i) => {
            // gzip bytes under the .gz name, raw bytes under the raw name.
            const gz = bytes[0] === 0x1f && bytes[1] === 0x8b;
            writeFileSync(join(dir, gz ? names[i]! : names[i]!.replace(/\.gz$/, '')), bytes);
          });
          try {
            const split = await readDatasetDir(DATASETS.mnist, dir);
            expect(split.train.count * 784).toBe(split.train.images.length);
            expect(split.unverified).toHaveLength(4);
            outcomes.valid++;
          } catch (error) {
            expectFileError(error);
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: RUNS.dir, seed: 16, timeout: 5000, markInterruptAsFailure: true },
    );
    expectBoth();
  }, 180_000);

  it(`loadFromUrl: ${RUNS.url} mutated responses end in DatasetFileError or a dataset`, async () => {
    const bodies = {
      'train-images-idx3-ubyte.gz': idxBytes(0x08, [2, 28, 28], new Uint8Array(2 * 784)),
      'train-labels-idx1-ubyte.gz': idxBytes(0x08, [2], Uint8Array.from([1, 2])),
      't10k-images-idx3-ubyte.gz': idxBytes(0x08, [1, 28, 28], new Uint8Array(784)),
      't10k-labels-idx1-ubyte.gz': idxBytes(0x08, [1], Uint8Array.from([3])),
    };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(bodies)),
        mutated(fc.constant(new Uint8Array(gzipSync(bodies['train-images-idx3-ubyte.gz'])))),
        fc.constantFrom(200, 200, 200, 403, 404, 500),
        async (target, bytes, status) => {
          const fetchFn = (async (url: string) => {
            const name = String(url).split('/').pop()!;
            const body =
              name === target ? bytes : new Uint8Array(gzipSync(bodies[name as keyof typeof bodies]));
            return new Response(body as Uint8Array<ArrayBuffer>, {
              status: name === target && status >= 300 ? status : 200,
            });
          }) as typeof fetch;
          try {
            const ds = await loadFromUrl('http://fuzz.invalid/', {
              fetch: fetchFn,
              cache: false,
              verify: false,
            });
            expect(ds.train.count + ds.test.count).toBeGreaterThan(0);
            outcomes.valid++;
          } catch (error) {
            expectFileError(error);
          }
        },
      ),
      { numRuns: RUNS.url, seed: 16, timeout: 5000, markInterruptAsFailure: true },
    );
    expectBoth();
  }, 120_000);
});
