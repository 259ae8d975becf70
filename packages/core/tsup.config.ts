import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/register-gradients.ts', 'src/register-gradients.node.ts'],
  format: ['esm'],
  dts: {
    entry: ['src/index.ts', 'src/register-gradients.ts'],
    compilerOptions: { customConditions: [] },
  },
  sourcemap: true,
  splitting: false,
  clean: true,
  target: 'es2022',
  // tfjs-core stays external everywhere: the library has no copy of it. Only the Node build of
  // `register-gradients` inlines tfjs-core's gradient entry point (spelled with `.js` there), which
  // plain Node ESM cannot import; bundlers import it from tfjs-core itself.
  noExternal: [/^@tensorflow\/tfjs-core\/dist\/register_all_gradients\.js$/],
  external: ['@tensorflow/tfjs-core'],
  // That inlined copy is tfjs-core's own code: no source map of it in the package.
  onSuccess: async () => {
    const file = 'dist/register-gradients.node.js';
    rmSync(`${file}.map`, { force: true });
    writeFileSync(file, readFileSync(file, 'utf8').replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n'));
  },
});
