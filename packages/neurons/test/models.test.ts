import * as N from '@snn/neurons';
import { describeBackends, expectClose, expectEqual } from '@snn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import * as R from './reference.js';

// Each model is run for T steps on a batch [B, N] and compared, step by step, with the plain
// equations in float64 (reference.ts). Spikes must match exactly, states to float32 accuracy.

const B = 2;
const NN = 3;
const T = 12;

/** Deterministic inputs in [lo, hi]: strong enough to make every model spike. */
function inputs(lo: number, hi: number, seed = 1): number[][][] {
  let s = seed;
  const next = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  return Array.from({ length: T }, () =>
    Array.from({ length: B }, () => Array.from({ length: NN }, () => lo + (hi - lo) * next())),
  );
}

interface Spec {
  name: string;
  xs: number[][][];
  /** Tensor side: initial state and step; `flat` lists the state tensors in the reference's order. */
  init: () => unknown;
  step: (x: tf.Tensor, s: unknown) => readonly [tf.Tensor, unknown];
  flat: (s: unknown) => tf.Tensor[];
  /** Reference side, per element: initial state numbers and step (input, state) => [out, ...state]. */
  refInit: number[];
  refStep: (I: number, s: number[]) => number[];
  /** Output is a spike train (compared exactly). */
  spikes: boolean;
  /** Absolute tolerance relative to the state's magnitude. */
  scale?: number;
}

const dt = 1e-3;
const lifP = N.lifParams({ vTh: 0.6, vReset: -0.1, vLeak: 0.05 });
const exP = N.lifExParams({ vTh: 0.6, deltaT: 0.3 });
const adexP = N.lifAdExParams({ vTh: 0.6, adaptationSpike: 0.3, adaptationCurrent: 2, tauAdaInv: 50 });
const lsnnP = N.lsnnParams({ vTh: 0.3, beta: 0.2, tauAdaptInv: 30 });
const izP = N.IZHIKEVICH_PRESETS.tonicSpiking;
const refracP = N.lifRefracParams({ lif: lifP, rhoReset: 3 });
const adexRefracP = N.lifAdExRefracParams({ lif: adexP, rhoReset: 2 });
const cobaP = N.cobaLIFParams();
const boxP = N.lifBoxParams({ vTh: 0.4 });
const nums = (p: object) => p as never;

