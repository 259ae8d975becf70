import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/gradients.ts'],
  format: ['esm'],
  dts: { entry: 'src/index.ts', compilerOptions: { customConditions: [] } },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // tfjs-core's gradient registry is only reachable through extensionless ESM files that plain
  // Node cannot import; inline that subpath (its registries are global singletons) and keep
  // tfjs-core itself external so every app shares one engine.
  noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
  external: ['@tensorflow/tfjs-core'],
});
