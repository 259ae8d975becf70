import { SURROGATE_NAMES, threshold } from '@snn/core';
import {
  describeBackends,
  expectClose,
  expectEqual,
  goldenSkipReason,
  hasGolden,
  readGolden,
} from '@snn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

interface ThresholdGolden {
  x: number[];
  methods: {
    method: string;
    alpha: number;
    forward: number[];
    grad: number[] | null;
    grad_f64: number[] | null;
  }[];
}

const FILE = 'threshold.json';
const golden = hasGolden(FILE) ? readGolden<ThresholdGolden>(FILE) : undefined;
if (!golden) console.warn(`skipping threshold golden tests: ${goldenSkipReason(FILE)}`);

describe.skipIf(!golden)('threshold matches Norse (threshold.json)', () => {
  describeBackends('golden', {}, ({ epsilon }) => {
    for (const m of golden?.methods ?? []) {
      it(`${m.method} alpha=${m.alpha}: forward exact, gradient within float32 tolerance`, async () => {
        const x = tf.tensor1d(golden!.x);
        const f = (v: tf.Tensor) => threshold(v, m.method as never, m.alpha);
        const z = f(x);
        await expectEqual(z, m.forward, `${m.method} forward`);
        const g = tf.grad(f)(x);
        const expected = m.grad ?? m.forward.map(() => 0);
        // Gradients are of order alpha (triangle) or 1; compare relative to float32.
        await expectClose(g, expected, { atol: 4 * epsilon, rtol: 2e-6, label: `${m.method} grad` });
        tf.dispose([x, z, g]);
      });
    }
  });
});

describeBackends('threshold', {}, () => {
  it('is the strict step: x = 0 and -0 give 0, the smallest positive float gives 1', async () => {
    const x = tf.tensor1d([0, -0, 1e-45, -1e-45, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    await expectEqual(threshold(x), [0, 0, 1, 0, 1, 0]);
  });

  it('every built-in surrogate has the same forward pass', async () => {
    const x = tf.linspace(-2, 2, 41);
    const ref = await threshold(x, 'heaviside').data();
    for (const name of SURROGATE_NAMES) await expectEqual(threshold(x, name), ref, name);
  });

  it('multiplies the upstream gradient', async () => {
    const x = tf.tensor1d([-0.5, 0, 0.25]);
    const dy = tf.tensor1d([2, 3, -1]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(threshold(v, 'super', 10), dy)))(x);
    const sup = (v: number) => 1 / (10 * Math.abs(v) + 1) ** 2;
    await expectClose(g, [2 * sup(-0.5), 3 * sup(0), -1 * sup(0.25)], { atol: 1e-6 });
  });

  it('uses the surrogate default alpha when none is given', async () => {
    const x = tf.tensor1d([0.1]);
    const gAtan = tf.grad((v: tf.Tensor) => threshold(v, 'atan'))(x);
    // snnTorch atan, alpha 2: (alpha/2) / (1 + (pi/2 * alpha * x)^2)
    await expectClose(gAtan, [1 / (1 + (Math.PI * 0.1) ** 2)], { atol: 1e-6 });
    const gFs = tf.grad((v: tf.Tensor) => threshold(v, 'fastSigmoid'))(x);
    await expectClose(gFs, [1 / (25 * 0.1 + 1) ** 2], { atol: 1e-6 });
  });

  it('accepts a tensor alpha', async () => {
    const x = tf.tensor1d([0.2, -0.2]);
    const g = tf.grad((v: tf.Tensor) => threshold(v, 'triangle', tf.scalar(0.5)))(x);
    await expectClose(g, [0.4, 0.4], { atol: 1e-6 });
  });

  it('rejects an unknown method with the valid names', () => {
    expect(() => threshold(tf.scalar(1), 'sigmoid' as never)).toThrow(
      /Unknown surrogate method "sigmoid".*super/,
    );
  });
});
