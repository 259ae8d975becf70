import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useBackend } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const built = resolve(pkgDir, 'dist', 'index.js');

describe('gradients are registered by importing @snn/core', () => {
  it('under vitest', async () => {
    await useBackend('cpu');
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(x, x)))(tf.tensor1d([1, 2, 3]));
    expect(Array.from(await g.data())).toEqual([2, 4, 6]);
    // A gradient that is not part of the union of core ops used above.
    const g2 = tf.grad((x: tf.Tensor) => tf.sum(tf.logSoftmax(x)))(tf.tensor2d([[1, 2]]));
    expect(g2.shape).toEqual([1, 2]);
  });

  it.runIf(existsSync(built) || process.env.CI)('in plain Node ESM, from the built package', () => {
    // A fresh Node process that imports nothing but the built @snn/core and tfjs-core (+ cpu backend).
    const script = `
      import * as tf from '@tensorflow/tfjs-core';
      import '@tensorflow/tfjs-backend-cpu';
      import { useBackend } from ${JSON.stringify(built)};
      await useBackend('cpu');
      const g = tf.grad((x) => tf.sum(tf.mul(x, x)))(tf.tensor1d([1, 2, 3]));
      console.log(JSON.stringify(Array.from(await g.data())));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: pkgDir,
      encoding: 'utf8',
    });
    expect(out.trim().split('\n').at(-1)).toBe('[2,4,6]');
  });
});
