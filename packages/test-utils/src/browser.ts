import type { BackendLoader, BackendName } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Backend loaders for tests in headless Chromium (Vite): static imports so Vite bundles every
 * backend, and the wasm binaries as asset URLs. One wasm thread: threads need cross-origin
 * isolation and hang minified builds (ENVIRONMENT.md).
 */
export const BROWSER_LOADERS: Partial<Record<BackendName, BackendLoader>> = {
  webgl: () => import('@tensorflow/tfjs-backend-webgl'),
  webgpu: () => import('@tensorflow/tfjs-backend-webgpu'),
  cpu: () => import('@tensorflow/tfjs-backend-cpu'),
  wasm: async () => {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const [simd, plain, threaded] = await Promise.all([
      import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url'),
      import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url'),
      import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url'),
    ]);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    wasm.setWasmPaths({
      'tfjs-backend-wasm-simd.wasm': simd.default,
      'tfjs-backend-wasm.wasm': plain.default,
      'tfjs-backend-wasm-threaded-simd.wasm': threaded.default,
    });
    return wasm;
  },
};

/** The backends browser tests run on. */
export const BROWSER_BACKENDS: readonly BackendName[] = ['webgl', 'webgpu', 'wasm', 'cpu'];

export { expectClose, expectEqual } from './close.js';
