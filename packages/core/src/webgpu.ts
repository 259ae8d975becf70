/**
 * WebGPU outside the browser: Dawn's Node bindings (the optional `webgpu` npm package) as
 * `navigator.gpu`, and what an adapter is (vendor, architecture, software or not). `useBackend`
 * calls these; nothing here selects a backend or imports one.
 */

/** What a WebGPU adapter is, as `useBackend` reports it (and `snn-train info`, and run configs). */
export interface GPUAdapterReport {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /**
   * A CPU implementation (SwiftShader, llvmpipe/lavapipe, WARP) or a fallback adapter: correct, but
   * slower than wasm. `'auto'` never chooses one in Node.
   */
  readonly software: boolean;
  /** Where `navigator.gpu` came from: `'browser'`, or `'dawn'` (the `webgpu` package in Node). */
  readonly implementation: 'browser' | 'dawn';
}

/** The parts of Dawn's `webgpu` package (0.6) that `useBackend` uses. */
export interface DawnModule {
  /** Creates a `GPU` (`navigator.gpu`) with Dawn's options, e.g. `['backend=vulkan']`. */
  create(options: string[]): unknown;
  /** The WebGPU globals (`GPUBufferUsage`, `GPUMapMode`, ...) tfjs's webgpu backend reads. */
  readonly globals: Readonly<Record<string, unknown>>;
}

/** Imports Dawn's bindings (default `import('webgpu')`). */
export type DawnLoader = () => Promise<DawnModule>;

/** What an adapter says about itself (WebGPU's `GPUAdapterInfo`, the fields we read). */
export interface AdapterInfoLike {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
  readonly isFallbackAdapter?: boolean;
}
interface AdapterLike {
  readonly info?: AdapterInfoLike;
  readonly isFallbackAdapter?: boolean;
  requestAdapterInfo?(): Promise<AdapterInfoLike>;
}
interface GPULike {
  requestAdapter(options?: { powerPreference?: string }): Promise<AdapterLike | null>;
}
interface NavigatorLike {
  gpu?: GPULike;
}

/** The version of Dawn's package this project tests with (what the fixes below install). */
export const DAWN_PACKAGE = 'webgpu@0.6.2';

/** Names of CPU implementations of WebGPU's backends, as adapters report them. */
const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|basic render|\bwarp\b/i;

/** Whether an adapter is a software (CPU) implementation, from its info. */
export function isSoftwareAdapter(info: AdapterInfoLike, fallback = false): boolean {
  if (fallback || info.isFallbackAdapter === true) return true;
  return [info.vendor, info.architecture, info.device, info.description].some(
    (s) => typeof s === 'string' && SOFTWARE.test(s),
  );
}

const nav = (): NavigatorLike | undefined => (globalThis as { navigator?: NavigatorLike }).navigator;

/** The `GPU` installed by {@link installDawn}, so it can be removed again. */
const DAWN_GPU = Symbol.for('@snn/core.dawnGPU');
type Marked = { [DAWN_GPU]?: unknown };

