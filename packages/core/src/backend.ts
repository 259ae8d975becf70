import * as tf from '@tensorflow/tfjs-core';
import {
  adapterLine,
  type DawnLoader,
  type DawnModule,
  describeAdapter,
  explainNoAdapter,
  type GPUAdapterReport,
  hasDawnGPU,
  hasGPUDevice,
  installDawn,
  uninstallDawn,
} from './webgpu.js';

/** The backends `@snn` knows how to start, from the fastest to the most portable. */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** A backend name, an ordered list of names to try, or `'auto'` (best for this platform). */
export type BackendPreference = BackendName | 'auto' | readonly (BackendName | 'auto')[];

/** Every backend name, fastest first. */
export const BACKEND_NAMES: readonly BackendName[] = [
  'tensorflow-gpu',
  'tensorflow',
  'webgpu',
  'webgl',
  'wasm',
  'cpu',
];

/** What a backend needs and how to add it; used in error messages and `snn-train info`. */
export interface BackendInfo {
  /** Our name for it. */
  readonly name: BackendName;
  /** The npm package that registers it. */
  readonly packageName: string;
  /** The name tfjs registers it under (`tf.getBackend()`). */
  readonly tfName: string;
  /** What it needs from the machine, in words. */
  readonly requires: string;
  /** Where it runs. */
  readonly platforms: readonly ('node' | 'browser')[];
}

/** What each backend is, needs and is called. */
export const BACKENDS: Readonly<Record<BackendName, BackendInfo>> = {
  'tensorflow-gpu': {
    name: 'tensorflow-gpu',
    packageName: '@tensorflow/tfjs-node-gpu',
    tfName: 'tensorflow',
    requires:
      'Linux x64 with an NVIDIA GPU, CUDA 11.2 and cuDNN 8.1, and network access while installing ' +
      '(its install script downloads libtensorflow)',
    platforms: ['node'],
  },
  tensorflow: {
    name: 'tensorflow',
    packageName: '@tensorflow/tfjs-node',
    tfName: 'tensorflow',
    requires: 'network access while installing (its install script downloads libtensorflow)',
    platforms: ['node'],
  },
  webgpu: {
    name: 'webgpu',
    packageName: '@tensorflow/tfjs-backend-webgpu',
    tfName: 'webgpu',
    requires:
      'a WebGPU implementation (navigator.gpu): a recent browser, or in Node the optional `webgpu` npm ' +
      'package (Dawn) with a GPU driver (Vulkan on Linux, Metal on macOS, Direct3D 12 on Windows)',
    platforms: ['browser', 'node'],
  },
  webgl: {
    name: 'webgl',
    packageName: '@tensorflow/tfjs-backend-webgl',
    tfName: 'webgl',
    requires: 'a browser with WebGL 1 or 2',
    platforms: ['browser'],
  },
  wasm: {
    name: 'wasm',
    packageName: '@tensorflow/tfjs-backend-wasm',
    tfName: 'wasm',
    requires: 'WebAssembly (every supported Node and browser)',
    platforms: ['node', 'browser'],
  },
  cpu: {
    name: 'cpu',
    packageName: '@tensorflow/tfjs-backend-cpu',
    tfName: 'cpu',
    requires: 'nothing (plain JavaScript)',
    platforms: ['node', 'browser'],
  },
};

/**
 * The order `'auto'` tries, per platform. In Node, `'auto'` takes webgpu only on a hardware adapter
 * (a software one, such as SwiftShader, is slower than wasm).
 */
export const AUTO_ORDER: Readonly<Record<'node' | 'browser', readonly BackendName[]>> = {
  node: ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'],
  browser: ['webgpu', 'webgl', 'wasm', 'cpu'],
};

/** Loads a backend's package for its side effect of registering the backend. */
export type BackendLoader = () => Promise<unknown>;