const specs: Spec[] = [
  {
    name: 'lifStep',
    xs: inputs(0, 120),
    init: () => N.lifInitialState([B, NN], lifP),
    step: (x, s) => N.lifStep(x, s as N.LIFState, lifP, dt),
    flat: (s) => [(s as N.LIFState).v, (s as N.LIFState).i],
    refInit: [0.05, 0],
    refStep: (I, [v, i]) => R.lif(I, v!, i!, nums(lifP), dt),
    spikes: true,
  },
  {
    name: 'liStep',
    xs: inputs(-50, 80),
    init: () => N.liInitialState([B, NN], N.liParams({ vLeak: 0.2 })),
    step: (x, s) => N.liStep(x, s as N.LIState, N.liParams({ vLeak: 0.2 }), dt),
    flat: (s) => [(s as N.LIState).v, (s as N.LIState).i],
    refInit: [0.2, 0],
    refStep: (I, [v, i]) => {
      const iJ = i! + I;
      const vN = v! + dt * 100 * (0.2 - v! + iJ);
      return [vN, vN, iJ - dt * 200 * iJ];
    },
    spikes: false,
  },
  {
    name: 'lifBoxStep (value reset)',
    xs: inputs(0, 90),
    init: () => N.lifBoxInitialState([B, NN], boxP),
    step: (x, s) => N.lifBoxStep(x, s as N.LIFBoxState, boxP, dt),
    flat: (s) => [(s as N.LIFBoxState).v],
    refInit: [0],
    refStep: (I, [v]) => R.lifBox(I, v!, nums(boxP), dt, false),
    spikes: true,
  },
  {
    name: 'lifBoxStep (subtract reset)',
    xs: inputs(0, 90),
    init: () => N.lifBoxInitialState([B, NN], boxP),
    step: (x, s) =>
      N.lifBoxStep(x, s as N.LIFBoxState, N.lifBoxParams({ ...boxP, resetMethod: 'subtract' }), dt),
    flat: (s) => [(s as N.LIFBoxState).v],
    refInit: [0],
    refStep: (I, [v]) => R.lifBox(I, v!, nums(boxP), dt, true),
    spikes: true,
  },
  {
    name: 'liBoxStep',
    xs: inputs(-5, 9),
    init: () => N.liBoxInitialState([B, NN]),
    step: (x, s) => N.liBoxStep(x, s as N.LIBoxState, N.DEFAULT_LI_BOX_PARAMS, dt),
    flat: (s) => [(s as N.LIBoxState).v],
    refInit: [0],
    refStep: (I, [v]) => {
      const vN = v! + dt * 100 * (0 - v! + I);
      return [vN, vN];
    },
    spikes: false,
  },
  {
    name: 'iafStep',
    xs: inputs(0, 0.45),
    init: () => N.iafInitialState([B, NN]),
    step: (x, s) => N.iafStep(x, s as N.IAFState),
    flat: (s) => [(s as N.IAFState).v],
    refInit: [0],
    refStep: (I, [v]) => {
      const vN = v! + I;
      const z = R.H(vN - 1);
      return [z, (1 - z) * vN];
    },
    spikes: true,
  },
  {
    name: 'lifExStep',
    xs: inputs(0, 120),
    init: () => N.lifInitialState([B, NN], exP),
    step: (x, s) => N.lifExStep(x, s as N.LIFState, exP, dt),
    flat: (s) => [(s as N.LIFState).v, (s as N.LIFState).i],
    refInit: [0, 0],
    refStep: (I, [v, i]) => R.lifEx(I, v!, i!, nums(exP), dt),
    spikes: true,
  },
  {
    name: 'lifAdExStep',
    xs: inputs(0, 150),
    init: () => N.lifAdExInitialState([B, NN], adexP),
    step: (x, s) => N.lifAdExStep(x, s as N.LIFAdExState, adexP, dt),
    flat: (s) => [(s as N.LIFAdExState).v, (s as N.LIFAdExState).i, (s as N.LIFAdExState).a],
    refInit: [0, 0, 0],
    refStep: (I, [v, i, a]) => R.adex(I, v!, i!, a!, nums(adexP), dt),
    spikes: true,
  },
  {
    name: 'lsnnStep',
    xs: inputs(0, 150),
    init: () => N.lsnnInitialState([B, NN], lsnnP),
    step: (x, s) => N.lsnnStep(x, s as N.LSNNState, lsnnP, dt),
    flat: (s) => [(s as N.LSNNState).v, (s as N.LSNNState).i, (s as N.LSNNState).b],
    refInit: [0, 0, 0.3],
    refStep: (I, [v, i, b]) => R.lsnn(I, v!, i!, b!, nums(lsnnP), dt),
    spikes: true,
  },
  {
    name: 'izhikevichStep (tonic spiking)',
    xs: inputs(5, 25),
    init: () => N.izhikevichInitialState([B, NN], izP),
    step: (x, s) => N.izhikevichStep(x, s as N.IzhikevichState, izP.params, dt),
    flat: (s) => [(s as N.IzhikevichState).v, (s as N.IzhikevichState).u],
    refInit: [-70, -14],
    refStep: (I, [v, u]) => R.izhikevich(I, v!, u!, nums(izP.params), dt),
    spikes: true,
    scale: 100,
  },
  {
    name: 'lifRefracStep',
    xs: inputs(0, 200),
    init: () => N.lifRefracInitialState([B, NN], refracP),
    step: (x, s) => N.lifRefracStep(x, s as N.LIFRefracState, refracP, dt),
    flat: (s) => [(s as N.LIFRefracState).lif.v, (s as N.LIFRefracState).lif.i, (s as N.LIFRefracState).rho],
    refInit: [0.05, 0, 0],
    refStep: (I, [v, i, rho]) => {
      const inner = R.lif(I, v!, i!, nums(lifP), dt);
      const [z, vN, iN, rhoN] = R.refrac(inner, v!, rho!, 3);
      return [z, vN, iN, rhoN];
    },
    spikes: true,
  },
  {
    name: 'lifAdExRefracStep',
    xs: inputs(0, 200),
    init: () => N.lifAdExRefracInitialState([B, NN], adexRefracP),
    step: (x, s) => N.lifAdExRefracStep(x, s as N.LIFAdExRefracState, adexRefracP, dt),
    flat: (s) => {
      const st = s as N.LIFAdExRefracState;
      return [st.lif.v, st.lif.i, st.lif.a, st.rho];
    },
    refInit: [0, 0, 0, 0],
    refStep: (I, [v, i, a, rho]) => {
      const [zI, vI, iI, aI] = R.adex(I, v!, i!, a!, nums(adexP), dt);
      const [z, vN, , rhoN] = R.refrac([zI, vI, iI], v!, rho!, 2);
      return [z, vN, iI, aI, rhoN];
    },
    spikes: true,
  },
  {
    name: 'cobaLIFStep',
    xs: inputs(-30, 60),
    init: () => N.cobaLIFInitialState([B, NN]),
    step: (x, s) => N.cobaLIFStep(x, s as N.CobaLIFState, cobaP, dt),
    flat: (s) => [(s as N.CobaLIFState).v, (s as N.CobaLIFState).gE, (s as N.CobaLIFState).gI],
    refInit: [0, 0, 0],
    refStep: (I, [v, gE, gI]) => R.coba(gE! + R.relu(I), gI! + R.relu(-I), v!, nums(cobaP), dt),
    spikes: true,
    scale: 100,
  },
  {
    name: 'stpStep',
    xs: inputs(0, 1).map((b) => b.map((r) => r.map((x) => (x > 0.5 ? 1 : 0)))),
    init: () => N.stpInitialState([B, NN]),
    step: (x, s) => N.stpStep(x, s as N.STPState, N.DEFAULT_STP_PARAMS, dt),
    flat: (s) => [(s as N.STPState).u, (s as N.STPState).x],
    refInit: [0, 1],
    refStep: (z, [u, x]) => [...R.stp(z, u!, x!, nums(N.DEFAULT_STP_PARAMS), dt)],
    spikes: false,
  },
];

