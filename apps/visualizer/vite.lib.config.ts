import { defineConfig } from 'vite';
import { digitsPlugin } from './digits-plugin';

/** What the library leaves to the host's bundler: tfjs (peer dependencies), @snn packages, uPlot. */
export const external = (id: string): boolean =>
  /^@tensorflow\//.test(id) || /^@snn\//.test(id) || id === 'uplot';

// The embeddable library (`@snn/visualizer`): ES modules exporting mountVisualizer and
// defineVisualizerElement; tfjs and its backends are the page's (peer dependencies), the bundled
// digits a chunk of their own, and no wasm binary is inlined (see `wasmPaths`).
export default defineConfig({
  plugins: [digitsPlugin()],
  resolve: { conditions: ['@snn/source'] },
  build: {
    outDir: 'dist/lib',
    target: 'es2022',
    sourcemap: true,
    lib: { entry: 'src/index.ts', formats: ['es'], fileName: () => 'visualizer.js' },
    rolldownOptions: { external },
  },
});
