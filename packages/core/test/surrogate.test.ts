import { customSurrogate, surrogate, threshold } from '@snn/core';
import { describeBackends, expectClose } from '@snn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

const formulas: Record<string, (x: number, a: number) => number> = {
  super: (x, a) => 1 / (a * Math.abs(x) + 1) ** 2,
  triangle: (x, a) => a * Math.max(0, 1 - Math.abs(x)),
  tanh: (x, a) => 1 - Math.tanh(a * x) ** 2,
  circ: (x, a) => a ** 3 / (a * a + x * x) ** 1.5,
  heavi_erfc: (x, a) => (2 * Math.exp(-((a * x) ** 2))) / Math.sqrt(Math.PI),
  heaviside: () => 0,
  atan: (x, a) => a / 2 / (1 + ((Math.PI / 2) * a * x) ** 2),
  fastSigmoid: (x, a) => 1 / (a * Math.abs(x) + 1) ** 2,
};

describeBackends('surrogate derivatives match their formulas', {}, ({ epsilon }) => {
  const xs = [-1.5, -0.7, -0.1, -0.01, 0, 0.003, 0.05, 0.4, 1.2];
  for (const [name, formula] of Object.entries(formulas)) {
    for (const alpha of [0.5, 3, 25]) {
      it(`${name} alpha=${alpha}`, async () => {
        const x = tf.tensor1d(xs);
        const g = tf.grad((v: tf.Tensor) => threshold(v, name as never, alpha))(x);
        await expectClose(
          g,
          xs.map((v) => formula(v, alpha)),
          { atol: 10 * epsilon, rtol: 1e-5, label: name },
        );
        tf.dispose([x, g]);
      });
    }
  }

  it('a custom surrogate drives the backward pass', async () => {
    const gauss = customSurrogate({
      name: 'gauss',
      defaultAlpha: 4,
      derivative: (x, alpha) => tf.exp(tf.neg(tf.square(tf.mul(alpha, x)))),
    });
    expect(surrogate(gauss)).toBe(gauss);
    const x = tf.tensor1d([-0.25, 0, 0.5]);
    const g = tf.grad((v: tf.Tensor) => threshold(v, gauss))(x);
    await expectClose(g, [Math.exp(-1), 1, Math.exp(-4)], { atol: 1e-6 });
    await expectClose(threshold(x, gauss), [0, 0, 1]);
  });

  it('customSurrogate rejects a missing derivative', () => {
    expect(() => customSurrogate({ name: 'x', derivative: 3 as never })).toThrow(
      /derivative must be a function/,
    );
  });
});
