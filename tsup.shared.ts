import type { Options } from 'tsup';

/** The build of every @snn library: ESM + .d.ts, tfjs-core and sibling packages left external. */
export function libraryConfig(entry: Options['entry'] = ['src/index.ts']): Options {
  return {
    entry,
    format: ['esm'],
    dts: { compilerOptions: { customConditions: [] } },
    sourcemap: true,
    clean: true,
    target: 'es2022',
    external: ['@tensorflow/tfjs-core', /^@snn\//],
  };
}
