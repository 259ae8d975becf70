import { disposeState, floatMask } from '@snn/core';
import * as N from '@snn/neurons';
import { describeBackends, expectClose, expectEqual, expectNoLeak } from '@snn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { setSimdKernelsEnabled } from '../src/kernels/simd/simd.js';

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
  { only: ['cpu', 'wasm', 'webgpu'] },
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
  { only: ['cpu', 'wasm', 'webgpu'] },
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

for (const simd of [true, false]) {
  describeBackends(
    `event-driven kernels (${simd ? 'WebAssembly SIMD' : 'plain JavaScript'}; on webgpu its programs) equal their compositions`,
    // webgpu has no host loops: it runs these bodies once.
    { only: simd ? ['cpu', 'wasm', 'webgpu'] : ['cpu', 'wasm'] },
    ({ backend, epsilon }) => {
      /** Equal on the host kernels (the reference's float32 order); within float32 rounding in shaders. */
      const expectSame = (a: tf.Tensor, b: tf.Tensor, label: string) =>
        backend === 'webgpu'
          ? expectClose(a, b, { atol: epsilon, rtol: epsilon, label })
          : expectEqual(a, b, label);
      beforeAll(() => setSimdKernelsEnabled(simd));
      afterAll(() => setSimdKernelsEnabled(true));

      it('spikeLinear: values and both gradients equal linear, for spikes and for other values', async () => {
        const spikes = floatMask(tf.greater(tf.randomUniform([6, 5, 30], 0, 1, 'float32', 11), 0.8));
        const graded = tf.mul(spikes, tf.randomUniform([6, 5, 30], -2, 2, 'float32', 12));
        for (const x of [spikes, graded]) {
          for (const out of [7, 12]) {
            const w = tf.randomNormal([out, 30], 0, 1, 'float32', 13);
            const ref = (a: tf.Tensor, b: tf.Tensor) =>
              tf.reshape(N.linear(tf.reshape(a, [30, 30]), b), [6, 5, out]);
            await expectClose(N.spikeLinear(x, w), ref(x, w), { atol: 1e-5, label: `forward, out ${out}` });
            const up = tf.randomNormal([6, 5, out], 0, 1, 'float32', 14);
            const loss = (f: typeof ref) => (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), up));
            const [gxR, gwR] = tf.grads(loss(ref))([x, w]);
            const [gxF, gwF] = tf.grads(loss((a, b) => N.spikeLinear(a, b)))([x, w]);
            await expectClose(gxF!, gxR!, { atol: 1e-4, label: 'd/dx' });
            await expectClose(gwF!, gwR!, { atol: 1e-4, label: 'd/dw' });
          }
        }
      });

      it('spikeLinear keeps leading axes without reshaping and says what is wrong', async () => {
        const x = floatMask(tf.greater(tf.randomUniform([4, 3, 1, 5, 6], 0, 1, 'float32', 15), 0.7));
        const w = tf.randomNormal([8, 30], 0, 1, 'float32', 16);
        const y = N.spikeLinear(x, w, 2);
        expect(y.shape).toEqual([4, 3, 8]);
        await expectClose(y, tf.reshape(N.linear(tf.reshape(x, [12, 30]), w), [4, 3, 8]), { atol: 1e-5 });
        expect(() => N.spikeLinear(x, w)).toThrow(/weight must be \[out, 6\]/);
        expect(() => N.spikeLinear(x, w, 5)).toThrow(/leadingDims must be an integer in \[0, 4\]/);
      });

      it("the encoder's spikes feed spikeLinear without a scan: same result as fresh spikes", async () => {
        const x = tf.mul(tf.randomUniform([16, 49], -0.5, 1, 'float32', 17), 3);
        const encoded = N.lifCurrentEncoderSequence(x, 20);
        const copy = tf.tensor(await encoded.data(), encoded.shape); // same values, no known events
        const w = tf.randomNormal([12, 49], 0, 1, 'float32', 18);
        await expectEqual(N.spikeLinear(encoded, w), N.spikeLinear(copy, w), 'currents');
        const gw = (s: tf.Tensor) => tf.grad((b: tf.Tensor) => tf.sum(tf.square(N.spikeLinear(s, b))))(w);
        await expectEqual(gw(encoded), gw(copy), 'weight gradient');
      });

      it('spikeConv2d equals conv2dValid: values, filter and input gradients, spikes and other values', async () => {
        for (const [F, H, C, k, O] of [
          [3, 12, 2, 5, 6],
          [2, 9, 3, 3, 8],
        ] as const) {
          const spikes = floatMask(tf.greater(tf.randomUniform([F, H, H, C], 0, 1, 'float32', 30), 0.85));
          const graded = tf.mul(spikes, tf.randomUniform([F, H, H, C], -2, 2, 'float32', 31));
          for (const x of [spikes, graded] as tf.Tensor4D[]) {
            const w = tf.randomNormal([k, k, C, O], 0, 1, 'float32', 32) as tf.Tensor4D;
            await expectClose(N.spikeConv2d(x, w), N.conv2dValid(x, w), { atol: 1e-4, label: 'forward' });
            const up = tf.randomNormal([F, H - k + 1, H - k + 1, O], 0, 1, 'float32', 33);
            const loss = (f: (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor) => (a: tf.Tensor, b: tf.Tensor) =>
              tf.sum(tf.mul(f(a as tf.Tensor4D, b as tf.Tensor4D), up));
            const [gxR, gwR] = tf.grads(loss(N.conv2dValid))([x, w]);
            const [gxF, gwF] = tf.grads(loss(N.spikeConv2d))([x, w]);
            await expectClose(gxF!, gxR!, { atol: 1e-4, label: 'd/dx' });
            await expectClose(gwF!, gwR!, { atol: 1e-3, rtol: 1e-4, label: 'd/dw' });
          }
        }
        expect(() =>
          N.spikeConv2d(tf.zeros([1, 3, 3, 2]) as tf.Tensor4D, tf.zeros([5, 5, 2, 1]) as tf.Tensor4D),
        ).toThrow(/a 5×5 kernel does not fit/);
      });

      it("maxPool2d: tf.maxPool's values, PyTorch's gradient (ties: the first maximum), events for spikeConv2d", async () => {
        for (const k of [2, 3]) {
          const x = floatMask(
            tf.greater(tf.randomUniform([3, 12, 12, 5], 0, 1, 'float32', 34), 0.7),
          ) as tf.Tensor4D;
          const graded = tf.add(
            x,
            tf.round(tf.randomUniform([3, 12, 12, 5], 0, 2, 'float32', 35)),
          ) as tf.Tensor4D;
          for (const input of [x, graded]) {
            await expectEqual(N.maxPool2d(input, k), tf.maxPool(input, k, k, 'valid'), 'values');
            const up = tf.randomNormal([3, 12 / k, 12 / k, 5], 0, 1, 'float32', 36);
            const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(N.maxPool2d(a as tf.Tensor4D, k), up)))(input);
            // PyTorch's rule: each window's gradient goes to its first maximum (row-major).
            const xs = await input.data();
            const us = await up.data();
            const want = new Float32Array(xs.length);
            const O = 12 / k;
            for (let f = 0; f < 3; f++)
              for (let oy = 0; oy < O; oy++)
                for (let ox = 0; ox < O; ox++)
                  for (let c = 0; c < 5; c++) {
                    let best = -1;
                    for (let di = 0; di < k; di++)
                      for (let dj = 0; dj < k; dj++) {
                        const at = ((f * 12 + oy * k + di) * 12 + ox * k + dj) * 5 + c;
                        if (best < 0 || xs[at]! > xs[best]!) best = at;
                      }
                    want[best] = us[((f * O + oy) * O + ox) * 5 + c]!;
                  }
            await expectEqual(g, want, 'gradient');
          }
        }
        const x = floatMask(
          tf.greater(tf.randomUniform([2, 16, 16, 3], 0, 1, 'float32', 37), 0.8),
        ) as tf.Tensor4D;
        const w = tf.randomNormal([5, 5, 3, 4], 0, 1, 'float32', 38) as tf.Tensor4D;
        const pooled = N.maxPool2d(x);
        const copy = tf.tensor(await pooled.data(), pooled.shape) as tf.Tensor4D; // no known events
        await expectEqual(N.spikeConv2d(pooled, w), N.spikeConv2d(copy, w), 'convolution of pooled events');
        expect(() => N.maxPool2d(x, 20)).toThrow(/window 20 must be a whole number/);
      });

      it('liSequence equals the composition of liStep, values and input gradient', async () => {
        for (const p of [N.liParams(), N.liParams({ tauSynInv: 150, tauMemInv: 70, vLeak: 0.2 })]) {
          const x = tf.randomNormal([25, 3, 10], 0, 5, 'float32', 19);
          const ref = (c: tf.Tensor) => {
            const [v, final] = N.runSequence(
              (xt, s: N.LIState) => N.liStep(xt, s, p),
              c,
              N.liInitialState([3, 10], p),
            );
            disposeState(final);
            return v;
          };
          await expectSame(N.liSequence(x, p), ref(x), 'voltages');
          const up = tf.randomNormal([25, 3, 10], 0, 1, 'float32', 20);
          const g = (f: (c: tf.Tensor) => tf.Tensor) =>
            tf.grad((c: tf.Tensor) => tf.sum(tf.mul(f(c), up)))(x);
          await expectClose(
            g((c) => N.liSequence(c, p)),
            g(ref),
            { atol: 1e-5, rtol: 1e-4 },
          );
        }
      });

      it('lifSequence (feed-forward) equals the composition of lifStep: spikes and input gradient', async () => {
        for (const [p, shape] of [
          [N.lifParams({ method: 'super', alpha: 80 }), [30, 3, 7]],
          [
            N.lifParams({
              tauSynInv: 150,
              vLeak: 0.1,
              vReset: -0.1,
              vTh: 0.6,
              method: 'triangle',
              alpha: 0.3,
            }),
            [25, 2, 4, 5],
          ],
        ] as const) {
          const x = tf.mul(tf.randomUniform(shape as unknown as number[], -0.5, 1.5, 'float32', 26), 30);
          const ref = (c: tf.Tensor) => {
            const [z, final] = N.runSequence(
              (xt, s: N.LIFState) => N.lifStep(xt, s, p),
              c,
              N.lifInitialState(c.shape.slice(1), p),
            );
            disposeState(final);
            return z;
          };
          expect((await tf.sum(ref(x)).data())[0]).toBeGreaterThan(10);
          await expectEqual(N.lifSequence(x, p), ref(x), 'spikes');
          const up = tf.randomNormal(x.shape, 0, 1, 'float32', 27);
          const g = (f: (c: tf.Tensor) => tf.Tensor) =>
            tf.grad((c: tf.Tensor) => tf.sum(tf.mul(f(c), up)))(x);
          const gr = g(ref);
          const scale = (await tf.max(tf.abs(gr)).data())[0]!;
          await expectClose(
            g((c) => N.lifSequence(c, p)),
            gr,
            { atol: 1e-5 * Math.max(1, scale), rtol: 1e-4 },
          );
        }
      });

      it('lifSequence over time-major [T·B, ...] (timeSteps) equals it over [T, B, ...], gradient included', async () => {
        const p = N.lifParams({ method: 'super', alpha: 2 });
        const [T, B] = [6, 3];
        const c = tf.mul(tf.randomUniform([T * B, 5, 4], -0.5, 1.5, 'float32', 28), 30);
        const up = tf.randomNormal([T * B, 5, 4], 0, 1, 'float32', 29);
        const flat = (x: tf.Tensor) => N.lifSequence(x, p, 1e-3, T);
        const stepped = (x: tf.Tensor) => tf.reshape(N.lifSequence(tf.reshape(x, [T, B, 5, 4]), p), x.shape);
        await expectEqual(flat(c), stepped(c), 'spikes');
        const g = (f: (x: tf.Tensor) => tf.Tensor) => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(f(x), up)))(c);
        await expectClose(g(flat), g(stepped), { atol: 1e-6 });
        expect(() => N.lifSequence(c, p, 1e-3, 4)).toThrow(/timeSteps must divide the leading axis 18/);
      });

      it('lifRecurrentSequence with a width that is not a multiple of 4 equals the composition', async () => {
        const p = N.lifParams({ alpha: 100, vTh: 0.5 });
        const currents = tf.mul(tf.randomUniform([20, 3, 10], -0.5, 1.5, 'float32', 21), 40);
        const w = tf.randomNormal([10, 10], 0, 1.3, 'float32', 22);
        await expectEqual(N.lifRecurrentSequence(currents, w, p), reference(currents, w, p), 'spikes');
        const up = tf.randomNormal([20, 3, 10], 0, 1, 'float32', 23);
        const loss = (f: (c: tf.Tensor, ww: tf.Tensor) => tf.Tensor) => (c: tf.Tensor, ww: tf.Tensor) =>
          tf.sum(tf.mul(f(c, ww), up));
        const [gcR, gwR] = tf.grads(loss((c, ww) => reference(c, ww, p)))([currents, w]);
        const [gcF, gwF] = tf.grads(loss((c, ww) => N.lifRecurrentSequence(c, ww, p)))([currents, w]);
        await expectClose(gcF!, gcR!, { atol: 1e-4, rtol: 1e-4, label: 'd/d currents' });
        await expectClose(gwF!, gwR!, { atol: 1e-4, rtol: 1e-4, label: 'd/d weights' });
      });

      it('addBias equals tf.add: values and both gradients, and names a wrong bias', async () => {
        const x = tf.randomNormal([3, 4, 5, 6], 0, 1, 'float32', 40);
        const b = tf.randomNormal([6], 0, 1, 'float32', 41);
        await expectEqual(N.addBias(x, b), tf.add(x, b), 'values');
        const up = tf.randomNormal([3, 4, 5, 6], 0, 1, 'float32', 42);
        const loss = (f: (a: tf.Tensor, c: tf.Tensor) => tf.Tensor) => (a: tf.Tensor, c: tf.Tensor) =>
          tf.sum(tf.mul(f(a, c), up));
        const [gxR, gbR] = tf.grads(loss(tf.add))([x, b]);
        const [gxF, gbF] = tf.grads(loss(N.addBias))([x, b]);
        await expectEqual(gxF!, gxR!, 'd/dx');
        await expectClose(gbF!, gbR!, { atol: 1e-5, label: 'd/dbias' });
        expect(() => N.addBias(x, tf.zeros([5]))).toThrow(
          /bias must be \[6\] for x \[3, 4, 5, 6\], got \[5\]/,
        );
      });

      it('a forward result is used by one gradient and then reused; lifSequence chains keep their own', async () => {
        // Two layers of the same shape in one graph: each gradient must read its own forward pass.
        const c = tf.mul(tf.randomUniform([6, 3, 40], -0.5, 1.5, 'float32', 43), 8);
        const w = tf.randomNormal([40, 40], 0, 0.6, 'float32', 44);
        const two = (f: (x: tf.Tensor) => tf.Tensor) => (a: tf.Tensor) =>
          tf.sum(f(tf.reshape(tf.matMul(tf.reshape(f(a), [18, 40]), w), [6, 3, 40])));
        const p = N.lifParams({ vTh: 0.5 });
        const ref = (x: tf.Tensor) => {
          const [z] = N.runSequence(
            (u, s: N.LIFState) => N.lifStep(u, s, p),
            x,
            N.lifInitialState([3, 40], p),
          );
          return z;
        };
        for (let k = 0; k < 2; k++) {
          await expectClose(tf.grad(two((x) => N.lifSequence(x, p)))(c), tf.grad(two(ref))(c), {
            atol: 1e-4,
            label: `pass ${k}`,
          });
        }
      });

      it('the kernels leak no tensors, forward and backward', async () => {
        const x = floatMask(tf.greater(tf.randomUniform([8, 4, 20], 0, 1, 'float32', 24), 0.8));
        const w = tf.randomNormal([8, 20], 0, 1, 'float32', 25);
        await expectNoLeak('spikeLinear + liSequence', () => {
          const y = tf.tidy(() => N.liSequence(N.spikeLinear(x, w)));
          const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(N.liSequence(N.spikeLinear(a, b))))([
            x,
            w,
          ]);
          tf.dispose([y, ...g]);
        });
      });
    },
  );
}

