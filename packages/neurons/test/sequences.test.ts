import { customSurrogate, disposeState, floatMask, superSpike, triangle } from '@snn/core';
import * as N from '@snn/neurons';
import { describeBackends, expectClose, expectEqual, expectNoLeak } from '@snn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { setSimdKernelsEnabled } from '../src/kernels/simd/simd.js';

/**
 * The whole-sequence forms (one kernel for all steps) against the step composition: from any
 * initial state, with the final state, and with gradients that reach the initial state; and the
 * public layers and `sequential` over whole sequences against stepping them.
 */

const scaleOf = async (t: tf.Tensor) => Math.max(1, (await tf.max(tf.abs(t)).data())[0]!);

/** Compares gradients a and b (same order) within float32 tolerance scaled by b's size. */
async function expectGradsClose(a: tf.Tensor[], b: tf.Tensor[], labels: string[]) {
  for (const [k, g] of b.entries()) {
    await expectClose(a[k]!, g, { atol: 2e-5 * (await scaleOf(g)), rtol: 1e-4, label: labels[k]! });
  }
}

const P = {
  tutorial: N.lifParams({ alpha: 100, vTh: 0.5 }),
  triangle: N.lifParams({
    tauSynInv: 100,
    tauMemInv: 50,
    vLeak: 0.1,
    vTh: 0.5,
    vReset: -0.2,
    method: 'triangle',
    alpha: 0.3,
  }),
  object: N.lifParams({ vTh: 0.5, method: superSpike, alpha: 30 }),
} as const;

for (const simd of [true, false]) {
  describeBackends(
    `integrals from a given state (${simd ? 'WebAssembly SIMD' : 'plain JavaScript'} loops; on webgpu its programs)`,
    { only: simd ? ['cpu', 'wasm', 'webgpu'] : ['cpu', 'wasm'] },
    () => {
      beforeAll(() => setSimdKernelsEnabled(simd));
      afterAll(() => setSimdKernelsEnabled(true));

      for (const [name, p] of Object.entries(P)) {
        it(`lifIntegral (${name}): spikes, final state and every gradient equal the composition`, async () => {
          expect(N.canFuseLIF(p)).toBe(true);
          const [T, B, H] = [20, 3, 9];
          const c = tf.mul(tf.randomUniform([T * B, H], -0.5, 1.5, 'float32', 1), 4);
          const v0 = tf.randomUniform([B, H], -0.3, 0.6, 'float32', 2);
          const i0 = tf.randomUniform([B, H], -2, 2, 'float32', 3);
          const up = [
            tf.randomNormal([T * B, H], 0, 1, 'float32', 4),
            tf.randomNormal([B, H], 0, 1, 'float32', 5),
          ];
          const reference = (cs: tf.Tensor, v: tf.Tensor, i: tf.Tensor) => {
            const [z, s] = N.runSequence(
              (x, st: N.LIFState) => N.lifStep(x, st, p),
              tf.reshape(cs, [T, B, H]),
              { v, i },
            );
            return [tf.reshape(z, [T * B, H]), s.v, s.i] as const;
          };
          const fast = (cs: tf.Tensor, v: tf.Tensor, i: tf.Tensor) => {
            const [z, s] = N.lifIntegral(cs, { v, i }, p, 1e-3, T);
            return [z, s.v, s.i] as const;
          };
          const [zR, vR, iR] = reference(c, v0, i0);
          const [zF, vF, iF] = fast(c, v0, i0);
          expect((await tf.sum(zR).data())[0]).toBeGreaterThan(10);
          await expectEqual(zF, zR, 'spikes');
          await expectClose(vF, vR, { atol: 1e-5, label: 'final v' });
          await expectClose(iF, iR, { atol: 1e-4, label: 'final i' });
          const loss = (f: typeof fast) => (cs: tf.Tensor, v: tf.Tensor, i: tf.Tensor) => {
            const [z, vT, iT] = f(cs, v, i);
            return tf.addN([tf.sum(tf.mul(z, up[0]!)), tf.sum(tf.mul(vT, up[1]!)), tf.sum(tf.mul(iT, 0.1))]);
          };
          await expectGradsClose(tf.grads(loss(fast))([c, v0, i0]), tf.grads(loss(reference))([c, v0, i0]), [
            'd/dcurrents',
            'd/dv0',
            'd/di0',
          ]);
        });

        it(`lifRecurrentIntegral (${name}): spikes, final state and every gradient equal the composition`, async () => {
          expect(N.canFuseLIFRecurrent(p)).toBe(true);
          const [T, B, H] = [16, 3, 8];
          const c = tf.mul(tf.randomUniform([T, B, H], -0.5, 1.5, 'float32', 11), 4);
          const w = tf.randomNormal([H, H], 0, 1.2, 'float32', 12);
          const z0 = floatMask(tf.greater(tf.randomUniform([B, H], 0, 1, 'float32', 13), 0.6));
          const v0 = tf.randomUniform([B, H], -0.3, 0.6, 'float32', 14);
          const i0 = tf.randomUniform([B, H], -2, 2, 'float32', 15);
          const up = tf.randomNormal([T, B, H], 0, 1, 'float32', 16);
          const eye = tf.eye(H);
          type Run = (cs: tf.Tensor, ww: tf.Tensor, z: tf.Tensor, v: tf.Tensor, i: tf.Tensor) => tf.Tensor[];
          const reference: Run = (cs, ww, z, v, i) => {
            const [zs, s] = N.runSequence(
              (x, st: N.LIFRecurrentState) => N.lifRecurrentStep(x, st, eye, ww, p),
              cs,
              { z, v, i },
            );
            return [zs, s.z, s.v, s.i];
          };
          const fast: Run = (cs, ww, z, v, i) => {
            const [zs, s] = N.lifRecurrentIntegral(cs, ww, { z, v, i }, p);
            return [zs, s.z, s.v, s.i];
          };
          const r = reference(c, w, z0, v0, i0);
          const f = fast(c, w, z0, v0, i0);
          expect((await tf.sum(r[0]!).data())[0]).toBeGreaterThan(10);
          await expectEqual(f[0]!, r[0]!, 'spikes');
          await expectEqual(f[1]!, r[1]!, 'final z');
          await expectClose(f[2]!, r[2]!, { atol: 1e-5, label: 'final v' });
          await expectClose(f[3]!, r[3]!, { atol: 1e-4, label: 'final i' });
          const loss =
            (run: Run) => (cs: tf.Tensor, ww: tf.Tensor, z: tf.Tensor, v: tf.Tensor, i: tf.Tensor) => {
              const [zs, zT, vT, iT] = run(cs, ww, z, v, i);
              return tf.addN([
                tf.sum(tf.mul(zs!, up)),
                tf.sum(tf.mul(zT!, 0.7)),
                tf.sum(tf.mul(vT!, -0.4)),
                tf.sum(tf.mul(iT!, 0.1)),
              ]);
            };
          await expectGradsClose(
            tf.grads(loss(fast))([c, w, z0, v0, i0]),
            tf.grads(loss(reference))([c, w, z0, v0, i0]),
            ['d/dcurrents', 'd/dweights', 'd/dz0', 'd/dv0', 'd/di0'],
          );
        });
      }
    },
  );
}

