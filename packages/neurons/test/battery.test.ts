import { customSurrogate, disposeState, stateTensors } from '@snn/core';
import * as N from '@snn/neurons';
import { describeBackends, expectClose, expectNoLeak } from '@snn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

// The common battery, for every feed-forward model: batch shapes, number-or-tensor params,
// gradients into trainable params, and no tensor leak over 1,000 steps.

interface Model {
  name: string;
  init: (shape: number[]) => unknown;
  step: (x: tf.Tensor, s: never, p?: object) => readonly [tf.Tensor, unknown];
  params: object;
  /** A numeric parameter to make a tensor / Variable. */
  param: string;
  /** Typical input magnitude. */
  scale: number;
}

const models: Model[] = [
  {
    name: 'lif',
    init: (s) => N.lifInitialState(s),
    step: (x, s, p) => N.lifStep(x, s, p as never),
    params: N.lifParams(),
    param: 'tauMemInv',
    scale: 30,
  },
  {
    name: 'li',
    init: (s) => N.liInitialState(s),
    step: (x, s, p) => N.liStep(x, s, p as never),
    params: N.liParams(),
    param: 'tauMemInv',
    scale: 30,
  },
  {
    name: 'lifBox',
    init: (s) => N.lifBoxInitialState(s),
    step: (x, s, p) => N.lifBoxStep(x, s, p as never),
    params: N.lifBoxParams(),
    param: 'tauMemInv',
    scale: 30,
  },
  {
    name: 'liBox',
    init: (s) => N.liBoxInitialState(s),
    step: (x, s, p) => N.liBoxStep(x, s, p as never),
    params: N.liBoxParams(),
    param: 'tauMemInv',
    scale: 30,
  },
  {
    name: 'iaf',
    init: (s) => N.iafInitialState(s),
    step: (x, s, p) => N.iafStep(x, s, p as never),
    params: N.iafParams(),
    param: 'vTh',
    scale: 0.3,
  },
  {
    name: 'lifEx',
    init: (s) => N.lifInitialState(s),
    step: (x, s, p) => N.lifExStep(x, s, p as never),
    params: N.lifExParams(),
    param: 'deltaT',
    scale: 30,
  },
  {
    name: 'lifAdEx',
    init: (s) => N.lifAdExInitialState(s),
    step: (x, s, p) => N.lifAdExStep(x, s, p as never),
    params: N.lifAdExParams(),
    param: 'tauAdaInv',
    scale: 30,
  },
  {
    name: 'lsnn',
    init: (s) => N.lsnnInitialState(s),
    step: (x, s, p) => N.lsnnStep(x, s, p as never),
    params: N.lsnnParams(),
    param: 'tauMemInv',
    scale: 30,
  },
  {
    name: 'izhikevich',
    init: (s) => N.izhikevichInitialState(s, N.IZHIKEVICH_PRESETS.tonicSpiking),
    step: (x, s, p) => N.izhikevichStep(x, s, p as never),
    params: N.IZHIKEVICH_PRESETS.tonicSpiking.params as unknown as Record<string, unknown>,
    param: 'a',
    scale: 10,
  },
  {
    name: 'lifRefrac',
    init: (s) => N.lifRefracInitialState(s),
    step: (x, s, p) => N.lifRefracStep(x, s, p as never),
    params: N.lifRefracParams(),
    param: 'rhoReset',
    scale: 60,
  },
  {
    name: 'lifAdExRefrac',
    init: (s) => N.lifAdExRefracInitialState(s),
    step: (x, s, p) => N.lifAdExRefracStep(x, s, p as never),
    params: N.lifAdExRefracParams(),
    param: 'rhoReset',
    scale: 60,
  },
  {
    name: 'cobaLIF',
    init: (s) => N.cobaLIFInitialState(s),
    step: (x, s, p) => N.cobaLIFStep(x, s, p as never),
    params: N.cobaLIFParams(),
    param: 'gL',
    scale: 20,
  },
  {
    name: 'stp',
    init: (s) => N.stpInitialState(s),
    step: (x, s, p) => N.stpStep(x, s, p as never),
    params: N.stpParams(),
    param: 'U',
    scale: 1,
  },
];

