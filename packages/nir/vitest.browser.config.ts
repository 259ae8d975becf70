import { resolve } from 'node:path';
import { defineProject } from 'vitest/config';
import { sharedBrowserConfig } from '../../vitest.shared';

// Golden NIR files are fetched by the browser through Vite's /@fs/ route: allow their folder and
// tell the tests where it is ('' when SNN_GOLDEN_DIR is unset: those tests skip).
const golden = process.env.SNN_GOLDEN_DIR ? resolve(process.env.SNN_GOLDEN_DIR) : '';
const base = await sharedBrowserConfig('nir');
export default defineProject({
  ...base,
  define: { __SNN_GOLDEN_DIR__: JSON.stringify(golden) },
  server: { fs: { allow: ['../..', ...(golden ? [golden] : [])] } },
  optimizeDeps: { exclude: ['h5wasm'] },
});
