import {
  BACKENDS,
  BackendUnavailableError,
  type DawnModule,
  explainLoadFailure,
  isSoftwareAdapter,
  resolvePreference,
  useBackend,
  vulkanProblem,
} from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

/** Dawn's package, absent (as for a user who never installed it). */
const absentDawn = async (): Promise<DawnModule> => {
  throw Object.assign(new Error("Cannot find package 'webgpu' imported from x"), {
    code: 'ERR_MODULE_NOT_FOUND',
  });
};

/** A stand-in for Dawn whose GPU gives `adapter` (or none). */
const fakeDawn = (adapter: object | null) => async (): Promise<DawnModule> => ({
  globals: {},
  create: () => ({ requestAdapter: async () => adapter }),
});
const hasNavigatorGPU = () => (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu !== undefined;

describe('resolvePreference', () => {
  it("expands 'auto' per platform", () => {
    expect(resolvePreference('auto', 'node')).toEqual([
      'tensorflow-gpu',
      'tensorflow',
      'webgpu',
      'wasm',
      'cpu',
    ]);
    expect(resolvePreference('auto', 'browser')).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
    expect(resolvePreference(['wasm', 'auto'], 'node')).toEqual([
      'wasm',
      'tensorflow-gpu',
      'tensorflow',
      'webgpu',
      'cpu',
    ]);
  });

  it('rejects unknown names, listing the valid ones', () => {
    expect(() => resolvePreference('cuda' as never)).toThrow(
      /Unknown backend "cuda": use one of auto, tensorflow-gpu/,
    );
  });
});

describe('useBackend in Node', () => {
  it('starts cpu', async () => {
    const choice = await useBackend('cpu');
    expect(choice).toEqual({ name: 'cpu', tfName: 'cpu', attempts: [{ name: 'cpu', ok: true }] });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('starts wasm and computes on it', async () => {
    const choice = await useBackend('wasm');
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const y = tf.matMul(tf.ones([2, 3]), tf.ones([3, 2]));
    expect(Array.from(await y.data())).toEqual([3, 3, 3, 3]);
  });

  it("'auto' falls through the absent tfjs-node packages to wasm and says why", async () => {
    const choice = await useBackend('auto', { dawn: absentDawn });
    expect(choice.name).toBe('wasm');
    const [gpu, node] = choice.attempts;
    expect(gpu?.name).toBe('tensorflow-gpu');
    expect(gpu?.ok).toBe(false);
    expect(gpu?.reason).toMatch(/@tensorflow\/tfjs-node-gpu is not installed/);
    expect(gpu?.reason).toMatch(/CUDA 11\.2 and cuDNN 8\.1/);
    expect(gpu?.reason).toMatch(/network access/);
    expect(gpu?.reason).toMatch(/npm install @tensorflow\/tfjs-node-gpu/);
    expect(node?.reason).toMatch(/@tensorflow\/tfjs-node is not installed/);
  });

  it('an absent tfjs-node-gpu alone throws a readable error', async () => {
    const error = await useBackend('tensorflow-gpu').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toMatch(
      /No requested tfjs backend could be started:\n {2}- tensorflow-gpu: @tensorflow\/tfjs-node-gpu is not installed\. It needs Linux x64 with an NVIDIA GPU, CUDA 11\.2 and cuDNN 8\.1/,
    );
  });

  it('explains a broken native binding', () => {
    const reason = explainLoadFailure(
      BACKENDS['tensorflow-gpu'],
      new Error('The Node.js native addon module (tfjs_binding.node) can not be found at path: x'),
    );
    expect(reason).toMatch(/installed but its native binding is missing/);
    expect(reason).toMatch(/--allow-build=@tensorflow\/tfjs-node-gpu/);
    expect(reason).toMatch(/network access to storage\.googleapis\.com/);
  });

  it('refuses browser-only backends in Node and uses the next one', async () => {
    const choice = await useBackend(['webgl', 'cpu']);
    expect(choice.name).toBe('cpu');
    expect(choice.attempts[0]).toEqual({
      name: 'webgl',
      ok: false,
      reason: 'webgl does not run in Node.js.',
    });
  });

  it('reports webgpu without navigator.gpu in a browser', async () => {
    const error = (await useBackend('webgpu', { platform: 'browser' }).catch(
      (e: unknown) => e,
    )) as BackendUnavailableError;
    expect(error.attempts[0]?.reason).toMatch(/navigator\.gpu is missing/);
  });

  it('uses a caller-provided loader', async () => {
    let called = 0;
    const choice = await useBackend('cpu', {
      loaders: {
        cpu: async () => {
          called++;
          return import('@tensorflow/tfjs-backend-cpu');
        },
      },
    });
    expect(choice.name).toBe('cpu');
    // cpu was already registered by an earlier test: the loader is only called when needed.
    expect(called).toBe(0);
  });
});

describe('webgpu in Node (Dawn)', () => {
  it('names the missing `webgpu` package and how to add it', async () => {
    const error = (await useBackend('webgpu', { dawn: absentDawn }).catch(
      (e: unknown) => e,
    )) as BackendUnavailableError;
    expect(error).toBeInstanceOf(BackendUnavailableError);
    const reason = error.attempts[0]?.reason ?? '';
    expect(reason).toMatch(
      /needs Dawn's bindings, the optional `webgpu` npm package, which is not installed/,
    );
    expect(reason).toMatch(/npm install webgpu@0\.6\.2/);
    expect(reason).toMatch(/--allow-build=webgpu/);
    expect(hasNavigatorGPU()).toBe(false);
  });

  it('explains a machine without an adapter (Vulkan on Linux) and removes the navigator.gpu it installed', async () => {
    const error = (await useBackend('webgpu', { dawn: fakeDawn(null) }).catch(
      (e: unknown) => e,
    )) as BackendUnavailableError;
    const reason = error.attempts[0]?.reason ?? '';
    expect(reason).toMatch(/^WebGPU found no adapter/);
    if (process.platform === 'linux') {
      expect(reason).toMatch(/Dawn uses Vulkan on Linux/);
      expect(reason).toMatch(/VK_ICD_FILENAMES=\/usr\/lib\/chromium\/vk_swiftshader_icd\.json/);
    }
    expect(hasNavigatorGPU()).toBe(false);
  });

  it("'auto' passes a software adapter over for wasm, reporting it; naming webgpu would take it", async () => {
    const info = {
      vendor: 'google',
      architecture: 'swiftshader',
      device: '',
      description: 'SwiftShader driver 5.0.0',
    };
    const choice = await useBackend('auto', { dawn: fakeDawn({ info }), gpuDevice: () => true });
    expect(choice.name).toBe('wasm');
    const gpu = choice.attempts.find((a) => a.name === 'webgpu');
    expect(gpu?.ok).toBe(false);
    expect(gpu?.reason).toMatch(
      /only a software WebGPU adapter is here \(google swiftshader \(SwiftShader driver 5\.0\.0\), software/,
    );
    expect(gpu?.reason).toMatch(/ask for webgpu by name/);
    expect(gpu?.adapter).toEqual({ ...info, software: true, implementation: 'dawn' });
    expect(hasNavigatorGPU()).toBe(false);
  });

  it("'auto' does not start Dawn on a machine without a GPU device; naming webgpu still does", async () => {
    let loads = 0;
    const counting = async (): Promise<DawnModule> => {
      loads++;
      return fakeDawn(null)();
    };
    const choice = await useBackend('auto', { dawn: counting, gpuDevice: () => false });
    expect(choice.name).toBe('wasm');
    expect(loads).toBe(0);
    expect(choice.attempts.find((a) => a.name === 'webgpu')?.reason).toMatch(
      /no GPU device here .*'auto' does not start WebGPU.*ask for webgpu by name/,
    );
    const named = await useBackend(['webgpu', 'wasm'], { dawn: counting, gpuDevice: () => false });
    expect(loads).toBe(1);
    expect(named.name).toBe('wasm');
    expect(named.attempts[0]?.reason).toMatch(/WebGPU found no adapter/);
    expect(hasNavigatorGPU()).toBe(false);
  });

  it('tells software adapters from hardware ones', () => {
    expect(isSoftwareAdapter({ vendor: 'google', architecture: 'swiftshader' })).toBe(true);
    expect(isSoftwareAdapter({ description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe(true);
    expect(isSoftwareAdapter({ description: 'Microsoft Basic Render Driver' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'hopper', isFallbackAdapter: true })).toBe(
      true,
    );
    expect(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200' })).toBe(
      false,
    );
    expect(isSoftwareAdapter({ vendor: 'intel', architecture: 'gen-12lp' })).toBe(false);
  });

  it('says what Vulkan lacks: the loader, a driver, or the driver file VK_ICD_FILENAMES names', () => {
    const fs = (files: string[]) => ({
      existsSync: (p: string) => files.includes(p),
      readdirSync: (d: string) =>
        files.filter((f) => f.startsWith(`${d}/`)).map((f) => f.slice(d.length + 1)),
    });
    const loader = '/usr/lib/x86_64-linux-gnu/libvulkan.so.1';
    expect(vulkanProblem(fs([]), {})).toMatch(
      /libvulkan\.so\.1\) is not installed: apt-get install libvulkan1/,
    );
    expect(vulkanProblem(fs(['/opt/vk/libvulkan.so.1']), { LD_LIBRARY_PATH: '/opt/vk' })).toMatch(
      /no Vulkan driver/,
    );
    expect(vulkanProblem(fs([loader]), {})).toMatch(/no Vulkan driver is installed .*mesa-vulkan-drivers/);
    expect(vulkanProblem(fs([loader]), { VK_ICD_FILENAMES: '/nope.json' })).toMatch(
      /\/nope\.json \(VK_ICD_FILENAMES\) do not exist/,
    );
    expect(vulkanProblem(fs([loader, '/usr/share/vulkan/icd.d/nvidia_icd.json']), {})).toBeUndefined();
    expect(vulkanProblem(fs([loader, '/x/sw.json']), { VK_ICD_FILENAMES: '/x/sw.json' })).toBeUndefined();
  });
});