const withParam = (m: Model, value: unknown) => ({ ...m.params, [m.param]: value });
const paramValue = (m: Model) => (m.params as Record<string, unknown>)[m.param] as number;

describeBackends('neuron battery', {}, () => {
  for (const m of models) {
    it(`${m.name}: any batch shape, state shapes follow the input`, () => {
      for (const shape of [[3], [2, 5], [2, 1, 4, 4]]) {
        const x = tf.mul(tf.ones(shape), m.scale);
        const s0 = m.init(shape);
        const [out, s1] = m.step(x, s0 as never, m.params);
        expect(out.shape, `${m.name} ${shape}`).toEqual(shape);
        for (const t of stateTensors(s1)) expect(t.shape).toEqual(shape);
        tf.dispose([x, out]);
        disposeState([s0, s1]);
      }
    });

    it(`${m.name}: a tensor parameter gives the same result as the number`, async () => {
      const value = paramValue(m);
      const x = tf.randomUniform([2, 3], 0, m.scale, 'float32', 3);
      let sa = m.init([2, 3]);
      let sb = m.init([2, 3]);
      const pb = withParam(m, tf.scalar(value));
      for (let t = 0; t < 5; t++) {
        const [oa, na] = m.step(x, sa as never, m.params);
        const [ob, nb] = m.step(x, sb as never, pb);
        await expectClose(ob, oa, { atol: 1e-5, label: m.name });
        sa = na;
        sb = nb;
      }
      const ta = stateTensors(sa);
      const tb = stateTensors(sb);
      for (let k = 0; k < ta.length; k++) await expectClose(tb[k]!, ta[k]!, { atol: 1e-4, rtol: 1e-5 });
    });

    it(`${m.name}: a Variable parameter receives a finite, non-zero gradient`, async () => {
      const value = paramValue(m);
      const param = tf.variable(tf.scalar(value));
      const x = tf.randomUniform([2, 3], 0, m.scale, 'float32', 4);
      const { grads, value: loss } = tf.variableGrads(() => {
        let s = m.init([2, 3]);
        let total = tf.scalar(0);
        for (let t = 0; t < 8; t++) {
          const [out, next] = m.step(x, s as never, withParam(m, param));
          total = tf.add(total, tf.add(tf.sum(out), tf.sum(stateTensors(next)[0]!)));
          s = next;
        }
        return total as tf.Scalar;
      }, [param]);
      const g = (await grads[param.name]!.data())[0]!;
      expect(Number.isFinite((await loss.data())[0]!)).toBe(true);
      expect(Number.isFinite(g), `${m.name} grad ${g}`).toBe(true);
      expect(Math.abs(g), `${m.name} grad of ${m.param}`).toBeGreaterThan(0);
      param.dispose();
    });

    it(`${m.name}: 1,000 steps leave tf.memory().numTensors unchanged`, async () => {
      const x = tf.mul(tf.ones([2, 3]), m.scale);
      await expectNoLeak(`${m.name} x1000`, () => {
        let s = m.init([2, 3]);
        for (let t = 0; t < 1000; t++) {
          const [out, next] = m.step(x, s as never, m.params);
          out.dispose();
          N.disposeReplaced(s, next);
          s = next;
        }
        disposeState(s);
      });
      x.dispose();
    });
  }

  it('runSequence: 1,000 steps with recorded states leak nothing and stack every state', async () => {
    const xs = tf.mul(tf.ones([1000, 2, 3]), 30);
    await expectNoLeak('runSequence', () => {
      const init = N.lifInitialState([2, 3]);
      const [out, final, states] = N.runSequence((x, s: N.LIFState) => N.lifStep(x, s), xs, init, {
        recordStates: true,
      });
      expect(out.shape).toEqual([1000, 2, 3]);
      expect(states?.v.shape).toEqual([1000, 2, 3]);
      expect(init.v.isDisposed).toBe(false);
      disposeState([out, final, states, init]);
    });
    xs.dispose();
  });
});

