import { releaseNodeWebGPU, useBackend } from '@snn/core';
import { nodeWebGPUStatus, TEST_DAWN } from '@snn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

// Dawn's real bindings on this machine's adapter (SwiftShader where Vulkan has no other driver).
const status = nodeWebGPUStatus();
const loaders = {
  webgpu: () => import('@tensorflow/tfjs-backend-webgpu'),
  wasm: () => import('@tensorflow/tfjs-backend-wasm'),
};

describe('webgpu in Node on Dawn', () => {
  if (!status.available) {
    it.skip(`skipped: ${status.reason}`, () => {});
    return;
  }
  it("'auto' takes a hardware adapter and passes a software one over for wasm", async () => {
    const choice = await useBackend('auto', { dawn: TEST_DAWN, loaders, gpuDevice: () => true });
    const gpu = choice.attempts.find((a) => a.name === 'webgpu')!;
    expect(gpu.adapter?.implementation).toBe('dawn');
    if (gpu.adapter?.software) {
      expect(choice.name).toBe('wasm');
      expect(gpu.reason).toMatch(/only a software WebGPU adapter/);
    } else expect(choice.name).toBe('webgpu');
    // Passed over: nothing of Dawn is left to keep the process alive.
    if (choice.name !== 'webgpu')
      expect((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu).toBeUndefined();
  });

  it('starts webgpu by name, reports its adapter, computes, and releases Dawn', async () => {
    const choice = await useBackend('webgpu', { dawn: TEST_DAWN, loaders });
    expect(choice.name).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(choice.adapter).toEqual(status.available ? status.adapter : undefined);
    const y = tf.matMul(tf.ones([2, 3]), tf.ones([3, 2]));
    expect(Array.from(await y.data())).toEqual([3, 3, 3, 3]);
    // Dawn in Node reads synchronously too (Chromium's WebGPU does not).
    expect(Array.from(y.dataSync())).toEqual([3, 3, 3, 3]);
    releaseNodeWebGPU();
    expect(tf.findBackend('webgpu')).toBeNull();
    expect((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu).toBeUndefined();
  });
});
