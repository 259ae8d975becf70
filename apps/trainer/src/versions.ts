import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Versions of Node and of the packages a run used (recorded in config.json). */
export function versions(): Record<string, string> {
  const out: Record<string, string> = { node: process.version };
  for (const name of [
    '@tensorflow/tfjs-core',
    '@tensorflow/tfjs-backend-wasm',
    '@snn/core',
    '@snn/neurons',
    '@snn/train',
    '@snn/datasets',
  ]) {
    try {
      out[name] = (require(`${name}/package.json`) as { version: string }).version;
    } catch {
      out[name] = 'unknown';
    }
  }
  return out;
}
