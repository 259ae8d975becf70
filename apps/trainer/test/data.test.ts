import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cli, deadPid, mnistDir, snn, stackTrace, tmp } from './helpers.js';

/** An IDX file: magic, big-endian dimensions, bytes. */
function idx(dims: number[], body: Uint8Array): Uint8Array {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  for (const [k, d] of dims.entries()) head.writeUInt32BE(d, 4 + 4 * k);
  return Buffer.concat([head, body]);
}

/** Four well-formed IDX files of noise: they parse, they are not MNIST. */
function noiseDir(): string {
  const dir = tmp('noise');
  let s = 7;
  const bytes = (n: number, mod = 256) =>
    Uint8Array.from({ length: n }, () => {
      s = (s * 16807) % 2147483647;
      return s % mod;
    });
  const write = (name: string, dims: number[], body: Uint8Array) =>
    writeFileSync(join(dir, name), gzipSync(idx(dims, body)));
  write('train-images-idx3-ubyte.gz', [256, 28, 28], bytes(256 * 784));
  write('train-labels-idx1-ubyte.gz', [256], bytes(256, 10));
  write('t10k-images-idx3-ubyte.gz', [64, 28, 28], bytes(64 * 784));
  write('t10k-labels-idx1-ubyte.gz', [64], bytes(64, 10));
  return dir;
}

const small = [
  '--limit-train',
  '64',
  '--limit-test',
  '64',
  '--batch-size',
  '32',
  '--seq-length',
  '4',
  '--hidden',
  '8',
  '--threads',
  '1',
  '--backend',
  'wasm',
];

// A --data-dir is verified: its files' MD5s must be the official ones unless --allow-unverified,
// and an unverified run says so in config.json and summary.md.
describe.runIf(existsSync(cli) || process.env.CI)('dataset files are verified (built CLI)', () => {
  it('IDX noise passed as MNIST is refused (exit 3, nothing written); --allow-unverified trains and records it', () => {
    const dir = noiseDir();
    const out = join(tmp('noise-run'), 'run');
    const r = snn(['train', ...small, '--data-dir', dir, '--out', out]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(
      /not the official MNIST handwritten digits files:\n\s+.*train-images-idx3-ubyte\.gz: its MD5 is not that of/,
    );
    expect(r.stderr).toMatch(/add --allow-unverified/);
    expect(r.stderr).not.toMatch(stackTrace);
    expect(existsSync(out)).toBe(false);

    const ok = snn(['train', ...small, '--data-dir', dir, '--out', out, '--allow-unverified', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(
      ok.json.find((e) => e.event === 'warning' && /UNVERIFIED dataset files/.test(String(e.message))),
    ).toBeTruthy();
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config.options.allowUnverified).toBe(true);
    expect(config.dataset.verified).toBe(false);
    expect(config.dataset.unverified).toHaveLength(4);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/\*\*UNVERIFIED dataset files\*\*/);
    // eval of that run keeps its consent (recorded in config.json) and says so again.
    const e = snn(['eval', out, '--data-dir', dir, '--json']);
    expect(e.code, e.stderr).toBe(0);
    expect(
      e.json.find((x) => x.event === 'warning' && /UNVERIFIED dataset files/.test(String(x.message))),
    ).toBeTruthy();
  }, 120_000);

  it.runIf(mnistDir)(
    'MNIST passed as Fashion-MNIST, and test files copied over train files, are refused',
    () => {
      const asFashion = snn([
        'train',
        ...small,
        '--dataset',
        'fashion-mnist',
        '--data-dir',
        mnistDir!,
        '--out',
        join(tmp('f'), 'run'),
      ]);
      expect(asFashion.code).toBe(3);
      expect(asFashion.stderr).toMatch(/not the official Fashion-MNIST \(Zalando\) files/);
      const swapped = tmp('swapped');
      copyFileSync(join(mnistDir!, 't10k-images-idx3-ubyte.gz'), join(swapped, 'train-images-idx3-ubyte.gz'));
      copyFileSync(join(mnistDir!, 't10k-labels-idx1-ubyte.gz'), join(swapped, 'train-labels-idx1-ubyte.gz'));
      for (const f of ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'])
        copyFileSync(join(mnistDir!, f), join(swapped, f));
      const r = snn(['train', ...small, '--data-dir', swapped, '--out', join(tmp('s'), 'run')]);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(
        /train-images-idx3-ubyte\.gz: its MD5 is not that of MNIST handwritten digits's train-images/,
      );
      expect(r.stderr).not.toMatch(/t10k-images-idx3-ubyte\.gz: its MD5/);
    },
    120_000,
  );

  it('removes the .partial downloads a killed process left in the cache', () => {
    const cache = tmp('xdg');
    const partial = join(cache, 'snn', 'mnist', `train-images-idx3-ubyte.gz.partial-${deadPid()}-0badc0de`);
    mkdirSync(join(cache, 'snn', 'mnist'), { recursive: true });
    writeFileSync(partial, 'half a download');
    const r = snn(
      ['train', ...small, '--data-dir', noiseDir(), '--allow-unverified', '--out', join(tmp('p'), 'run')],
      {
        env: { XDG_CACHE_HOME: cache },
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(partial)).toBe(false);
  }, 120_000);
});
