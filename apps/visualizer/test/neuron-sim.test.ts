// The playground's JavaScript neurons against @snn/neurons' tensor steps (Norse's semantics):
// the same spikes at the same steps and the same potentials, for every model it offers.
import '@tensorflow/tfjs-backend-cpu';
import { disposeState } from '@snn/core';
import * as N from '@snn/neurons';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { currentOf, NEURON_MODELS } from '../src/neuron-models.js';
import { rateHz, synapticInput } from '../src/neuron-sim.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const byName = (prefix: string) => NEURON_MODELS.find((m) => m.name.startsWith(prefix))!;

/** Runs a tensor step over per-step inputs and returns spikes and the state field `field`. */
async function tensorRun<S>(
  step: (x: tf.Tensor, s: S) => readonly [tf.Tensor, S],
  init: S,
  xs: Float32Array,
  field: (s: S) => tf.Tensor,
) {
  const x = tf.tensor3d(xs, [xs.length, 1, 1]);
  const [z, final, states] = N.runSequence(step, x, init, { recordStates: true });
  const out = { z: await z.data(), v: await field(states as S).data() };
  disposeState([z, final, states, x, init]);
  return out;
}

/** Checks spikes equal, and v before reset equals the tensor v wherever no spike reset it. */
function expectSame(
  js: { spikes: Uint8Array; v: Float64Array },
  ts: { z: ArrayLike<number>; v: ArrayLike<number> },
) {
  expect(Array.from(js.spikes)).toEqual(Array.from(ts.z));
  let compared = 0;
  for (let t = 0; t < js.spikes.length; t++) {
    if (js.spikes[t]) continue;
    expect(Math.abs(js.v[t]! - ts.v[t]!), `step ${t}`).toBeLessThanOrEqual(
      1e-5 * Math.max(1, Math.abs(ts.v[t]!)),
    );
    compared++;
  }
  expect(compared).toBeGreaterThan(10);
}

describe('playground neurons equal @snn/neurons (cpu backend)', () => {
  for (const dtMs of [0.5, 1, 2]) {
    it(`LIF, dt ${dtMs} ms`, async () => {
      const m = byName('LIF');
      const p = m.defaults();
      const js = m.run(p, m.protocol, dtMs);
      const xs = Float32Array.from(js.input, (I) => synapticInput(I, dtMs / 1000, p.tauSynInv!));
      const params = N.lifParams(N.DEFAULT_LIF_PARAMS);
      const ts = await tensorRun(
        (x, s: N.LIFState) => N.lifStep(x, s, params, dtMs / 1000),
        N.lifInitialState([1, 1], params),
        xs,
        (s) => s.v,
      );
      expect(js.count).toBeGreaterThan(5);
      expectSame(js, ts);
    });
  }

  it('AdEx', async () => {
    const m = byName('AdEx');
    const p = m.defaults();
    const js = m.run(p, m.protocol, 1);
    const xs = Float32Array.from(js.input, (I) => synapticInput(I, 1e-3, p.tauSynInv!));
    const params = N.lifAdExParams({
      ...N.DEFAULT_LIF_ADEX_PARAMS,
      adaptationSpike: p.adaptationSpike!,
      tauAdaInv: p.tauAdaInv!,
    });
    const ts = await tensorRun(
      (x, s: N.LIFAdExState) => N.lifAdExStep(x, s, params),
      N.lifAdExInitialState([1, 1], params),
      xs,
      (s) => s.v,
    );
    expectSame(js, ts);
  });

  it('LSNN: spikes where v crosses the adaptive threshold b', async () => {
    const m = byName('LSNN');
    const p = m.defaults();
    const js = m.run(p, m.protocol, 1);
    const xs = Float32Array.from(js.input, (I) => synapticInput(I, 1e-3, p.tauSynInv!));
    const params = N.lsnnParams({ ...N.DEFAULT_LSNN_PARAMS, tauAdaptInv: p.tauAdaptInv!, beta: p.beta! });
    const ts = await tensorRun(
      (x, s: N.LSNNState) => N.lsnnStep(x, s, params),
      N.lsnnInitialState([1, 1], params),
      xs,
      (s) => s.v,
    );
    expectSame(js, ts);
    for (let t = 0; t < js.spikes.length; t++)
      if (js.spikes[t]) expect(js.v[t]!).toBeGreaterThan(js.threshold[t]!);
    expect(Math.max(...js.threshold)).toBeGreaterThan(p.vTh! + 0.5);
  });

  it('LIF with refractory period', async () => {
    const m = byName('LIF with');
    const p = m.defaults();
    const js = m.run(p, m.protocol, 1);
    const xs = Float32Array.from(js.input, (I) => synapticInput(I, 1e-3, p.tauSynInv!));
    const params = N.lifRefracParams({ lif: N.lifParams(N.DEFAULT_LIF_PARAMS), rhoReset: 5 });
    const ts = await tensorRun(
      (x, s: N.LIFRefracState) => N.lifRefracStep(x, s, params),
      N.lifRefracInitialState([1, 1], params),
      xs,
      (s) => s.lif.v,
    );
    expectSame(js, ts);
  });

  for (const name of ['tonicSpiking', 'phasicBursting', 'class1Exc', 'subthresholdOscillation'] as const) {
    it(`Izhikevich ${name} under its figure's protocol`, async () => {
      const m = NEURON_MODELS.find(
        (x) => x.name === `Izhikevich: ${name.replace(/([A-Z])/g, ' $1').toLowerCase()}`,
      )!;
      const js = m.run(m.defaults(), m.protocol, m.dtMs);
      const preset = N.IZHIKEVICH_PRESETS[name];
      const xs = Float32Array.from(js.input);
      const ts = await tensorRun(
        (x, s: N.IzhikevichState) => N.izhikevichStep(x, s, preset.params),
        N.izhikevichInitialState([1, 1], preset),
        xs,
        (s) => s.v,
      );
      expectSame(js, ts);
    });
  }
});

