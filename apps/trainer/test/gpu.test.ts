import { existsSync } from 'node:fs';
import { useBackend } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { diagnoseTensorflowGpu, TFJS_NODE_GPU_INSTALL } from '../src/gpu.js';
import { countLaunches, launchReport } from '../src/launches.js';
import { resolveOptions } from '../src/options.js';

describe('tfjs-node-gpu diagnosis (read from this machine, nothing loaded)', () => {
  const r = diagnoseTensorflowGpu();

  it('checks the driver, every CUDA 11.2 and cuDNN 8 library, the package and its binding', () => {
    expect(r.platform).toBe(`${process.platform}-${process.arch}`);
    expect(r.cuda.map((c) => c.lib)).toEqual([
      'libcudart.so.11.0',
      'libcublas.so.11',
      'libcublasLt.so.11',
      'libcufft.so.10',
      'libcurand.so.10',
      'libcusolver.so.11',
      'libcusparse.so.11',
    ]);
    expect(r.cudnn.lib).toBe('libcudnn.so.8');
    for (const c of [...r.cuda, r.cudnn]) if (c.path) expect(existsSync(c.path)).toBe(true);
  });

  it('names each missing piece with its fix', () => {
    const text = r.missing.join('\n');
    if (!existsSync('/proc/driver/nvidia/version')) expect(text).toMatch(/no NVIDIA driver is loaded/);
    if (r.cuda.some((c) => !c.path)) expect(text).toMatch(/install CUDA 11\.2 .*LD_LIBRARY_PATH/);
    if (!r.cudnn.path)
      expect(text).toMatch(/cuDNN 8 \(libcudnn\.so\.8; 8\.1 matches CUDA 11\.2\) is missing/);
    if (!r.packageDir) {
      expect(text).toContain(TFJS_NODE_GPU_INSTALL);
      expect(TFJS_NODE_GPU_INSTALL).toMatch(/--allow-build=@tensorflow\/tfjs-node-gpu$/);
      expect(text).toMatch(/downloads libtensorflow 2\.9\.1’s GPU build/);
    }
  });
});

describe('launch counts', () => {
  it('count the kernels that compute on the host backends, and what each time step adds', async () => {
    await useBackend('cpu');
    const x = tf.ones([4, 4]);
    const { count, unit } = await countLaunches(async () => {
      tf.tidy(() => tf.sum(tf.matMul(tf.reshape(x, [2, 8]), tf.ones([8, 2]))));
    });
    expect(unit).toBe('kernels');
    expect(count).toBe(2); // MatMul, Sum: the reshape only relabels, ones is data
    // A "training step" of T steps launches 4 + 2T kernels here.
    const report = await launchReport(8, (T) => ({
      run: async () => {
        tf.tidy(() => {
          let s = tf.zeros([3]);
          for (let t = 0; t < T; t++) s = tf.add(tf.mul(s, 0.5), 1);
          return tf.sum(tf.add(tf.add(tf.add(s, 1), 2), 3));
        });
      },
      dispose: () => {},
    }));
    expect(report).toEqual({ unit: 'kernels', perTrainStep: 4 + 2 * 8, perTimeStep: 2 });
  });
});

describe('options', () => {
  it('webgpu computes each batch on one device: --threads above 1 is refused', () => {
    expect(resolveOptions({ backend: 'webgpu' }).backend).toBe('webgpu');
    expect(() => resolveOptions({ backend: 'webgpu', threads: 2 })).toThrow(
      /webgpu computes each batch on one GPU device/,
    );
  });
});
