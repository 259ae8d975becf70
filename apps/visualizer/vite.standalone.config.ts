import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import { digitsPlugin } from './digits-plugin';

/** The wasm binaries the visualizer can run (one thread: the threaded one is never used). */
const WASM_FILES = ['tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm.wasm'];

/** Copies tfjs's wasm binaries beside the bundle, where `src/standalone.ts` points `wasmPaths`. */
function wasmBinaries(): Plugin {
  return {
    name: 'snn-wasm-binaries',
    generateBundle() {
      const dist = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
      for (const fileName of WASM_FILES)
        this.emitFile({ type: 'asset', fileName, source: readFileSync(join(dist, fileName)) });
    },
  };
}

// The standalone bundle (`@snn/visualizer/standalone`): everything inside (tfjs, its backends, the
// @snn packages, uPlot) for a plain <script type="module"> page. Backends and the bundled digits are
// chunks loaded only when used; the wasm binaries are files beside it.
export default defineConfig({
  plugins: [digitsPlugin(), wasmBinaries()],
  resolve: { conditions: ['@snn/source'] },
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    outDir: 'dist/standalone',
    target: 'es2022',
    minify: true,
    chunkSizeWarningLimit: 4000,
    lib: { entry: 'src/standalone.ts', formats: ['es'], fileName: () => 'visualizer.js' },
  },
});