describeBackends('every model agrees with its reference equations, step by step', {}, ({ epsilon }) => {
  for (const spec of specs) {
    it(spec.name, async () => {
      let state = spec.init();
      const ref = Array.from({ length: B * NN }, () => [...spec.refInit]);
      let spikes = 0;
      for (let t = 0; t < T; t++) {
        const x = tf.tensor(spec.xs[t]!);
        const [out, next] = spec.step(x, state);
        const expectedOut: number[] = [];
        const expectedStates: number[][] = spec.refInit.map(() => []);
        for (let k = 0; k < B * NN; k++) {
          const I = spec.xs[t]![Math.floor(k / NN)]![k % NN]!;
          const r = spec.refStep(I, ref[k]!);
          expectedOut.push(r[0]!);
          ref[k] = r.slice(1);
          r.slice(1).forEach((v, j) => {
            expectedStates[j]!.push(v);
          });
        }
        if (spec.spikes) {
          await expectEqual(out, expectedOut, `${spec.name} z at t=${t}`);
          spikes += expectedOut.reduce((a, b) => a + b, 0);
        } else await expectClose(out, expectedOut, { atol: 1e-4 * (spec.scale ?? 1), rtol: 1e-5 });
        const flat = spec.flat(next);
        for (let j = 0; j < flat.length; j++) {
          await expectClose(flat[j]!, expectedStates[j]!, {
            atol: Math.max(1e-4, 100 * epsilon) * (spec.scale ?? 1),
            rtol: 1e-5,
            label: `${spec.name} state[${j}] at t=${t}`,
          });
        }
        tf.dispose([x, out]);
        N.disposeReplaced(state, next);
        state = next;
      }
      if (spec.spikes) expect(spikes, `${spec.name} should spike in this test`).toBeGreaterThan(0);
    });
  }

  it('recurrent steps add x @ Win^T and zPrev @ Wrec^T in that order', async () => {
    const win = [
      [30, -10],
      [5, 40],
      [-20, 25],
    ];
    const wrec = [
      [0, 20, -15],
      [10, 0, 30],
      [-25, 15, 0],
    ];
    const xs = inputs(0, 1).map((b) => b.map((r) => r.slice(0, 2).map((x) => (x > 0.4 ? 1 : 0))));
    const Win = tf.tensor(win);
    const Wrec = tf.tensor(wrec);
    const models: {
      name: string;
      init: () => unknown;
      step: (x: tf.Tensor, s: never) => readonly [tf.Tensor, unknown];
      flat: (s: never) => tf.Tensor[];
      refInit: number[];
      ref: (Iin: number, Irec: number, s: number[]) => number[];
    }[] = [
      {
        name: 'lifRecurrentStep',
        init: () => N.lifRecurrentInitialState([B, 3], lifP),
        step: (x, s) => N.lifRecurrentStep(x, s, Win, Wrec, lifP, dt),
        flat: (s: N.LIFRecurrentState) => [s.v, s.i],
        refInit: [0.05, 0],
        ref: (a, b, [v, i]) => R.lif(a + b, v!, i!, nums(lifP), dt),
      },
      {
        name: 'lsnnRecurrentStep',
        init: () => N.lsnnRecurrentInitialState([B, 3], lsnnP),
        step: (x, s) => N.lsnnRecurrentStep(x, s, Win, Wrec, lsnnP, dt),
        flat: (s: N.LSNNRecurrentState) => [s.v, s.i, s.b],
        refInit: [0, 0, 0.3],
        ref: (a, b, [v, i, bb]) => R.lsnn(a + b, v!, i!, bb!, nums(lsnnP), dt),
      },
      {
        name: 'adaLIFRecurrentStep',
        init: () => N.adaLIFRecurrentInitialState([B, 3], lsnnP),
        step: (x, s) => N.adaLIFRecurrentStep(x, s, Win, Wrec, lsnnP, dt),
        flat: (s: N.LSNNRecurrentState) => [s.v, s.i, s.b],
        refInit: [0, 0, 0],
        ref: (a, b, [v, i, bb]) => R.adaLIF(a + b, v!, i!, bb!, nums(lsnnP), dt),
      },
      {
        name: 'lifAdExRecurrentStep',
        init: () => N.lifAdExRecurrentInitialState([B, 3], adexP),
        step: (x, s) => N.lifAdExRecurrentStep(x, s, Win, Wrec, adexP, dt),
        flat: (s: N.LIFAdExRecurrentState) => [s.v, s.i, s.a],
        refInit: [0, 0, 0],
        ref: (a, b, [v, i, aa]) => R.adex(a + b, v!, i!, aa!, nums(adexP), dt),
      },
      {
        name: 'lifExRecurrentStep',
        init: () => N.lifRecurrentInitialState([B, 3], exP),
        step: (x, s) => N.lifExRecurrentStep(x, s, Win, Wrec, exP, dt),
        flat: (s: N.LIFRecurrentState) => [s.v, s.i],
        refInit: [0, 0],
        ref: (a, b, [v, i]) => R.lifEx(a + b, v!, i!, nums(exP), dt),
      },
      {
        name: 'iafRecurrentStep',
        init: () => N.iafRecurrentInitialState([B, 3]),
        step: (x, s) => N.iafRecurrentStep(x, s, tf.div(Win, 128), tf.div(Wrec, 128)),
        flat: (s: N.IAFRecurrentState) => [s.v],
        refInit: [0],
        ref: (a, b, [v]) => {
          const vn = v! + a / 128 + b / 128;
          const z = R.H(vn - 1);
          return [z, (1 - z) * vn];
        },
      },
    ];
    for (const m of models) {
      let s = m.init();
      const ref = Array.from({ length: B * 3 }, () => [...m.refInit]);
      let zPrev = Array.from({ length: B }, () => [0, 0, 0]);
      let spikes = 0;
      for (let t = 0; t < T; t++) {
        const xt = xs[t]!;
        const [z, next] = m.step(tf.tensor(xt), s as never);
        const expectedZ: number[] = [];
        const zNow: number[][] = [];
        for (let b = 0; b < B; b++) {
          const Iin = R.lin(xt[b]!, win);
          const Irec = R.lin(zPrev[b]!, wrec);
          zNow.push([]);
          for (let n = 0; n < 3; n++) {
            const r = m.ref(Iin[n]!, Irec[n]!, ref[b * 3 + n]!);
            expectedZ.push(r[0]!);
            zNow[b]!.push(r[0]!);
            ref[b * 3 + n] = r.slice(1);
          }
        }
        zPrev = zNow;
        spikes += expectedZ.reduce((a, c) => a + c, 0);
        await expectEqual(z, expectedZ, `${m.name} z at t=${t}`);
        const flat = m.flat(next as never);
        for (let j = 0; j < flat.length; j++) {
          await expectClose(
            flat[j]!,
            ref.map((r) => r[j]!),
            { atol: 1e-4, rtol: 1e-5, label: `${m.name} state[${j}] t=${t}` },
          );
        }
        s = next;
      }
      expect(spikes, `${m.name} should spike`).toBeGreaterThan(0);
    }
  });
});
