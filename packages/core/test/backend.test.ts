import {
  BACKENDS,
  BackendUnavailableError,
  explainLoadFailure,
  resolvePreference,
  useBackend,
} from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

describe('resolvePreference', () => {
  it("expands 'auto' per platform", () => {
    expect(resolvePreference('auto', 'node')).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
    expect(resolvePreference('auto', 'browser')).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
    expect(resolvePreference(['wasm', 'auto'], 'node')).toEqual([
      'wasm',
      'tensorflow-gpu',
      'tensorflow',
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
    const choice = await useBackend('auto');
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
    expect(reason).toMatch(/Reinstall it with network access/);
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

  it('reports webgpu without navigator.gpu', async () => {
    const error = (await useBackend('webgpu').catch((e: unknown) => e)) as BackendUnavailableError;
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
