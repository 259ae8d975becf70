import { readFileSync } from 'node:fs';
import { DATASETS, type DatasetId, type ImageSplit, makeBatch, pixelTable } from '@snn/datasets';
import { describeBackends } from '@snn/test-utils';
import { expect, it } from 'vitest';

/** What PyTorch 1.13 computed for every byte (scripts/torch-pixel-table.py). */
interface TorchTable {
  torch: string;
  scaled_f32_bits: string[];
  normalized: Record<DatasetId, { mean: number; std: number; f32_bits: string[] }>;
}
const torch = JSON.parse(
  readFileSync(new URL('./fixtures/torch-pixel-table.json', import.meta.url), 'utf8'),
) as TorchTable;

/** A float32 from the 8 hex digits of its bits. */
const fromBits = (hex: string) => new Float32Array(Uint32Array.of(Number.parseInt(hex, 16)).buffer)[0]!;

/** The bytes whose value differs from PyTorch's (all 256 compared bit for bit). */
function mismatches(values: Float32Array, bits: readonly string[]): string[] {
  expect(values.length).toBe(256);
  expect(bits.length).toBe(256);
  return bits.flatMap((h, byte) =>
    Object.is(values[byte], fromBits(h)) ? [] : [`byte ${byte}: ${values[byte]} vs torch ${fromBits(h)}`],
  );
}

it("pixelTable equals PyTorch's ToTensor + Normalize bit for bit, for all 256 bytes of every registry dataset", () => {
  for (const [id, t] of Object.entries(torch.normalized) as [
    DatasetId,
    TorchTable['normalized'][DatasetId],
  ][]) {
    // The fixture covers what the registry normalises with.
    expect([DATASETS[id].mean, DATASETS[id].std]).toEqual([t.mean, t.std]);
    expect(mismatches(pixelTable({ normalize: { mean: t.mean, std: t.std } }), t.f32_bits), id).toEqual([]);
  }
  expect(mismatches(pixelTable(), torch.normalized.mnist.f32_bits), 'default (MNIST)').toEqual([]);
  expect(mismatches(pixelTable({ normalize: false }), torch.scaled_f32_bits), 'ToTensor only').toEqual([]);
  expect(Array.from(pixelTable({ scale: false, normalize: false }))).toEqual(
    Array.from({ length: 256 }, (_, b) => b),
  );
});

it('the fold into one multiply-add in doubles (what makeBatch did) misses PyTorch on many bytes', () => {
  const { mean, std } = torch.normalized.mnist;
  const folded = Float32Array.from({ length: 256 }, (_, b) => b * (1 / 255 / std) - mean / std);
  expect(mismatches(folded, torch.normalized.mnist.f32_bits).length).toBe(173);
});

describeBackends('makeBatch', {}, () => {
  it("makeBatch's pixels are the table's: every byte of a 16×16 image", async () => {
    const split: ImageSplit = {
      count: 1,
      rows: 16,
      cols: 16,
      images: Uint8Array.from({ length: 256 }, (_, b) => 255 - b),
      labels: Uint8Array.of(3),
    };
    const batch = makeBatch(split, [0], { flatten: true });
    const values = await batch.images.data();
    const expected = torch.normalized.mnist.f32_bits.map(fromBits);
    expect(Array.from(values)).toEqual(Array.from({ length: 256 }, (_, k) => expected[255 - k]));
    batch.images.dispose();
    batch.labels.dispose();
  });
});

it('refuses a zero or non-finite std', () => {
  expect(() => pixelTable({ normalize: { mean: 0.5, std: 0 } })).toThrow(
    /non-zero std, got mean 0.5 and std 0/,
  );
  expect(() => pixelTable({ normalize: { mean: Number.NaN, std: 1 } })).toThrow(/finite mean/);
});
