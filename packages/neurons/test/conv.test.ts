import { conv2dValid } from '@snn/neurons';
import { describeBackends, expectClose } from '@snn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';

describeBackends('conv2dValid (fast backward) equals tf.conv2d', { only: ['cpu'] }, () => {
  for (const [stride, k, c, co] of [
    [1, 5, 3, 4],
    [2, 3, 2, 5],
    [1, 1, 4, 2],
  ] as const) {
    it(`stride ${stride}, kernel ${k}, ${c} → ${co} channels: values and both gradients`, async () => {
      const x = tf.randomNormal([2, 11, 9, c], 0, 1, 'float32', 1) as tf.Tensor4D;
      const w = tf.randomNormal([k, k, c, co], 0, 1, 'float32', 2) as tf.Tensor4D;
      const dyShape = tf.conv2d(x, w, stride, 'valid').shape;
      const upstream = tf.randomNormal(dyShape, 0, 1, 'float32', 3);
      const ours = (a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(conv2dValid(a as tf.Tensor4D, b as tf.Tensor4D, stride), upstream));
      const theirs = (a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, 'valid'), upstream));
      await expectClose(conv2dValid(x, w, stride), tf.conv2d(x, w, stride, 'valid'), { atol: 1e-4 });
      const [gx, gw] = tf.grads(ours)([x, w]);
      const [rx, rw] = tf.grads(theirs)([x, w]);
      await expectClose(gx!, rx!, { atol: 1e-3, rtol: 1e-4, label: 'dx' });
      await expectClose(gw!, rw!, { atol: 1e-3, rtol: 1e-4, label: 'dw' });
    });
  }
});

describeBackends('conv2dValid trains where tfjs has no Conv2DBackpropFilter', { only: ['wasm'] }, () => {
  for (const [H, k, C, O] of [
    [8, 3, 3, 4],
    [12, 5, 4, 6],
  ] as const)
    it(`gradients on wasm equal a hand computation (${H}×${H}, kernel ${k}, ${C} → ${O})`, async () => {
      const xv = tf.randomNormal([2, H, H, C], 0, 1, 'float32', 4);
      const wv = tf.randomNormal([k, k, C, O], 0, 1, 'float32', 5);
      const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.square(conv2dValid(a as tf.Tensor4D, b as tf.Tensor4D))),
      )([xv, wv]);
      const x = Array.from(await xv.data());
      const w = Array.from(await wv.data());
      const expectedW = Array.from(await gw!.data());
      const expectedX = Array.from(await gx!.data());
      // Recompute by hand: d/dw sum(y²) = Σ 2·y·x-window.
      const y = await conv2dValid(xv as tf.Tensor4D, wv as tf.Tensor4D).array();
      const handW = new Array(w.length).fill(0);
      const handX = new Array(x.length).fill(0);
      const ys = y as number[][][][];
      for (let b = 0; b < ys.length; b++) {
        for (let oh = 0; oh < ys[b]!.length; oh++) {
          for (let ow = 0; ow < ys[b]![oh]!.length; ow++) {
            for (let co = 0; co < O; co++) {
              const v = ys[b]![oh]![ow]![co]!;
              for (let i = 0; i < k; i++)
                for (let j = 0; j < k; j++)
                  for (let c = 0; c < C; c++) {
                    const xi = ((b * H + oh + i) * H + ow + j) * C + c;
                    const wi = ((i * k + j) * C + c) * O + co;
                    handW[wi] += 2 * v * x[xi]!;
                    handX[xi] += 2 * v * w[wi]!;
                  }
            }
          }
        }
      }
      await expectClose(expectedW, handW, { atol: 1e-3, rtol: 1e-4 });
      await expectClose(expectedX, handX, { atol: 1e-3, rtol: 1e-4 });
    });
});
