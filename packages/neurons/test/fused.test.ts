import { disposeState } from '@snn/core';
import * as N from '@snn/neurons';
import { describeBackends, expectClose, expectEqual, expectNoLeak } from '@snn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

/** The reference: the composition of lifRecurrentStep from the zero state (input weights = identity). */
function reference(currents: tf.Tensor, w: tf.Tensor, p: N.LIFParams): tf.Tensor {
  const H = currents.shape[2]!;
  const eye = tf.eye(H);
  const [z, final] = N.runSequence(
    (x, s: N.LIFRecurrentState) => N.lifRecurrentStep(x, s, eye, w, p),
    currents,
    N.lifRecurrentInitialState([currents.shape[1]!, H], p),
  );
  disposeState(final);
  return z;
}

describeBackends(
  'lifRecurrentSequence (fused) equals the composition of lifRecurrentStep',
  { only: ['cpu', 'wasm'] },
  () => {
    for (const [name, p] of [
      ['tutorial params', N.lifParams({ alpha: 100, vTh: 0.5 })],
      [
        'non-default params, triangle surrogate',
        N.lifParams({
          tauSynInv: 100,
          tauMemInv: 50,
          vLeak: 0.1,
          vTh: 0.5,
          vReset: -0.2,
          method: 'triangle',
          alpha: 0.3,
        }),
      ],
    ] as const) {
      it(`${name}: identical spikes, gradients within float32 tolerance`, async () => {
        expect(N.canFuseLIFRecurrent(p)).toBe(true);
        const T = 24;
        const B = 5;
        const H = 12;
        const currents = tf.mul(tf.randomUniform([T, B, H], -0.5, 1.5, 'float32', 7), 40);
        const w = tf.randomNormal([H, H], 0, Math.sqrt(2 / H) * 3, 'float32', 8);
        const ref = reference(currents, w, p);
        const fast = N.lifRecurrentSequence(currents, w, p);
        expect(fast.shape).toEqual([T, B, H]);
        expect((await tf.sum(ref).data())[0]).toBeGreaterThan(10);
        await expectEqual(fast, ref, 'spikes');
        const upstream = tf.randomNormal([T, B, H], 0, 1, 'float32', 9);
        const loss = (f: (c: tf.Tensor, ww: tf.Tensor) => tf.Tensor) => (c: tf.Tensor, ww: tf.Tensor) =>
          tf.sum(tf.mul(f(c, ww), upstream));
        const [gcR, gwR] = tf.grads(loss((c, ww) => reference(c, ww, p)))([currents, w]);
        const [gcF, gwF] = tf.grads(loss((c, ww) => N.lifRecurrentSequence(c, ww, p)))([currents, w]);
        const scale = (await tf.max(tf.abs(gcR!)).data())[0]!;
        await expectClose(gcF!, gcR!, { atol: 1e-5 * Math.max(1, scale), rtol: 1e-4, label: 'd/d currents' });
        const scaleW = (await tf.max(tf.abs(gwR!)).data())[0]!;
        await expectClose(gwF!, gwR!, {
          atol: 1e-5 * Math.max(1, scaleW),
          rtol: 1e-4,
          label: 'd/d recurrentWeights',
        });
      });
    }

    it('leaks no tensors, forward and backward', async () => {
      const c = tf.mul(tf.randomUniform([8, 3, 6], 0, 1, 'float32', 1), 50);
      const w = tf.randomNormal([6, 6], 0, 1, 'float32', 2);
      await expectNoLeak('fused', () => {
        const z = N.lifRecurrentSequence(c, w);
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(N.lifRecurrentSequence(a, b)))([c, w]);
        tf.dispose([z, ...g]);
      });
    });

    it('refuses what it cannot fuse', () => {
      expect(N.canFuseLIFRecurrent(N.lifParams({ vTh: tf.scalar(1) }))).toBe(false);
      expect(() => N.lifRecurrentSequence(tf.zeros([2, 3]), tf.zeros([3, 3]))).toThrow(
        /currents must be \[T, B, H\]/,
      );
    });
  },
);

describeBackends(
  'lifCurrentEncoderSequence (fused) equals the composition of lifCurrentEncoderStep',
  { only: ['cpu', 'wasm'] },
  () => {
    for (const [name, p] of [
      ['defaults', N.lifParams()],
      [
        'non-default, triangle',
        N.lifParams({ tauMemInv: 50, vLeak: 0.1, vTh: 0.5, vReset: -0.2, method: 'triangle', alpha: 0.3 }),
      ],
    ] as const) {
      it(`${name}: identical spikes and input gradient`, async () => {
        const T = 30;
        const x = tf.mul(tf.randomUniform([4, 7], -0.5, 1, 'float32', 3), 4);
        const reference = (v: tf.Tensor) => {
          let vs = tf.zerosLike(v);
          const zs: tf.Tensor[] = [];
          for (let t = 0; t < T; t++) {
            const [z, next] = N.lifCurrentEncoderStep(v, vs, p);
            zs.push(z);
            vs = next;
          }
          return tf.stack(zs);
        };
        await expectEqual(N.lifCurrentEncoderSequence(x, T, p), reference(x), 'spikes');
        expect((await tf.sum(reference(x)).data())[0]).toBeGreaterThan(5);
        const up = tf.randomNormal([T, 4, 7], 0, 1, 'float32', 4);
        const gRef = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(reference(v), up)))(x);
        const gFast = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(N.lifCurrentEncoderSequence(v, T, p), up)))(x);
        const scale = (await tf.max(tf.abs(gRef)).data())[0]!;
        await expectClose(gFast, gRef, { atol: 1e-5 * Math.max(1, scale), rtol: 1e-4 });
      });
    }
  },
);
