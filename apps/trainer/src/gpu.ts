import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  adapterLine,
  BACKENDS,
  type BackendName,
  type DawnModule,
  explainLoadFailure,
  type GPUAdapterReport,
  releaseNodeWebGPU,
  useBackend,
} from '@snn/core';

/**
 * What `snn-train info` says about the GPU backends: WebGPU (Dawn's `webgpu` package, with its
 * adapter) and tfjs-node-gpu (the NVIDIA driver, the CUDA 11.2 and cuDNN 8.1 libraries libtensorflow
 * 2.9.1 loads, the package's native binding), each missing piece with its fix.
 */

/** The libraries libtensorflow 2.9.1's GPU build opens (CUDA 11.2, cuDNN 8.1). */
const CUDA_LIBS = [
  'libcudart.so.11.0',
  'libcublas.so.11',
  'libcublasLt.so.11',
  'libcufft.so.10',
  'libcurand.so.10',
  'libcusolver.so.11',
  'libcusparse.so.11',
] as const;
const CUDNN_LIB = 'libcudnn.so.8';

/** tfjs-node-gpu on this machine, piece by piece. */
export interface TensorflowGpuReport {
  /** `linux-x64` is the only platform its GPU build exists for. */
  readonly platform: string;
  /** The NVIDIA kernel driver's version (`/proc/driver/nvidia/version`), or null. */
  readonly driver: string | null;
  /** `nvidia-smi -L`, one line per GPU (empty when nvidia-smi is absent). */
  readonly gpus: readonly string[];
  /** Each CUDA 11 library and where it was found (null: not found). */
  readonly cuda: readonly { readonly lib: string; readonly path: string | null }[];
  readonly cudnn: { readonly lib: string; readonly path: string | null };
  /** The installed package's folder, or null. */
  readonly packageDir: string | null;
  /** Its native binding (`lib/napi-v8/tfjs_binding.node`) and libtensorflow, where present. */
  readonly binding: string | null;
  readonly libtensorflow: string | null;
  /** What is missing, each with its fix; empty when everything is in place. */
  readonly missing: readonly string[];
}

/** Folders the dynamic loader searches for CUDA here (LD_LIBRARY_PATH, CUDA's usual places, the system's). */
function libraryDirs(): string[] {
  const cudaDirs = (() => {
    try {
      return readdirSync('/usr/local')
        .filter((d) => /^cuda(-[\d.]+)?$/.test(d))
        .map((d) => `/usr/local/${d}/lib64`);
    } catch {
      return [];
    }
  })();
  return [
    ...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean),
    ...cudaDirs,
    '/usr/lib/x86_64-linux-gnu',
    '/usr/lib64',
    '/usr/lib',
    '/lib/x86_64-linux-gnu',
  ];
}

/** The dynamic loader's cache (`ldconfig -p`): library name → path. */
function ldconfigCache(): Map<string, string> {
  const out = new Map<string, string>();
  for (const bin of ['/sbin/ldconfig', '/usr/sbin/ldconfig', 'ldconfig']) {
    const r = spawnSync(bin, ['-p'], { encoding: 'utf8', timeout: 5000 });
    if (r.status !== 0 || !r.stdout) continue;
    for (const line of r.stdout.split('\n')) {
      const m = /^\s*(\S+) .*=> (\S+)$/.exec(line);
      if (m && !out.has(m[1]!)) out.set(m[1]!, m[2]!);
    }
    break;
  }
  return out;
}

function nvidiaDriver(): { driver: string | null; gpus: string[] } {
  let driver: string | null = null;
  try {
    const text = readFileSync('/proc/driver/nvidia/version', 'utf8');
    driver = /Kernel Module\s+([\d.]+)/.exec(text)?.[1] ?? text.split('\n')[0]!.trim();
  } catch {
    driver = null;
  }
  const smi = spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 10_000 });
  const gpus = smi.status === 0 ? smi.stdout.split('\n').filter((l) => l.trim() !== '') : [];
  return { driver, gpus };
}

/** The install command the trainer README gives (pnpm must be allowed to run its install script). */
export const TFJS_NODE_GPU_INSTALL =
  'pnpm -F trainer add @tensorflow/tfjs-node-gpu@4.22.0 --allow-build=@tensorflow/tfjs-node-gpu';

