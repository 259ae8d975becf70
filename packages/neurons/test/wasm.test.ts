import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import wabtInit from 'wabt';
import { simdKernels } from '../src/kernels/simd/simd.js';
import { KERNELS_WASM_BASE64 } from '../src/kernels/simd/wasm-kernels.js';

describe('the WebAssembly SIMD kernels', () => {
  it('src/kernels/simd/wasm-kernels.ts is wasm/kernels.wat compiled (run `pnpm --filter @snn/neurons build:wasm`)', async () => {
    const wabt = await wabtInit();
    const source = readFileSync(fileURLToPath(new URL('../wasm/kernels.wat', import.meta.url)), 'utf8');
    const mod = wabt.parseWat('kernels.wat', source, { simd: true });
    mod.validate();
    expect(Buffer.from(mod.toBinary({}).buffer).toString('base64')).toBe(KERNELS_WASM_BASE64);
  });

  it('instantiate in Node 20 (WebAssembly SIMD) and stay under the 4 KB synchronous-compile limit of browsers', () => {
    expect(simdKernels()).not.toBeNull();
    expect(Buffer.from(KERNELS_WASM_BASE64, 'base64').length).toBeLessThan(4096);
  });
});