describe('playground defaults show each model at work', () => {
  it('LIF fires at 50–100 Hz by default, and at the same rate within 10% for dt 0.5, 1 and 2 ms', () => {
    const m = byName('LIF');
    const rates = [0.5, 1, 2].map((dt) => rateHz(m.run(m.defaults(), m.protocol, dt)));
    expect(rates[1]).toBeGreaterThanOrEqual(50);
    expect(rates[1]).toBeLessThanOrEqual(100);
    for (const r of rates) expect(Math.abs(r - rates[1]!) / rates[1]!).toBeLessThanOrEqual(0.1);
  });

  it('every input shape is dt-independent for LIF (rate within 10%)', () => {
    const m = byName('LIF');
    for (const kind of ['step', 'pulse', 'ramp', 'noise'] as const) {
      const protocol = {
        ...m.protocol,
        kind,
        amplitude: kind === 'ramp' ? 3 : 1.6,
        width: 150,
        duration: 400,
      };
      const rates = [0.5, 1, 2].map((dt) => rateHz(m.run(m.defaults(), protocol, dt)));
      expect(rates[1], kind).toBeGreaterThan(0);
      for (const r of rates)
        expect(Math.abs(r - rates[1]!) / rates[1]!, `${kind}: ${rates}`).toBeLessThanOrEqual(0.1);
    }
  });

  it('v is drawn before the reset: every spike sits at or above the threshold it crossed', () => {
    for (const m of NEURON_MODELS.slice(0, 4)) {
      const tr = m.run(m.defaults(), m.protocol, m.dtMs);
      expect(tr.count, m.name).toBeGreaterThan(0);
      for (let t = 0; t < tr.spikes.length; t++)
        if (tr.spikes[t]) expect(tr.v[t]!).toBeGreaterThan(tr.threshold[t]!);
    }
  });

  it('AdEx adapts: its inter-spike intervals grow under a constant input', () => {
    const m = byName('AdEx');
    const tr = m.run(m.defaults(), m.protocol, 1);
    const times = tr.time.filter((_, k) => tr.spikes[k] === 1);
    expect(times.length).toBeGreaterThan(8);
    const isi = Array.from(times.slice(1), (t, k) => t - times[k]!);
    expect(isi[isi.length - 1]!).toBeGreaterThan(2 * isi[0]!);
  });

  it("Izhikevich presets show their figure's pattern: one phasic spike, subthreshold oscillation, class 1 rate rising with the ramp", () => {
    const run = (label: string) => {
      const m = NEURON_MODELS.find((x) => x.name === `Izhikevich: ${label}`)!;
      return m.run(m.defaults(), m.protocol, m.dtMs);
    };
    expect(run('phasic spiking').count).toBe(1);
    expect(run('subthreshold oscillation').count).toBe(1);
    expect(run('spike latency').count).toBe(1);
    expect(run('integrator').count).toBe(1);
    const tonic = run('tonic spiking');
    expect(tonic.count).toBeGreaterThanOrEqual(4);
    const class1 = run('class1 exc');
    const times = class1.time.filter((_, k) => class1.spikes[k] === 1);
    const isi = Array.from(times.slice(1), (t, k) => t - times[k]!);
    expect(isi[isi.length - 1]!).toBeLessThan(isi[0]!);
  });

  it('the noise protocol is the same at every redraw and has the mean asked for', () => {
    const I = currentOf({ kind: 'noise', amplitude: 2, onset: 0, width: 0, sigma: 0.5, duration: 1000 });
    const xs = Array.from({ length: 1000 }, (_, t) => I(t));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(Math.abs(mean - 2)).toBeLessThan(0.1);
    expect(I(123.4)).toBe(
      currentOf({ kind: 'noise', amplitude: 2, onset: 0, width: 0, sigma: 0.5, duration: 1000 })(123.7),
    );
  });
});