/** tfjs-node-gpu's prerequisites on this machine, read without loading it. */
export function diagnoseTensorflowGpu(): TensorflowGpuReport {
  const platform = `${process.platform}-${process.arch}`;
  const { driver, gpus } = nvidiaDriver();
  const dirs = libraryDirs();
  const cache = ldconfigCache();
  const find = (lib: string) =>
    dirs.map((d) => join(d, lib)).find((p) => existsSync(p)) ?? cache.get(lib) ?? null;
  const cuda = CUDA_LIBS.map((lib) => ({ lib, path: find(lib) }));
  const cudnn = { lib: CUDNN_LIB, path: find(CUDNN_LIB) };
  let packageDir: string | null = null;
  try {
    packageDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-node-gpu/package.json'));
  } catch {
    packageDir = null;
  }
  const existing = (p: string | null) => (p !== null && existsSync(p) ? p : null);
  const binding = packageDir ? existing(join(packageDir, 'lib', 'napi-v8', 'tfjs_binding.node')) : null;
  const libtensorflow = packageDir
    ? existing(join(packageDir, 'deps', 'lib', 'libtensorflow.so.2.9.1'))
    : null;

  const missing: string[] = [];
  if (platform !== 'linux-x64')
    missing.push(`tfjs-node-gpu exists for Linux x64 only (this is ${platform}): use --backend webgpu here.`);
  if (!driver)
    missing.push(
      'no NVIDIA driver is loaded (/proc/driver/nvidia/version is absent): install NVIDIA’s driver (450.80 or later runs CUDA 11.x).',
    );
  const noCuda = cuda.filter((c) => !c.path).map((c) => c.lib);
  if (noCuda.length > 0)
    missing.push(
      `the CUDA 11 libraries libtensorflow 2.9.1 opens are missing (${noCuda.join(', ')}): install CUDA 11.2 ` +
        '(its toolkit, or the runtime packages cuda-cudart-11-2 libcublas-11-2 libcufft-11-2 libcurand-11-2 ' +
        'libcusolver-11-2 libcusparse-11-2 from NVIDIA’s repository) and put its lib64 folder on LD_LIBRARY_PATH. ' +
        'Newer CUDA (12.x) does not serve: without these files TensorFlow silently computes on the CPU.',
    );
  if (!cudnn.path)
    missing.push(
      'cuDNN 8 (libcudnn.so.8; 8.1 matches CUDA 11.2) is missing: install libcudnn8 for CUDA 11.x from NVIDIA’s repository.',
    );
  if (!packageDir)
    missing.push(
      `@tensorflow/tfjs-node-gpu is not installed: ${TFJS_NODE_GPU_INSTALL} (its install script downloads ` +
        'libtensorflow 2.9.1’s GPU build and the prebuilt binding from storage.googleapis.com).',
    );
  else if (!binding || !libtensorflow)
    missing.push(
      `@tensorflow/tfjs-node-gpu is installed but its install script did not finish (${binding ? '' : 'no lib/napi-v8/tfjs_binding.node'}` +
        `${!binding && !libtensorflow ? ', ' : ''}${libtensorflow ? '' : 'no deps/lib/libtensorflow.so.2.9.1'}): ` +
        `it needs pnpm's permission and network access to storage.googleapis.com; run ${TFJS_NODE_GPU_INSTALL}.`,
    );
  return { platform, driver, gpus, cuda, cudnn, packageDir, binding, libtensorflow, missing };
}

/** One backend in `snn-train info`. */
export interface BackendReport {
  readonly name: BackendName;
  readonly available: boolean;
  readonly detail: string;
  /** webgpu: the adapter it would compute on. */
  readonly adapter?: GPUAdapterReport;
  /** tensorflow-gpu: each prerequisite. */
  readonly tensorflowGpu?: TensorflowGpuReport;
}

/** Imports Dawn's `webgpu` package (an optional peer of the trainer). */
export const DAWN = async (): Promise<DawnModule> => {
  const specifier = 'webgpu';
  return (await import(/* @vite-ignore */ specifier)) as DawnModule;
};

/** WebGPU as `snn-train info` reports it: started on Dawn, its adapter named, then released. */
export async function webgpuReport(loader: () => Promise<unknown>): Promise<BackendReport> {
  try {
    const choice = await useBackend('webgpu', { dawn: DAWN, loaders: { webgpu: loader } });
    const adapter = choice.adapter!;
    return {
      name: 'webgpu',
      available: true,
      adapter,
      detail:
        `Dawn (the webgpu package) on ${adapterLine(adapter)}` +
        (adapter.software ? '; correct but slower than wasm: --backend webgpu uses it, auto does not' : ''),
    };
  } catch (error) {
    const reason = (error as { attempts?: { reason?: string }[] }).attempts?.[0]?.reason;
    return { name: 'webgpu', available: false, detail: reason ?? String(error) };
  } finally {
    releaseNodeWebGPU();
  }
}

/** tfjs-node-gpu as `snn-train info` reports it: loads, and every prerequisite in place. */
export async function tensorflowGpuReport(): Promise<BackendReport> {
  const report = diagnoseTensorflowGpu();
  const info = BACKENDS['tensorflow-gpu'];
  let loads = false;
  let loadError = '';
  if (report.packageDir && report.binding) {
    try {
      await import(/* @vite-ignore */ info.packageName);
      loads = true;
    } catch (error) {
      loadError = explainLoadFailure(info, error);
    }
  }
  const gpu = report.gpus[0] ?? (report.driver ? `NVIDIA driver ${report.driver}` : undefined);
  const list = (items: readonly string[]) => items.map((m) => `\n      - ${m}`).join('');
  const detail = loads
    ? report.missing.length === 0
      ? `${info.packageName} loads${gpu ? ` (${gpu})` : ''}`
      : `${info.packageName} loads, but computes on the CPU; missing:${list(report.missing)}`
    : `${info.packageName} cannot run here (it needs ${info.requires}); missing:${list(
        [loadError, ...report.missing].filter(Boolean),
      )}`;
  return {
    name: 'tensorflow-gpu',
    available: loads && report.missing.length === 0,
    detail,
    tensorflowGpu: report,
  };
}