/** Options of {@link useBackend}. */
export interface UseBackendOptions {
  /**
   * How to import each backend's package. Defaults to `import(packageName)`. Bundled browser apps
   * pass static imports here so the bundler sees them, e.g.
   * `{ webgl: () => import('@tensorflow/tfjs-backend-webgl') }`.
   */
  readonly loaders?: Partial<Record<BackendName, BackendLoader>>;
  /** Silence tfjs's console banner about tfjs-node (sets tfjs's prod mode). Default `true`. */
  readonly quiet?: boolean;
  /** The platform whose `'auto'` order to use. Default: detected. */
  readonly platform?: 'node' | 'browser';
  /**
   * How to import Dawn's bindings for webgpu in Node (default `import('webgpu')`, resolved from
   * `@snn/core`): apps pass `() => import('webgpu')` so the package resolves from the app.
   */
  readonly dawn?: DawnLoader;
  /** Dawn's options for `create()` in Node, e.g. `['backend=vulkan']` or `['adapter=<name>']`. Default none. */
  readonly dawnOptions?: readonly string[];
  /**
   * Whether this machine has a GPU device for webgpu in Node; `'auto'` skips webgpu without loading
   * Dawn where it has none. Default {@link hasGPUDevice} (device nodes on Linux).
   */
  readonly gpuDevice?: () => boolean | Promise<boolean>;
}

/** One backend that {@link useBackend} tried. */
export interface BackendAttempt {
  readonly name: BackendName;
  readonly ok: boolean;
  /** Why it could not be used (absent when `ok`). */
  readonly reason?: string;
  /** For webgpu: the adapter it found (also when a software adapter was passed over). */
  readonly adapter?: GPUAdapterReport;
}

/** What {@link useBackend} chose, and what happened to every backend it tried first. */
export interface BackendChoice {
  /** The backend now active. */
  readonly name: BackendName;
  /** `tf.getBackend()` */
  readonly tfName: string;
  /** Every backend tried, in order, ending with the chosen one. */
  readonly attempts: readonly BackendAttempt[];
  /** For webgpu: the adapter tfjs computes on (vendor, architecture, software or not). */
  readonly adapter?: GPUAdapterReport;
}

/** Thrown by {@link useBackend} when no preferred backend could start; lists every reason. */
export class BackendUnavailableError extends Error {
  readonly attempts: readonly BackendAttempt[];
  constructor(attempts: readonly BackendAttempt[]) {
    super(
      `No requested tfjs backend could be started:\n${attempts.map((a) => `  - ${a.name}: ${a.reason}`).join('\n')}`,
    );
    this.name = 'BackendUnavailableError';
    this.attempts = attempts;
  }
}

/** `'node'` in Node.js (and Deno/Bun's Node mode), `'browser'` elsewhere. */
export function detectPlatform(): 'node' | 'browser' {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  const hasWindow = typeof (globalThis as { window?: unknown }).window !== 'undefined';
  return p?.versions?.node !== undefined && !hasWindow ? 'node' : 'browser';
}

/** Expands a preference into the ordered list of backends to try. */
export function resolvePreference(preference: BackendPreference, platform = detectPlatform()): BackendName[] {
  return expand(preference, platform).map((e) => e.name);
}

/** The backends to try in order of first mention, each marked when only `'auto'` asked for it. */
function expand(preference: BackendPreference, platform: 'node' | 'browser') {
  const items = typeof preference === 'string' ? [preference] : [...preference];
  const viaAuto = new Map<BackendName, boolean>();
  for (const item of items) {
    if (item === 'auto') {
      for (const name of AUTO_ORDER[platform]) if (!viaAuto.has(name)) viaAuto.set(name, true);
    } else if ((BACKEND_NAMES as readonly string[]).includes(item)) {
      viaAuto.set(item, false);
    } else {
      throw new TypeError(
        `Unknown backend ${JSON.stringify(item)}: use one of ${['auto', ...BACKEND_NAMES].join(', ')}.`,
      );
    }
  }
  return [...viaAuto].map(([name, auto]) => ({ name, viaAuto: auto }));
}

const importByName = (specifier: string): Promise<unknown> => import(/* @vite-ignore */ specifier);

