import { defineConfig } from 'vite';
import { digitsPlugin } from './digits-plugin';

// The embeddable library: one ES module exporting mountVisualizer and defineVisualizerElement.
export default defineConfig({
  plugins: [digitsPlugin()],
  resolve: { conditions: ['@snn/source'] },
  build: {
    outDir: 'dist/lib',
    target: 'es2022',
    lib: { entry: 'src/index.ts', formats: ['es'], fileName: () => 'visualizer.js' },
    chunkSizeWarningLimit: 4000,
  },
});