/** A smooth stand-in for the spike: forward sigmoid(alpha x), backward its exact derivative. */
const smooth = customSurrogate({
  name: 'smooth-sigmoid',
  defaultAlpha: 4,
  forward: (x, alpha) => tf.sigmoid(tf.mul(alpha, x)),
  derivative: (x, alpha) => {
    const s = tf.sigmoid(tf.mul(alpha, x));
    return tf.mul(alpha, tf.mul(s, tf.sub(1, s)));
  },
});

describeBackends('BPTT gradients', { only: ['cpu', 'wasm'] }, () => {
  it('through a 20-step Linear → LIF → Linear → LI network match central finite differences', async () => {
    const T = 20;
    const xs = tf.randomUniform([T, 2, 3], 0, 2, 'float32', 11);
    const w1 = tf.variable(tf.randomNormal([4, 3], 0, 6, 'float32', 12));
    const w2 = tf.variable(tf.randomNormal([2, 4], 0, 3, 'float32', 13));
    const vTh = tf.variable(tf.scalar(0.4));
    const c = tf.randomNormal([T, 2, 2], 0, 1, 'float32', 14);
    const lifP = N.lifParams({ method: smooth, alpha: 4, vTh, tauMemInv: 200 });
    const loss = (): tf.Scalar =>
      tf.tidy(() => {
        const [currents] = N.runSequence(
          (x, s: N.LIState) => {
            const [z, s1] = N.lifStep(N.linear(x, w1), s as unknown as N.LIFState, lifP);
            return [z, s1 as unknown as N.LIState] as const;
          },
          xs,
          N.lifInitialState([2, 4]) as unknown as N.LIState,
        );
        const [v] = N.runSequence(
          (z, s: N.LIState) => N.liStep(N.linear(z, w2), s),
          currents,
          N.liInitialState([2, 2]),
        );
        return tf.sum(tf.mul(v, c)) as tf.Scalar;
      });
    const { grads } = tf.variableGrads(loss, [w1, w2, vTh]);
    const h = 1e-2;
    for (const [v, indices] of [
      [w1, [0, 5, 11]],
      [w2, [0, 3, 7]],
      [vTh, [0]],
    ] as const) {
      const values = (await v.data()).slice();
      const g = await grads[v.name]!.data();
      for (const k of indices) {
        const at = (delta: number) => {
          const copy = values.slice();
          copy[k]! += delta;
          v.assign(tf.tensor(copy, v.shape));
          return loss().dataSync()[0]!;
        };
        const fd = (at(h) - at(-h)) / (2 * h);
        v.assign(tf.tensor(values, v.shape));
        expect(Math.abs(g[k]! - fd), `d loss / d ${v.name}[${k}]: autodiff ${g[k]} vs FD ${fd}`).toBeLessThan(
          2e-2 * Math.abs(fd) + 2e-3,
        );
      }
    }
  });

  it('the spike surrogate reaches the input weights of a recurrent LIF through time', async () => {
    const cell = new N.LIFRecurrentCell(3, 5, N.lifParams({ vTh: 0.5 }), { seed: 1 });
    const xs = tf.mul(tf.randomUniform([30, 2, 3], 0, 1, 'float32', 2), 20);
    const { grads } = tf.variableGrads(() => {
      const [z] = N.runCell(cell, xs, undefined);
      return tf.sum(z) as tf.Scalar;
    }, cell.trainableVariables as tf.Variable[]);
    const gin = await tf.sum(tf.abs(grads[cell.inputWeights.name]!)).data();
    expect(gin[0]!).toBeGreaterThan(0);
    // No autapses: the recurrent diagonal stays zero and gets no gradient.
    const grec = await grads[cell.recurrentWeights.name]!.data();
    for (let k = 0; k < 5; k++) expect(Math.abs(grec[k * 5 + k]!)).toBe(0);
    const w = await cell.recurrentWeights.data();
    for (let k = 0; k < 5; k++) expect(Math.abs(w[k * 5 + k]!)).toBe(0);
    cell.dispose();
  });
});