/** A readable sentence for why a backend's package failed to load. */
export function explainLoadFailure(info: BackendInfo, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string } | undefined)?.code;
  const missing =
    code === 'ERR_MODULE_NOT_FOUND' ||
    code === 'MODULE_NOT_FOUND' ||
    /Cannot find (module|package)|Failed to resolve module specifier|Failed to fetch dynamically imported module/i.test(
      message,
    );
  const install = `npm install ${info.packageName}@^4.22.0 (or pnpm add / yarn add)`;
  if (missing) {
    return `${info.packageName} is not installed. It needs ${info.requires}. Add it with: ${install}.`;
  }
  if (/tfjs_binding\.node/.test(message)) {
    return (
      `${info.packageName} is installed but its native binding is missing: its install script did not run ` +
      `(pnpm runs it only where allowed: pnpm add ${info.packageName}@4.22.0 --allow-build=${info.packageName}) ` +
      `or could not download libtensorflow (it needs network access to storage.googleapis.com). It needs ${info.requires}. (${message})`
    );
  }
  return `${info.packageName} failed to load: ${message}. It needs ${info.requires}.`;
}

/**
 * Starts the first backend of `preference` that works and makes it tfjs's active backend.
 *
 * Apps and tests call this; libraries never do. Each backend's package is imported lazily, only
 * when it is tried. A missing or broken package is skipped with a reason naming the package, what
 * it needs and the command to add it; the reasons are returned (or thrown, when nothing works).
 *
 * `'auto'` is the best available for the platform: Node `tensorflow-gpu → tensorflow → webgpu → wasm
 * → cpu` (webgpu only on a hardware adapter), browser `webgpu → webgl → wasm → cpu`.
 *
 * WebGPU in Node runs on Dawn's bindings, the optional `webgpu` npm package: `useBackend` installs
 * its `navigator.gpu` before importing `@tensorflow/tfjs-backend-webgpu`, reports the adapter
 * (`choice.adapter`), and explains what is missing (the package, a Vulkan/Metal/D3D12 driver, an
 * adapter). Dawn keeps Node's event loop alive: call {@link releaseNodeWebGPU} (or `process.exit`)
 * when done.
 *
 * @example
 * ```ts
 * const choice = await useBackend('auto');
 * console.log(`using ${choice.name}`, choice.attempts.filter((a) => !a.ok));
 * ```
 * @throws BackendUnavailableError when no listed backend starts.
 */
export async function useBackend(
  preference: BackendPreference = 'auto',
  options: UseBackendOptions = {},
): Promise<BackendChoice> {
  const platform = options.platform ?? detectPlatform();
  const order = expand(preference, platform);
  const attempts: BackendAttempt[] = [];
  if (options.quiet ?? true) tf.env().set('PROD', true);
  for (const { name, viaAuto } of order) {
    const info = BACKENDS[name];
    if (!info.platforms.includes(platform)) {
      attempts.push({
        name,
        ok: false,
        reason: `${name} does not run in ${platform === 'node' ? 'Node.js' : 'a browser'}.`,
      });
      continue;
    }
    const load = options.loaders?.[name] ?? (() => importByName(info.packageName));
    let adapter: GPUAdapterReport | undefined;
    let reason: string | undefined;
    if (name === 'webgpu') {
      const gpu = await prepareWebGPU(platform, viaAuto, options);
      adapter = gpu.adapter;
      reason = gpu.reason ?? (await tryBackend(info, load, platform));
      if (reason !== undefined && gpu.installed) uninstallDawn();
    } else reason = await tryBackend(info, load, platform);
    const found = adapter ? { adapter } : {};
    if (reason === undefined) {
      attempts.push({ name, ok: true, ...found });
      return { name, tfName: tf.getBackend(), attempts, ...found };
    }
    attempts.push({ name, ok: false, reason, ...found });
  }
  throw new BackendUnavailableError(attempts);
}

/**
 * Makes `navigator.gpu` available (in Node from Dawn's `webgpu` package) and finds its adapter.
 * `'auto'` in Node passes a software adapter over (slower than wasm); naming webgpu takes it.
 */
