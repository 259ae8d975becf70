import { type BackendChoice, type BackendLoader, type BackendName, useBackend } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';

/** The browser backends, fastest first, as static imports so the bundler ships them. */
export const BROWSER_LOADERS: Partial<Record<BackendName, BackendLoader>> = {
  webgpu: () => import('@tensorflow/tfjs-backend-webgpu'),
  webgl: () => import('@tensorflow/tfjs-backend-webgl'),
  cpu: () => import('@tensorflow/tfjs-backend-cpu'),
  wasm: async () => {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const [simd, plain, threaded] = await Promise.all([
      import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url'),
      import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url'),
      import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url'),
    ]);
    // Threads need cross-origin isolation and hang minified builds: one thread.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    wasm.setWasmPaths({
      'tfjs-backend-wasm-simd.wasm': simd.default,
      'tfjs-backend-wasm.wasm': plain.default,
      'tfjs-backend-wasm-threaded-simd.wasm': threaded.default,
    });
    return wasm;
  },
};

/** The order tried for `'auto'` in the browser. */
export const BROWSER_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/** Starts `preference`, falling back through the rest of the browser order; says what happened. */
export async function startBrowserBackend(preference: BackendName | 'auto'): Promise<BackendChoice> {
  const order =
    preference === 'auto' ? BROWSER_ORDER : [preference, ...BROWSER_ORDER.filter((b) => b !== preference)];
  return useBackend(order, { loaders: BROWSER_LOADERS, platform: 'browser' });
}
