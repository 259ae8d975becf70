import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import {
  type DawnModule,
  type GPUAdapterReport,
  isSoftwareAdapter,
  SWIFTSHADER_ICD,
  vulkanProblem,
} from '@snn/core';

/**
 * WebGPU in Node for tests: Dawn's `webgpu` package, on the machine's GPU where Vulkan has a
 * driver, else on SwiftShader (the software Vulkan driver of Debian's `chromium` package), the
 * same code path a GPU takes. Whether it works is probed once per test process, synchronously (tests are collected synchronously), in a child
 * process (Dawn keeps a process alive, and a failed start must not break the test process).
 */

/** Dawn's bindings, imported from this package (a variable specifier: bundlers leave it alone). */
export const TEST_DAWN = async (): Promise<DawnModule> => {
  const specifier = 'webgpu';
  return (await import(/* @vite-ignore */ specifier)) as DawnModule;
};

/** The outcome of the probe: the adapter tests would run on, or why there is none. */
export type NodeWebGPUStatus =
  | { readonly available: true; readonly adapter: GPUAdapterReport }
  | { readonly available: false; readonly reason: string };

// Dawn alone (no tfjs, no @snn build needed): does an adapter come up, and which.
const PROBE = `
let out;
try {
  const { create, globals } = await import(process.env.SNN_PROBE_DAWN);
  Object.assign(globalThis, globals);
  const adapter = await create([]).requestAdapter({ powerPreference: 'high-performance' });
  const i = adapter?.info;
  out = i ? { info: { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, isFallbackAdapter: i.isFallbackAdapter } } : { info: null };
} catch (e) {
  out = { error: String(e && e.message || e) };
}
process.stdout.write('SNN_PROBE ' + JSON.stringify(out) + '\\n');
process.exit(0);
`;

let status: NodeWebGPUStatus | undefined;

/**
 * Chooses SwiftShader for Vulkan when this Linux machine has no Vulkan driver of its own and the
 * chromium package's SwiftShader is installed (sets `VK_ICD_FILENAMES` for this process and its
 * children). Returns the driver file it chose, if any.
 */
export function useSoftwareVulkanIfNoDriver(): string | undefined {
  const env = process.env;
  if (process.platform !== 'linux' || env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES) return undefined;
  const dirs = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
  const hasDriver = dirs.some((d) => {
    try {
      return fs.readdirSync(d).some((f) => f.endsWith('.json'));
    } catch {
      return false;
    }
  });
  if (hasDriver || !fs.existsSync(SWIFTSHADER_ICD)) return undefined;
  env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  return SWIFTSHADER_ICD;
}

/**
 * Whether tests can run on webgpu in this Node process (probed once, in a child process). Takes
 * SwiftShader where the machine has no Vulkan driver ({@link useSoftwareVulkanIfNoDriver}), or
 * where its drivers give Dawn no adapter (only Mesa's lavapipe, say): then `VK_ICD_FILENAMES` is set
 * for this process and its children.
 */
export function nodeWebGPUStatus(): NodeWebGPUStatus {
  if (status) return status;
  const require = createRequire(import.meta.url);
  let dawnPath: string;
  try {
    dawnPath = pathToFileURL(require.resolve('webgpu')).href;
    require.resolve('@tensorflow/tfjs-backend-webgpu');
  } catch (error) {
    status = { available: false, reason: `a package is missing: ${(error as Error).message.split('\n')[0]}` };
    return status;
  }
  useSoftwareVulkanIfNoDriver();
  type Probe = { info?: (Record<string, string> & { isFallbackAdapter?: boolean }) | null; error?: string };
  const probe = (): Probe | string => {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', PROBE], {
      env: { ...process.env, SNN_PROBE_DAWN: dawnPath },
      encoding: 'utf8',
      timeout: 120_000,
    });
    const line = (run.stdout ?? '').split('\n').find((l) => l.startsWith('SNN_PROBE '));
    if (line) return JSON.parse(line.slice('SNN_PROBE '.length)) as Probe;
    const stderr = (run.stderr ?? '').trim().split('\n').slice(-3).join(' ');
    return `the WebGPU probe failed (exit ${run.status ?? run.signal}): ${stderr}`;
  };
  let out = probe();
  // Vulkan drivers that give Dawn no adapter (e.g. only Mesa's lavapipe, which Dawn rejects):
  // SwiftShader, where it is installed and the caller chose no driver.
  if (
    typeof out !== 'string' &&
    !out.info &&
    process.platform === 'linux' &&
    !process.env.VK_ICD_FILENAMES &&
    !process.env.VK_DRIVER_FILES &&
    fs.existsSync(SWIFTSHADER_ICD)
  ) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    out = probe();
    if (typeof out === 'string' || !out.info) delete process.env.VK_ICD_FILENAMES;
  }
  if (typeof out === 'string') {
    status = { available: false, reason: out };
    return status;
  }
  if (out.info) {
    const i = out.info;
    const adapter: GPUAdapterReport = {
      vendor: i.vendor ?? '',
      architecture: i.architecture ?? '',
      device: i.device ?? '',
      description: i.description ?? '',
      software: isSoftwareAdapter(i),
      implementation: 'dawn',
    };
    status = { available: true, adapter };
  } else {
    const problem = process.platform === 'linux' ? vulkanProblem(fs, process.env) : undefined;
    status = {
      available: false,
      reason: out.error ?? `Dawn found no adapter${problem ? `: ${problem}` : ''}`,
    };
  }
  return status;
}