async function prepareWebGPU(
  platform: 'node' | 'browser',
  viaAuto: boolean,
  options: UseBackendOptions,
): Promise<{ reason?: string; adapter?: GPUAdapterReport; installed: boolean }> {
  const requires = BACKENDS.webgpu.requires;
  const hasGPU = () => (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu !== undefined;
  let installed = false;
  if (!hasGPU()) {
    if (platform !== 'node')
      return {
        reason: `WebGPU is not available here (navigator.gpu is missing). It needs ${requires}.`,
        installed,
      };
    if (viaAuto && !(await (options.gpuDevice ?? (() => hasGPUDevice(importByName)))()))
      return {
        reason:
          "no GPU device here (none of /dev/dri/renderD*, /dev/nvidia*, /dev/dxg), so 'auto' does not " +
          'start WebGPU (only a software adapter, slower than wasm, could answer); ask for webgpu by name to use one.',
        installed,
      };
    const load = options.dawn ?? (async () => (await importByName('webgpu')) as DawnModule);
    const reason = await installDawn(load, options.dawnOptions);
    if (reason) return { reason, installed };
    installed = true;
  }
  let adapter: GPUAdapterReport | undefined;
  try {
    adapter = await describeAdapter();
  } catch (error) {
    return {
      reason: `WebGPU's adapter request failed: ${error instanceof Error ? error.message : String(error)}.`,
      installed,
    };
  }
  if (!adapter)
    return {
      reason:
        platform === 'node' && hasDawnGPU()
          ? await explainNoAdapter(importByName)
          : 'WebGPU gives no adapter here (the browser blocks it, or the GPU driver is missing).',
      installed,
    };
  if (adapter.software && viaAuto && platform === 'node')
    return {
      reason:
        `only a software WebGPU adapter is here (${adapterLine(adapter)}): correct but slower than wasm, ` +
        "so 'auto' passes it over; ask for webgpu by name to use it anyway.",
      adapter,
      installed,
    };
  return { adapter, installed };
}

/**
 * Lets Node exit after computing on WebGPU through Dawn: removes tfjs's webgpu backend and the
 * `navigator.gpu` {@link useBackend} installed (Dawn keeps the event loop alive while either
 * lives). Nothing happens in a browser or where the caller installed `navigator.gpu` itself.
 */
export function releaseNodeWebGPU(): void {
  if (!hasDawnGPU()) return;
  if (tf.findBackend('webgpu')) tf.removeBackend('webgpu');
  uninstallDawn();
}

async function tryBackend(
  info: BackendInfo,
  load: BackendLoader,
  platform: 'node' | 'browser',
): Promise<string | undefined> {
  if (info.name === 'tensorflow-gpu' || info.name === 'tensorflow') {
    // Both packages register the same tfjs name; only one of them may be loaded per process.
    const registered = tf.findBackendFactory('tensorflow');
    if (registered !== null && registered !== undefined && tf.getBackend() === 'tensorflow') return undefined;
  }
  if (tf.findBackendFactory(info.tfName) === null || tf.findBackendFactory(info.tfName) === undefined) {
    try {
      await load();
    } catch (error) {
      return explainLoadFailure(info, error);
    }
    if (!tf.findBackendFactory(info.tfName)) {
      if (info.name === 'webgpu' && platform === 'node')
        return `${info.packageName} was imported before navigator.gpu existed, so it registered no backend: let useBackend('webgpu') import it (or import it after navigator.gpu is set).`;
      return `${info.packageName} loaded but registered no '${info.tfName}' backend (a second copy of @tensorflow/tfjs-core?).`;
    }
  }
  try {
    const ok = await tf.setBackend(info.tfName);
    if (!ok)
      return `${info.packageName} is installed but the '${info.tfName}' backend failed to initialise. It needs ${info.requires}.`;
    await tf.ready();
  } catch (error) {
    return `the '${info.tfName}' backend failed to initialise: ${error instanceof Error ? error.message : String(error)}.`;
  }
  return undefined;
}
