import * as N from '@snn/neurons';
import { describeBackends, expectClose } from '@snn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

/** Runs a feed-forward step for `steps` steps of a constant input; returns spike counts per step. */
async function drive<S>(
  step: (x: tf.Tensor, s: S) => readonly [tf.Tensor, S],
  init: S,
  input: tf.Tensor,
  steps: number,
): Promise<{ spikes: number[]; state: S }> {
  let s = init;
  const spikes: number[] = [];
  for (let t = 0; t < steps; t++) {
    const [z, next] = step(input, s);
    spikes.push((await tf.sum(z).data())[0]!);
    z.dispose();
    N.disposeReplaced(s, next);
    s = next;
  }
  return { spikes, state: s };
}

describeBackends('neuron properties', {}, () => {
  it('every model at rest with no input stays at rest and never spikes', async () => {
    const zero = tf.zeros([2, 4]);
    const cases: [
      string,
      (x: tf.Tensor, s: never) => readonly [tf.Tensor, unknown],
      unknown,
      (s: never) => tf.Tensor,
    ][] = [
      ['lif', (x, s) => N.lifStep(x, s), N.lifInitialState([2, 4]), (s: N.LIFState) => s.v],
      ['li', (x, s) => N.liStep(x, s), N.liInitialState([2, 4]), (s: N.LIState) => s.v],
      ['lifBox', (x, s) => N.lifBoxStep(x, s), N.lifBoxInitialState([2, 4]), (s: N.LIFBoxState) => s.v],
      ['iaf', (x, s) => N.iafStep(x, s), N.iafInitialState([2, 4]), (s: N.IAFState) => s.v],
      ['lsnn', (x, s) => N.lsnnStep(x, s), N.lsnnInitialState([2, 4]), (s: N.LSNNState) => s.v],
      [
        'lifRefrac',
        (x, s) => N.lifRefracStep(x, s),
        N.lifRefracInitialState([2, 4]),
        (s: N.LIFRefracState) => s.lif.v,
      ],
      [
        'bio lif',
        (x, s) => N.lifStep(x, s, N.BIO_LIF_PARAMS, 0.1),
        N.lifInitialState([2, 4], N.BIO_LIF_PARAMS),
        (s: N.LIFState) => s.v,
      ],
    ];
    for (const [name, step, init, v] of cases) {
      const v0 = await v(init as never).data();
      const { spikes, state } = await drive(step as never, init as never, zero, 200);
      expect(
        spikes.every((c) => c === 0),
        name,
      ).toBe(true);
      await expectClose(v(state as never), v0, { atol: 1e-6, label: `${name} v` });
    }
  });

  it('LIF integrates to threshold, spikes, and resets to vReset in the same step', async () => {
    const p = N.lifParams({ vReset: -0.5 });
    let s = N.lifInitialState([1, 1], p);
    const x = tf.fill([1, 1], 150);
    let t = 0;
    for (; t < 100; t++) {
      const [z, next] = N.lifStep(x, s, p);
      s = next;
      if ((await z.data())[0] === 1) break;
    }
    expect(t).toBeLessThan(100);
    expect((await s.v.data())[0]).toBeCloseTo(-0.5, 6);
  });

  it('the tutorial neuron (constant current 1.1, tutorial section 2) fires regularly', async () => {
    // Norse tutorial section 2: a LIF cell under constant input fires periodically.
    const cell = new N.LIFCell();
    const [spikes] = N.lift(cell)(tf.fill([1000, 1, 1], 1.1), undefined, {});
    const z = Array.from(await spikes.data());
    const times = z.flatMap((v, k) => (v === 1 ? [k] : []));
    expect(times.length).toBeGreaterThan(5);
    const gaps = times.slice(1).map((tt, k) => tt - times[k]!);
    expect(Math.max(...gaps.slice(1)) - Math.min(...gaps.slice(1))).toBeLessThanOrEqual(1);
  });

  it('LIFRefrac: no spike and a frozen potential during rhoReset steps after each spike', async () => {
    const p = N.lifRefracParams({ rhoReset: 4 });
    const { spikes } = await drive(
      (x, s: N.LIFRefracState) => N.lifRefracStep(x, s, p),
      N.lifRefracInitialState([1, 1], p),
      tf.fill([1, 1], 400),
      200,
    );
    const times = spikes.flatMap((v, k) => (v === 1 ? [k] : []));
    expect(times.length).toBeGreaterThan(3);
    for (let k = 1; k < times.length; k++) expect(times[k]! - times[k - 1]!).toBeGreaterThan(4);
    // The counter: a spike sets rho = 4 and it counts down one per step.
    let s = N.lifRefracInitialState([1, 1], p);
    const rhos: number[] = [];
    for (let t = 0; t < 40; t++) {
      const [, next] = N.lifRefracStep(tf.fill([1, 1], 400), s, p);
      s = next;
      rhos.push((await s.rho.data())[0]!);
    }
    const first = rhos.indexOf(4);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(rhos.slice(first, first + 5)).toEqual([4, 3, 2, 1, 0]);
  });

  it('LSNN: each spike raises the threshold by beta, which relaxes back to vTh', async () => {
    const p = N.lsnnParams({ beta: 0.5, tauAdaptInv: 20 });
    let s = N.lsnnInitialState([1, 1], p);
    const bs: number[] = [];
    const zs: number[] = [];
    for (let t = 0; t < 300; t++) {
      const x = tf.fill([1, 1], t < 100 ? 300 : 0);
      const [z, next] = N.lsnnStep(x, s, p);
      s = next;
      zs.push((await z.data())[0]!);
      bs.push((await s.b.data())[0]!);
    }
    const firstSpike = zs.indexOf(1);
    expect(bs[firstSpike]!).toBeGreaterThan(1.45);
    expect(Math.max(...bs)).toBeGreaterThan(1.5);
    expect(bs[299]!).toBeLessThan(bs[120]!);
    expect(bs[299]!).toBeGreaterThan(1);
    // The late input: a current given at t lands in i at t and reaches v only at t+1.
    const [, s1] = N.lsnnStep(tf.fill([1, 1], 5), N.lsnnInitialState([1, 1], p), p);
    expect((await s1.v.data())[0]).toBe(0);
    expect((await s1.i.data())[0]).toBe(5);
  });

  it('AdEx: adaptation grows with spikes and slows firing', async () => {
    const p = N.lifAdExParams({ adaptationSpike: 1, tauAdaInv: 2 });
    const { spikes, state } = await drive(
      (x, s: N.LIFAdExState) => N.lifAdExStep(x, s, p),
      N.lifAdExInitialState([1, 1], p),
      tf.fill([1, 1], 1.5),
      600,
    );
    const times = spikes.flatMap((v, k) => (v === 1 ? [k] : []));
    expect(times.length).toBeGreaterThan(3);
    const firstGap = times[1]! - times[0]!;
    const lastGap = times.at(-1)! - times.at(-2)!;
    expect(lastGap).toBeGreaterThan(firstGap);
    expect((await state.a.data())[0]).toBeGreaterThan(0);
  });

  it('the AdEx current encoder keeps a bounded adaptation (Norse bug not reproduced)', async () => {
    let v = tf.zeros([1, 3]);
    let a = tf.zeros([1, 3]);
    const I = tf.tensor([[50, 100, 200]]);
    for (let t = 0; t < 2000; t++) {
      const [, v1, a1] = N.lifAdExCurrentEncoderStep(I, v, a);
      v = v1;
      a = a1;
    }
    const av = Array.from(await a.data());
    expect(av.every((x) => Number.isFinite(x) && x > 0 && x < 1000)).toBe(true);
  });

  it('IAF has no leak: inputs summing exactly to the threshold do not spike (strict threshold)', async () => {
    const { spikes, state } = await drive(
      (x, s: N.IAFState) => N.iafStep(x, s),
      N.iafInitialState([1, 1]),
      tf.fill([1, 1], 0.25),
      4,
    );
    expect(spikes).toEqual([0, 0, 0, 0]);
    expect((await state.v.data())[0]).toBe(1);
  });

  it('COBA recurrent sums input and recurrent conductances (Norse overwrote the input)', async () => {
    const s = N.cobaLIFRecurrentInitialState([1, 1]);
    const [, s1] = N.cobaLIFRecurrentStep(
      tf.tensor([[1]]),
      { ...s, z: tf.tensor([[1]]) },
      tf.tensor([[2]]),
      tf.tensor([[3]]),
      N.cobaLIFParams({ tauSynExcInv: 0 }),
    );
    expect((await s1.gE.data())[0]).toBe(5);
  });

  it('multi-compartment coupling moves charge between compartments', async () => {
    const g = tf.tensor([
      [-10, 10],
      [10, -10],
    ]);
    const s = { v: tf.tensor([[0.5, 0]]), i: tf.zeros([1, 2]) };
    const [, s1] = N.lifMCStep(tf.zeros([1, 2]), s, g);
    const [v0, v1] = Array.from(await s1.v.data());
    // Coupling first: v = [0.5, 0] + 1e-3*[-5, 5] = [0.495, 0.005], then the leak.
    expect(v1!).toBeGreaterThan(0);
    expect(v0!).toBeLessThan(0.5);
    expect(() => N.lifMCStep(tf.zeros([1, 2]), s, tf.zeros([3, 3]))).toThrow(
      /gCoupling must be \[N, N\] with N = 2/,
    );
    const rs = N.lifRefracInitialState([1, 2]);
    const [, r1] = N.lifMCRefracStep(
      tf.ones([1, 2]),
      { lif: { v: tf.tensor([[0.5, 0]]), i: rs.lif.i }, rho: rs.rho },
      g,
    );
    // Input lands after the threshold (LSNN order); the coupling acts without dt.
    await expectClose(r1.lif.i, [1, 1]);
    // Compartment 1 receives 10*0.5 = 5 through the coupling, crosses vTh and resets to 0.
    const [z1] = N.lifMCRefracStep(
      tf.ones([1, 2]),
      { lif: { v: tf.tensor([[0.5, 0]]), i: rs.lif.i }, rho: rs.rho },
      g,
    );
    await expectClose(z1, [0, 1]);
    const [w0, w1] = Array.from(await r1.lif.v.data());
    expect(w1!).toBe(0);
    expect(w0!).toBeLessThan(-4);
  });

  it('Tsodyks–Markram: repeated spikes depress the released fraction', async () => {
    let s = N.stpInitialState([1, 1]);
    const out: number[] = [];
    for (let t = 0; t < 10; t++) {
      const [r, next] = N.stpStep(tf.ones([1, 1]), s);
      s = next;
      out.push((await r.data())[0]!);
    }
    expect(out[0]!).toBeCloseTo(0.45, 5);
    expect(out[9]!).toBeLessThan(out[0]!);
  });
});

