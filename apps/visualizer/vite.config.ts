import { defineConfig } from 'vite';
import { digitsPlugin } from './digits-plugin';

// The standalone page (`pnpm -F visualizer dev`, `vite build` → dist/app, servable from any static server).
export default defineConfig({
  base: './',
  plugins: [digitsPlugin()],
  resolve: { conditions: ['@snn/source'] },
  build: { outDir: 'dist/app', target: 'es2022', chunkSizeWarningLimit: 4000 },
  worker: { format: 'es' },
});