describeBackends('liIntegral and the sequence layers', { only: ['cpu', 'wasm', 'webgpu'] }, ({ backend }) => {
  const host = backend !== 'webgpu';
  it('liIntegral from a given state: voltages, final state and gradients equal the composition', async () => {
    const [T, B, H] = [25, 4, 5];
    const c = tf.randomNormal([T, B, H], 0, 3, 'float32', 21);
    const v0 = tf.randomNormal([B, H], 0, 1, 'float32', 22);
    const i0 = tf.randomNormal([B, H], 0, 1, 'float32', 23);
    const up = tf.randomNormal([T, B, H], 0, 1, 'float32', 24);
    const p = N.liParams({ tauMemInv: 80, tauSynInv: 150, vLeak: 0.2 });
    const reference = (cs: tf.Tensor, v: tf.Tensor, i: tf.Tensor) => {
      const [vs, s] = N.runSequence((x, st: N.LIState) => N.liStep(x, st, p), cs, { v, i });
      return [vs, s.v, s.i];
    };
    const fast = (cs: tf.Tensor, v: tf.Tensor, i: tf.Tensor) => {
      const [vs, s] = N.liIntegral(cs, { v, i }, p);
      return [vs, s.v, s.i];
    };
    const [a, b] = [fast(c, v0, i0), reference(c, v0, i0)];
    for (const k of [0, 1, 2]) await expectClose(a[k]!, b[k]!, { atol: 1e-5, label: `output ${k}` });
    const loss = (f: typeof fast) => (cs: tf.Tensor, v: tf.Tensor, i: tf.Tensor) => {
      const [vs, vT, iT] = f(cs, v, i);
      return tf.addN([tf.sum(tf.mul(vs!, up)), tf.sum(tf.mul(vT!, 2)), tf.sum(tf.mul(iT!, -1))]);
    };
    await expectGradsClose(tf.grads(loss(fast))([c, v0, i0]), tf.grads(loss(reference))([c, v0, i0]), [
      'd/dx',
      'd/dv0',
      'd/di0',
    ]);
  });

  it('a surrogate object runs the kernels exactly as its name does', async () => {
    const c = tf.mul(tf.randomUniform([12, 2, 6], -0.5, 1.5, 'float32', 31), 30);
    const byName = N.lifParams({ method: 'triangle', alpha: 0.3 });
    const byObject = N.lifParams({ method: triangle, alpha: 0.3 });
    expect(N.canFuseLIF(byObject)).toBe(true);
    expect(N.canFuseLIFRecurrent(byObject)).toBe(true);
    const g = (p: N.LIFParams) => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(N.lifSequence(x, p), x)))(c);
    await expectEqual(N.lifSequence(c, byObject), N.lifSequence(c, byName), 'spikes');
    await expectEqual(g(byObject), g(byName), 'gradient');
  });

  it('a custom surrogate fuses with its scalar form and falls back to the composition without one', async () => {
    const derivative = (x: tf.Tensor, a: N.LIFParams['alpha']) => tf.exp(tf.neg(tf.square(tf.mul(a, x))));
    const full = customSurrogate({ name: 'gauss', derivative, scalar: (x, a) => Math.exp(-((a * x) ** 2)) });
    const opsOnly = customSurrogate({ name: 'gauss', derivative });
    const pFull = N.lifParams({ method: full, alpha: 20, vTh: 0.5 });
    const pOps = N.lifParams({ method: opsOnly, alpha: 20, vTh: 0.5 });
    // Shaders need a shader form: on webgpu both run the composition (and still agree).
    expect(N.canFuseLIF(pFull)).toBe(host);
    expect(N.canFuseLIF(pOps)).toBe(false);
    const c = tf.mul(tf.randomUniform([15, 3, 4], -0.5, 1.5, 'float32', 32), 30);
    const w = tf.randomNormal([4, 4], 0, 1, 'float32', 33);
    const g = (p: N.LIFParams) =>
      tf.grads((x: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(N.lifRecurrentSequence(x, ww, p), x)))([c, w]);
    await expectEqual(N.lifRecurrentSequence(c, w, pFull), N.lifRecurrentSequence(c, w, pOps), 'spikes');
    await expectGradsClose(g(pFull), g(pOps), ['d/dcurrents', 'd/dweights']);
  });

  it('sequence layers and sequential over whole sequences equal stepping them, values and gradients', async () => {
    const [T, B] = [14, 3];
    const x = floatMask(tf.greater(tf.randomUniform([T, B, 20], 0, 1, 'float32', 41), 0.85));
    const net = N.sequential(
      new N.LIFRecurrent(20, 12, P.tutorial, { seed: 1 }),
      new N.Linear(12, 8, { seed: 2 }),
      new N.LIF(P.triangle),
      new N.Dropout(0.3, { seed: 3 }),
      (t) => tf.mul(t, 3),
      new N.LILinear(8, 4, N.liParams(), { seed: 4 }),
    );
    const run = (stepwise: boolean) => (input: tf.Tensor) => {
      const [y, final] = net.call(input, undefined, { stepwise });
      disposeState(final);
      return y;
    };
    await expectClose(run(false)(x), run(true)(x), { atol: 1e-5, label: 'readout' });
    const loss = (stepwise: boolean) => (): tf.Scalar => tf.sum(tf.square(run(stepwise)(x)));
    const vars = net.trainableVariables as tf.Variable[];
    const gF = tf.variableGrads(loss(false), vars).grads;
    const gS = tf.variableGrads(loss(true), vars).grads;
    await expectGradsClose(
      vars.map((v) => gF[v.name]!),
      vars.map((v) => gS[v.name]!),
      vars.map((v) => v.name),
    );
    await expectNoLeak('sequential over a sequence', () => {
      const y = run(false)(x);
      y.dispose();
    });
    net.dispose();
  });

  it('image layers over a sequence [T, B, ...] equal them on each step, channels-first and channels-last', async () => {
    for (const channelsLast of [false, true]) {
      const [T, B] = [4, 2];
      const shape = channelsLast ? [T, B, 12, 12, 3] : [T, B, 3, 12, 12];
      const x = floatMask(tf.greater(tf.randomUniform(shape, 0, 1, 'float32', 51), 0.7));
      const conv = new N.Conv2d(3, 5, 3, { seed: 5, channelsLast });
      const pool = new N.MaxPool2d(2, { channelsLast });
      const whole = pool.apply(conv.apply(x));
      const steps = tf.stack(tf.unstack(x).map((xt) => pool.apply(conv.apply(xt))));
      await expectClose(whole, steps, { atol: 1e-5, label: `channelsLast ${channelsLast}` });
      conv.dispose();
    }
  });

  it('Linear and Conv2d give the same values and gradients on their event-driven and dense paths', async () => {
    const lin = new N.Linear(30, 7, { seed: 6 });
    const conv = new N.Conv2d(2, 4, 3, { seed: 7, channelsLast: true });
    for (const [name, density] of [
      ['sparse', 0.05],
      ['dense', 0.9],
    ] as const) {
      const xl = floatMask(tf.greater(tf.randomUniform([5, 6, 30], 0, 1, 'float32', 61), 1 - density));
      const xc = floatMask(tf.greater(tf.randomUniform([6, 9, 9, 2], 0, 1, 'float32', 62), 1 - density));
      expect(N.preferEvents(xl)).toBe(host && name === 'sparse');
      const refL = (x: tf.Tensor) =>
        tf.add(tf.reshape(N.linear(tf.reshape(x, [-1, 30]), lin.weight), [5, 6, 7]), lin.bias!);
      const refC = (x: tf.Tensor) =>
        tf.add(N.conv2dValid(x as tf.Tensor4D, conv.weight as tf.Tensor4D), conv.bias!);
      await expectClose(lin.apply(xl), refL(xl), { atol: 1e-5, label: `Linear ${name}` });
      await expectClose(conv.apply(xc), refC(xc), { atol: 1e-5, label: `Conv2d ${name}` });
      const grads = (f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, vars: tf.Variable[]) =>
        tf.variableGrads(() => tf.sum(tf.square(f(x))), vars).grads;
      const lv = lin.trainableVariables as tf.Variable[];
      const cv = conv.trainableVariables as tf.Variable[];
      const [gl, glr] = [grads((x) => lin.apply(x), xl, lv), grads(refL, xl, lv)];
      const [gc, gcr] = [grads((x) => conv.apply(x), xc, cv), grads(refC, xc, cv)];
      await expectGradsClose(
        [...lv.map((v) => gl[v.name]!), ...cv.map((v) => gc[v.name]!)],
        [...lv.map((v) => glr[v.name]!), ...cv.map((v) => gcr[v.name]!)],
        ['Linear.weight', 'Linear.bias', 'Conv2d.weight', 'Conv2d.bias'].map((l) => `${l} (${name})`),
      );
    }
    lin.dispose();
    conv.dispose();
  });

  it('view shares the data and its gradient keeps nothing of its input', async () => {
    const x = tf.randomNormal([4, 6], 0, 1, 'float32', 71);
    const y = N.view(x, [2, -1, 3]);
    expect(y.shape).toEqual([2, 4, 3]);
    await expectEqual(y, tf.reshape(x, [2, 4, 3]), 'values');
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(N.view(t, [24]), tf.range(0, 24))))(x);
    await expectEqual(g, tf.reshape(tf.range(0, 24), [4, 6]), 'gradient');
    expect(() => N.view(x, [5, 5])).toThrow(/cannot view \[4, 6\] as \[5, 5\]/);
  });

  it('resetSideChannels changes no result', async () => {
    const s = floatMask(tf.greater(tf.randomUniform([8, 2, 16], 0, 1, 'float32', 81), 0.8));
    const w = tf.randomNormal([5, 16], 0, 1, 'float32', 82);
    const before = N.spikeLinear(s, w);
    N.resetSideChannels();
    await expectEqual(N.spikeLinear(s, w), before, 'after reset');
  });
});

describeBackends('integral shapes', { only: ['cpu', 'wasm', 'webgpu'] }, () => {
  it('the final state has one step’s shape, for [T, B, ...] and for time-major [T·B, ...] currents', () => {
    const [z, s] = N.lifIntegral(tf.ones([5, 2, 3]));
    expect(z.shape).toEqual([5, 2, 3]);
    expect(s.v.shape).toEqual([2, 3]);
    const [z2, s2] = N.lifIntegral(tf.ones([10, 3]), undefined, N.DEFAULT_LIF_PARAMS, 1e-3, 5);
    expect(z2.shape).toEqual([10, 3]);
    expect(s2.i.shape).toEqual([2, 3]);
    expect(() => N.lifIntegral(tf.ones([5, 2, 3]), { v: tf.zeros([3]), i: tf.zeros([3]) })).toThrow(
      /the state must be \[2, 3\]/,
    );
    const [, sl] = new N.LIF().call(tf.ones([4, 2, 7]));
    expect(sl.v.shape).toEqual([2, 7]);
  });
});
