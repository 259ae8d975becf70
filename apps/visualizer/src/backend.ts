import {
  type AdapterInfoLike,
  type BackendAttempt,
  type BackendChoice,
  type BackendLoader,
  type BackendName,
  gradientsRegistered,
  isSoftwareAdapter,
  useBackend,
} from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';

/** The three binaries of `@tensorflow/tfjs-backend-wasm`; tfjs fetches only the one it runs. */
export type WasmBinaryName =
  | 'tfjs-backend-wasm.wasm'
  | 'tfjs-backend-wasm-simd.wasm'
  | 'tfjs-backend-wasm-threaded-simd.wasm';

/**
 * Where the wasm backend finds its binaries: a folder URL ending in `/` (e.g. where you copied
 * `node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm`), or a URL for each of the three file
 * names (tfjs wants all three in a map, and fetches only the one it runs). Passed to tfjs's
 * `setWasmPaths`; leave it out when your page already called `setWasmPaths` itself.
 */
export type WasmPaths = string | Readonly<Record<WasmBinaryName, string>>;

/**
 * The browser backends as dynamic imports, so bundlers ship them as chunks that load only when
 * chosen. The wasm backend runs on one thread (threads need cross-origin isolation and hang
 * minified builds) and fetches only the binary it uses, from `wasmPaths` when given.
 */
export function browserLoaders(
  wasmPaths: WasmPaths | undefined,
): Partial<Record<BackendName, BackendLoader>> {
  return {
    webgpu: () => import('@tensorflow/tfjs-backend-webgpu'),
    webgl: () => import('@tensorflow/tfjs-backend-webgl'),
    cpu: () => import('@tensorflow/tfjs-backend-cpu'),
    wasm: async () => {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      if (wasmPaths !== undefined)
        typeof wasmPaths === 'string' ? wasm.setWasmPaths(wasmPaths) : wasm.setWasmPaths(wasmPaths);
      return wasm;
    },
  };
}

/** The order tried for `'auto'` in the browser. */
export const BROWSER_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/**
 * Starts `preference`, falling back through the rest of the browser order; says what happened.
 * This sets tfjs's one backend for the whole page (see the README: sharing the backend).
 */
export async function startBrowserBackend(
  preference: BackendName | 'auto',
  wasmPaths?: WasmPaths,
): Promise<BackendChoice> {
  let order =
    preference === 'auto' ? BROWSER_ORDER : [preference, ...BROWSER_ORDER.filter((b) => b !== preference)];
  const skipped: BackendAttempt[] = [];
  if (preference === 'auto') {
    // A software WebGPU adapter (SwiftShader, llvmpipe) runs on the CPU, slower than webgl or wasm.
    const software = await softwareWebGPU();
    if (software) {
      order = order.filter((b) => b !== 'webgpu');
      skipped.push({
        name: 'webgpu',
        ok: false,
        reason: `this browser's WebGPU runs in software (${software}), slower than the alternatives`,
      });
    }
  }
  const choice = await useBackend(order, { loaders: browserLoaders(wasmPaths), platform: 'browser' });
  return { ...choice, attempts: [...skipped, ...choice.attempts] };
}

/** The name of the page's WebGPU adapter when it is a software one; undefined otherwise. */
export async function softwareWebGPU(): Promise<string | undefined> {
  type Adapter = { info?: AdapterInfoLike; isFallbackAdapter?: boolean };
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<Adapter | null> } } })
    .navigator?.gpu;
  if (!gpu) return undefined;
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return undefined;
    const info = adapter.info ?? {};
    return isSoftwareAdapter(info, adapter.isFallbackAdapter === true)
      ? [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'a fallback adapter'
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The page's own backend, untouched: waits for tfjs to be ready (initialising the best registered
 * backend only if the page has not chosen one) and never calls `setBackend`.
 *
 * @throws Error when no tfjs backend is registered on the page.
 */
export async function hostBackend(): Promise<string> {
  await tf.ready();
  const name = tf.getBackend();
  if (!name)
    throw new Error('the page has no tfjs backend: import one (e.g. @tensorflow/tfjs-backend-webgl)');
  return name;
}

/**
 * Registers tfjs-core's gradients for the train panel, once, unless the page already has them:
 * the visualizer is an app, and apps register gradients (through `@snn/core/register-gradients`,
 * which bundlers resolve to tfjs-core's own entry point).
 */
export async function ensureGradients(): Promise<void> {
  if (!gradientsRegistered()) await import('@snn/core/register-gradients');
}

/** Why a backend did not start, in words for someone using a browser (no package names). */
export function browserReason(attempt: BackendAttempt | undefined): string {
  const reason = attempt?.reason ?? 'it did not start';
  if (attempt?.name === 'webgpu' && /navigator\.gpu is missing/.test(reason))
    return 'this browser does not offer WebGPU (recent Chrome, Edge and Safari do; some need it switched on)';
  if (attempt?.name === 'webgpu' && /no adapter/i.test(reason))
    return 'this browser offers WebGPU but no graphics adapter for it (the GPU or its driver is blocked)';
  if (attempt?.name === 'webgl')
    return 'this browser could not create a WebGL context (graphics acceleration may be off)';
  // Keep the first sentence, without install instructions meant for developers.
  return reason.split(/(?<=\.)\s/)[0]!.replace(/\.$/, '');
}
