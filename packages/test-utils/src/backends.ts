import { type BackendLoader, type BackendName, detectPlatform, useBackend } from '@snn/core';
import { beforeAll, describe, it } from 'vitest';
import { nodeWebGPUStatus, TEST_DAWN } from './webgpu-node.js';

/** What each test body learns about the backend it runs on. */
export interface BackendTestContext {
  /** The backend this copy of the body runs on. */
  readonly backend: BackendName;
  /**
   * Absolute tolerance for values of order 1 computed in float32 on this backend: about float32's
   * machine epsilon where kernels are IEEE (cpu, wasm), looser for GPU shaders.
   */
  readonly epsilon: number;
}

/** Which backends a body runs on. */
export interface BackendConstraints {
  /** Only these (when available). */
  readonly only?: readonly BackendName[];
  /** Never these. */
  readonly exclude?: readonly BackendName[];
}

const EPSILON: Readonly<Record<BackendName, number>> = {
  cpu: 1e-6,
  wasm: 1e-6,
  tensorflow: 1e-6,
  'tensorflow-gpu': 1e-5,
  webgpu: 1e-5,
  webgl: 1e-3,
};

/** Static imports, so bundlers (vitest browser mode, Vite) can see every backend package. */
export const TEST_LOADERS: Partial<Record<BackendName, BackendLoader>> = {
  cpu: () => import('@tensorflow/tfjs-backend-cpu'),
  wasm: () => import('@tensorflow/tfjs-backend-wasm'),
  // In Node, useBackend installs Dawn's navigator.gpu before calling this.
  webgpu: () => import('@tensorflow/tfjs-backend-webgpu'),
};

/** Registers more loaders (e.g. webgl and webgpu in browser tests). */
export function addTestLoaders(loaders: Partial<Record<BackendName, BackendLoader>>): void {
  Object.assign(TEST_LOADERS, loaders);
}

function envBackends(): BackendName[] | undefined {
  const raw = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
    ?.SNN_BACKENDS;
  if (raw === undefined || raw.trim() === '') return undefined;
  return raw.split(',').map((s) => s.trim()) as BackendName[];
}

let browserBackends: BackendName[] = ['webgl', 'webgpu', 'wasm', 'cpu'];

/** Sets the backends browser tests run on (the browser test setup calls this). */
export function setBrowserBackends(names: BackendName[]): void {
  browserBackends = names;
}

/**
 * The backends tests run on here: `SNN_BACKENDS` (comma-separated) when set; otherwise cpu and
 * wasm in Node (plus webgpu for bodies that ask for it, where it runs: see {@link describeBackends}),
 * and the browser list in a browser.
 */
export function availableBackends(): BackendName[] {
  return envBackends() ?? (detectPlatform() === 'node' ? ['cpu', 'wasm'] : browserBackends);
}

/** Makes `name` the active backend (throws with the reason when it cannot start). */
export async function activateBackend(name: BackendName): Promise<void> {
  // In Node, choose the Vulkan driver the probe found working (SwiftShader where no GPU driver serves).
  if (name === 'webgpu' && detectPlatform() === 'node') nodeWebGPUStatus();
  const loader = TEST_LOADERS[name];
  await useBackend(name, {
    ...(loader ? { loaders: { [name]: loader } } : {}),
    ...(name === 'webgpu' ? { dawn: TEST_DAWN } : {}),
  });
}

let webgpuSkipNoted = false;

/**
 * Whether a body that lists webgpu in `only` runs on it in Node: where Dawn's `webgpu` package
 * finds an adapter (the machine's GPU, or SwiftShader where Vulkan has no other driver). When it
 * does not, the body is reported as skipped with the reason (once per file on the console).
 */
function nodeWebGPU(): { run: boolean; reason?: string } {
  const s = nodeWebGPUStatus();
  if (s.available) return { run: true };
  if (!webgpuSkipNoted) {
    webgpuSkipNoted = true;
    console.log(`[test-utils] webgpu tests skipped in Node: ${s.reason}`);
  }
  return { run: false, reason: s.reason };
}

/**
 * One test body, run once per available backend: `describe('<name> [<backend>]', ...)`, with the
 * backend made active before the body's tests run (tfjs's `describeWithFlags(ALL_ENVS)` for @snn).
 *
 * @example
 * ```ts
 * describeBackends('threshold', {}, ({ backend, epsilon }) => {
 *   it('spikes above zero', async () => { ... });
 * });
 * ```
 */
export function describeBackends(
  name: string,
  constraints: BackendConstraints,
  body: (ctx: BackendTestContext) => void,
): void {
  const allowed = (b: BackendName) =>
    (constraints.only === undefined || constraints.only.includes(b)) && !constraints.exclude?.includes(b);
  const names = availableBackends().filter(allowed);
  if (
    detectPlatform() === 'node' &&
    envBackends() === undefined &&
    constraints.only?.includes('webgpu') &&
    allowed('webgpu')
  ) {
    const gpu = nodeWebGPU();
    if (gpu.run) names.push('webgpu');
    else
      describe(`${name} [webgpu]`, () => {
        it.skip(`webgpu unavailable in Node: ${gpu.reason}`, () => {});
      });
  }
  for (const backend of names) {
    describe(`${name} [${backend}]`, () => {
      beforeAll(async () => {
        await activateBackend(backend);
      });
      body({ backend, epsilon: EPSILON[backend] });
    });
  }
}
