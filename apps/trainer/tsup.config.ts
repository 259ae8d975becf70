import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { cli: 'src/cli.ts', index: 'src/index.ts', 'worker-model': 'src/worker-model.ts' },
  format: ['esm'],
  // Types of the library entry (`import { runTrain } from '@snn/trainer'`), read from the built @snn packages.
  dts: { entry: 'src/index.ts', compilerOptions: { customConditions: [] } },
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  banner: { js: '#!/usr/bin/env node' },
});