/** Whether `navigator.gpu` is Dawn's, installed by {@link installDawn}. */
export function hasDawnGPU(): boolean {
  const gpu = nav()?.gpu;
  return gpu !== undefined && (globalThis as Marked)[DAWN_GPU] === gpu;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Installs Dawn's `GPU` as `navigator.gpu` in Node (and its globals where absent), unless a
 * `navigator.gpu` exists already. Returns why it could not, with the fix, or `undefined`.
 * Must run before `@tensorflow/tfjs-backend-webgpu` is imported: it looks for `navigator.gpu` once.
 */
export async function installDawn(
  load: DawnLoader,
  options: readonly string[] = [],
): Promise<string | undefined> {
  if (nav()?.gpu) return undefined;
  let dawn: DawnModule;
  try {
    dawn = await load();
  } catch (error) {
    const code = (error as { code?: string } | undefined)?.code;
    if (
      code === 'ERR_MODULE_NOT_FOUND' ||
      code === 'MODULE_NOT_FOUND' ||
      /Cannot find (package|module) 'webgpu'/.test(message(error))
    )
      return (
        "WebGPU in Node needs Dawn's bindings, the optional `webgpu` npm package, which is not installed. " +
        `Add it with: npm install ${DAWN_PACKAGE} (pnpm: pnpm add ${DAWN_PACKAGE} --allow-build=webgpu); ` +
        'it holds Dawn for Linux, macOS and Windows (about 130 MB unpacked) and downloads nothing else.'
      );
    return `the \`webgpu\` package (Dawn) is installed but failed to load its native module: ${message(error)}.`;
  }
  const g = globalThis as Record<string, unknown>;
  for (const [name, value] of Object.entries(dawn.globals)) if (!(name in g)) g[name] = value;
  let gpu: unknown;
  try {
    gpu = dawn.create([...options]);
  } catch (error) {
    return `Dawn could not start (create(${JSON.stringify(options)})): ${message(error)}.`;
  }
  const n = nav();
  if (n) Object.defineProperty(n, 'gpu', { value: gpu, configurable: true, writable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  (globalThis as Marked)[DAWN_GPU] = gpu;
  return undefined;
}

/**
 * Removes the `navigator.gpu` {@link installDawn} installed (Dawn keeps Node's event loop alive
 * while it is referenced). Does nothing to a browser's or a caller's own `navigator.gpu`.
 */
export function uninstallDawn(): void {
  if (!hasDawnGPU()) return;
  const n = nav() as Record<string, unknown>;
  delete n.gpu;
  if (Object.keys(n).length === 0) delete (globalThis as { navigator?: unknown }).navigator;
  delete (globalThis as Marked)[DAWN_GPU];
}

/** The adapter `navigator.gpu` gives tfjs (high-performance, as tfjs asks), or `undefined` when none. */
export async function describeAdapter(): Promise<GPUAdapterReport | undefined> {
  const gpu = nav()?.gpu;
  if (!gpu) return undefined;
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return undefined;
  const info: AdapterInfoLike = adapter.info ?? (await adapter.requestAdapterInfo?.()) ?? {};
  const text = (s: string | undefined) => (typeof s === 'string' ? s : '');
  return {
    vendor: text(info.vendor),
    architecture: text(info.architecture),
    device: text(info.device),
    description: text(info.description),
    software: isSoftwareAdapter(info, adapter.isFallbackAdapter === true),
    implementation: hasDawnGPU() ? 'dawn' : 'browser',
  };
}

/** One line naming an adapter: `"google swiftshader (SwiftShader driver 5.0.0), software"`. */
export function adapterLine(a: GPUAdapterReport): string {
  const name = [a.vendor, a.architecture].filter(Boolean).join(' ') || 'unknown adapter';
  const detail = a.description || a.device;
  return `${name}${detail ? ` (${detail})` : ''}${a.software ? ', software (runs on the CPU)' : ', hardware'}`;
}

/** The software Vulkan driver in Debian's and Ubuntu's `chromium` package (SwiftShader). */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** The two `node:fs` calls {@link vulkanProblem} makes (injected, so it can be tested). */
export type VulkanFs = { existsSync(p: string): boolean; readdirSync(p: string): string[] };

const VULKAN_ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
const LIB_DIRS = [
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/lib/x86_64-linux-gnu',
  '/lib/aarch64-linux-gnu',
  '/usr/lib64',
  '/usr/lib',
  '/usr/local/lib',
];

/**
 * What the Vulkan setup of this Linux machine lacks for Dawn: the loader (`libvulkan.so.1`) and
 * a driver (an ICD). `undefined` when both are there.
 */
export function vulkanProblem(
  fs: VulkanFs,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const libDirs = [...(env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), ...LIB_DIRS];
  if (!libDirs.some((d) => fs.existsSync(`${d}/libvulkan.so.1`)))
    return 'the Vulkan loader (libvulkan.so.1) is not installed: apt-get install libvulkan1 (Debian, Ubuntu) or your distribution’s vulkan-loader';
  const chosen = env.VK_ICD_FILENAMES ?? env.VK_DRIVER_FILES;
  if (chosen) {
    const missing = chosen.split(':').filter((f) => f && !fs.existsSync(f));
    return missing.length > 0
      ? `the Vulkan driver file(s) ${missing.join(', ')} (VK_ICD_FILENAMES) do not exist`
      : undefined;
  }
  const icds = VULKAN_ICD_DIRS.flatMap((d) => {
    try {
      return fs.readdirSync(d).filter((f) => f.endsWith('.json'));
    } catch {
      return [];
    }
  });
  if (icds.length === 0)
    return (
      `no Vulkan driver is installed (no ICD in ${VULKAN_ICD_DIRS.join(', ')}): install your GPU's ` +
      '(NVIDIA: the proprietary driver with its Vulkan ICD; AMD, Intel: mesa-vulkan-drivers)'
    );
  return undefined;
}

/**
 * Whether this machine shows a GPU that Dawn could drive: on Linux a device node (`/dev/dri/renderD*`
 * for Mesa's and AMD's and Intel's drivers, `/dev/nvidia*`, `/dev/dxg` under WSL), or a Vulkan
 * driver chosen by hand (`VK_ICD_FILENAMES`); elsewhere (macOS, Windows) assumed. Where none shows,
 * only a software adapter could answer, so `'auto'` does not start Dawn at all (loading Vulkan's
 * drivers on a machine without a GPU prints their complaints to stderr and takes a second).
 */
export async function hasGPUDevice(importNode: (specifier: string) => Promise<unknown>): Promise<boolean> {
  const p = (globalThis as { process?: { platform?: string; env?: Record<string, string | undefined> } })
    .process;
  if (p?.platform !== 'linux' || p.env?.VK_ICD_FILENAMES) return true;
  try {
    const fs = (await importNode('node:fs')) as VulkanFs;
    const dev = fs.readdirSync('/dev');
    if (dev.some((f) => f.startsWith('nvidia') || f === 'dxg')) return true;
    return fs.existsSync('/dev/dri') && fs.readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
  } catch {
    return true;
  }
}

/**
 * Why Dawn found no adapter here, with the fix: on Linux, what Vulkan lacks (read from the file
 * system); on macOS Metal, on Windows D3D12.
 */
export async function explainNoAdapter(importNode: (specifier: string) => Promise<unknown>): Promise<string> {
  const p = (globalThis as { process?: { platform?: string; env?: Record<string, string | undefined> } })
    .process;
  const platform = p?.platform ?? 'unknown';
  const base = 'WebGPU found no adapter';
  const drivers = (fs: VulkanFs) =>
    VULKAN_ICD_DIRS.flatMap((d) => {
      try {
        return fs.readdirSync(d).filter((f) => f.endsWith('.json'));
      } catch {
        return [];
      }
    });
  if (platform === 'darwin')
    return `${base}: Dawn uses Metal on macOS; it needs macOS 11 or later with a Metal GPU.`;
  if (platform === 'win32') return `${base}: Dawn uses Direct3D 12 on Windows; update the GPU driver.`;
  let problem: string | undefined;
  let found: string[] = [];
  try {
    const fs = (await importNode('node:fs')) as VulkanFs;
    problem = vulkanProblem(fs, p?.env ?? {});
    found = p?.env?.VK_ICD_FILENAMES ? [p.env.VK_ICD_FILENAMES] : drivers(fs);
  } catch {
    problem = undefined;
  }
  const software =
    `For a software device (slow: for tests only) set VK_ICD_FILENAMES=${SWIFTSHADER_ICD} ` +
    '(SwiftShader, from the chromium package) with libvulkan1 installed.';
  const none =
    `the Vulkan drivers here (${found.join(', ') || 'none found'}) offer it no usable GPU ` +
    '(Mesa’s lavapipe, lvp_icd, is a CPU driver Dawn rejects; is the GPU’s driver loaded? vulkaninfo --summary lists what Vulkan sees)';
  return `${base}: Dawn uses Vulkan on Linux, and ${problem ?? none}. ${software}`;
}