describeBackends('whole-sequence programs on webgpu: one launch per sequence', { only: ['webgpu'] }, () => {
  /** Shader programs `run` dispatches (each is a launch). */
  const launches = (run: () => void): number => {
    const b = tf.backend() as unknown as { runWebGPUProgram: (...a: unknown[]) => unknown };
    const original = b.runWebGPUProgram;
    let n = 0;
    b.runWebGPUProgram = function (this: unknown, ...args: unknown[]) {
      n++;
      return original.apply(this, args);
    };
    try {
      tf.tidy(run);
    } finally {
      b.runWebGPUProgram = original;
    }
    return n;
  };
  // A forward and backward pass of each sequence op at T steps.
  const cases: [string, (T: number) => void][] = [
    [
      'lifSequence',
      (T) => {
        tf.grad((x: tf.Tensor) => tf.sum(N.lifSequence(x)))(tf.fill([T, 2, 5], 3));
      },
    ],
    [
      'lifRecurrentSequence',
      (T) => {
        tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(N.lifRecurrentSequence(x, w)))([
          tf.fill([T, 2, 5], 3),
          tf.eye(5),
        ]);
      },
    ],
    [
      'liSequence',
      (T) => {
        tf.grad((x: tf.Tensor) => tf.sum(N.liSequence(x)))(tf.fill([T, 2, 5], 3));
      },
    ],
    [
      'lifCurrentEncoderSequence',
      (T) => {
        tf.grad((x: tf.Tensor) => tf.sum(N.lifCurrentEncoderSequence(x, T)))(tf.fill([2, 5], 3));
      },
    ],
  ];
  for (const [name, run] of cases)
    it(`${name}: the same launches at 4 and at 16 steps`, async () => {
      run(4);
      run(16);
      const [at4, at16] = [launches(() => run(4)), launches(() => run(16))];
      // The sequence itself is one launch each way; the rest (slices, products, the loss) is per call.
      expect(at16).toBe(at4);
    });
});