describe('Izhikevich presets reproduce their firing patterns', () => {
  const count = async (name: N.IzhikevichPresetName, current: (t: number) => number, steps: number) => {
    const preset = N.IZHIKEVICH_PRESETS[name];
    let s = N.izhikevichInitialState([1, 1], preset);
    const times: number[] = [];
    for (let t = 0; t < steps; t++) {
      const [z, next] = N.izhikevichStep(tf.fill([1, 1], current(t)), s, preset.params);
      N.disposeReplaced(s, next);
      s = next;
      if ((await z.data())[0] === 1) times.push(t);
    }
    return times;
  };

  it('ships all twenty, with u0 = b·v0 (accommodation: −16)', () => {
    expect(Object.keys(N.IZHIKEVICH_PRESETS)).toHaveLength(20);
    expect(N.IZHIKEVICH_PRESETS.tonicSpiking.u0).toBeCloseTo(-14, 5);
    expect(N.IZHIKEVICH_PRESETS.accomodation.u0).toBe(-16);
    expect(N.IZHIKEVICH_PRESETS.phasicBursting.params.tauInv).toBe(200);
    expect(N.IZHIKEVICH_PRESETS.class1Exc.params.mn).toBe(4.1);
  });

  it('tonic spiking fires repeatedly at a steady rate under a constant current', async () => {
    const times = await count('tonicSpiking', (t) => (t > 10 ? 14 : 0), 800);
    expect(times.length).toBeGreaterThan(5);
    const gaps = times.slice(3).map((tt, k) => tt - times[k + 2]!);
    expect(Math.max(...gaps) - Math.min(...gaps)).toBeLessThanOrEqual(2);
  });

  it('phasic spiking fires once at the onset, then stays silent', async () => {
    const times = await count('phasicSpiking', (t) => (t > 20 ? 0.5 : 0), 800);
    expect(times.length).toBe(1);
  });

  it('spike-frequency adaptation: inter-spike intervals lengthen', async () => {
    const times = await count('spikeFrequencyAdaptation', (t) => (t > 10 ? 30 : 0), 800);
    expect(times.length).toBeGreaterThan(3);
    expect(times[2]! - times[1]!).toBeLessThan(times.at(-1)! - times.at(-2)!);
  });

  it('tonic bursting emits groups of closely spaced spikes', async () => {
    const times = await count('tonicBursting', (t) => (t > 10 ? 15 : 0), 1200);
    const gaps = times.slice(1).map((tt, k) => tt - times[k]!);
    expect(Math.min(...gaps) * 4).toBeLessThan(Math.max(...gaps));
  });
});
