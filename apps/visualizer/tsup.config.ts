import { defineConfig } from 'tsup';

// Type declarations only (Vite builds the JavaScript): one .d.ts per published entry.
export default defineConfig({
  entry: { 'lib/index': 'src/index.ts', 'standalone/visualizer': 'src/standalone.ts' },
  outDir: 'dist',
  format: ['esm'],
  dts: { only: true, compilerOptions: { customConditions: [] } },
  clean: false,
  external: [/^@tensorflow\//, /^@snn\//, 'uplot'],
});
