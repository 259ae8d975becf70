import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertGradientsRegistered, gradientsRegistered, useBackend } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const built = (file: string) => resolve(pkgDir, 'dist', file);
const isBuilt = existsSync(built('register-gradients.node.js'));

/** Runs an ES module in a fresh Node process (cwd: this package), returning its last line of output. */
function node(script: string): string {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: pkgDir,
    encoding: 'utf8',
  });
  return out.trim().split('\n').at(-1)!;
}

describe('tfjs-core gradients: registered by apps, never by @snn/core', () => {
  it('under vitest (the shared test setup registers them, as an app does)', async () => {
    await useBackend('cpu');
    expect(gradientsRegistered()).toBe(true);
    expect(() => assertGradientsRegistered()).not.toThrow();
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(x, x)))(tf.tensor1d([1, 2, 3]));
    expect(Array.from(await g.data())).toEqual([2, 4, 6]);
    const g2 = tf.grad((x: tf.Tensor) => tf.sum(tf.logSoftmax(x)))(tf.tensor2d([[1, 2]]));
    expect(g2.shape).toEqual([1, 2]);
  });

  it.runIf(isBuilt || process.env.CI)(
    'plain Node ESM: @snn/core alone registers nothing and says how to',
    () => {
      const script = `
      import '@tensorflow/tfjs-backend-cpu';
      import { assertGradientsRegistered, gradientsRegistered, useBackend } from ${JSON.stringify(built('index.js'))};
      await useBackend('cpu');
      let message = '';
      try { assertGradientsRegistered('fit'); } catch (e) { message = e.message; }
      console.log(JSON.stringify({ registered: gradientsRegistered(), message }));
    `;
      const out = JSON.parse(node(script)) as { registered: boolean; message: string };
      expect(out.registered).toBe(false);
      expect(out.message).toMatch(
        /^fit needs tfjs-core's gradients.*import '@snn\/core\/register-gradients'/,
      );
    },
  );

  it.runIf(isBuilt || process.env.CI)(
    'plain Node ESM: importing @snn/core/register-gradients makes tf.grad work',
    () => {
      const script = `
      import * as tf from '@tensorflow/tfjs-core';
      import '@tensorflow/tfjs-backend-cpu';
      import ${JSON.stringify(built('register-gradients.node.js'))};
      import { useBackend } from ${JSON.stringify(built('index.js'))};
      await useBackend('cpu');
      const g = tf.grad((x) => tf.sum(tf.mul(x, x)))(tf.tensor1d([1, 2, 3]));
      console.log(JSON.stringify(Array.from(await g.data())));
    `;
      expect(node(script)).toBe('[2,4,6]');
    },
  );

  it.runIf(isBuilt || process.env.CI)(
    'the library build holds no tfjs-core code; only the Node registration inlines it',
    async () => {
      const { readFileSync } = await import('node:fs');
      for (const file of ['index.js', 'register-gradients.js']) {
        const js = readFileSync(built(file), 'utf8');
        expect(js).not.toMatch(/tfjs-core\/dist\/(engine|kernel_names|gradients\/)/);
        expect(js).not.toMatch(/node_modules/);
      }
      expect(readFileSync(built('register-gradients.js'), 'utf8')).toMatch(
        /import "@tensorflow\/tfjs-core\/dist\/register_all_gradients";/,
      );
    },
  );
});
