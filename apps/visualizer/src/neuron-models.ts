import * as N from '@snn/neurons';
import {
  type IzhikevichLike,
  izhikevichStepper,
  type LIFLike,
  lifAdExStepper,
  lifRefracStepper,
  lifStepper,
  lsnnStepper,
  type NeuronTrace,
  type Stepper,
  simulate,
  synapticInput,
} from './neuron-sim.js';

/** A parameter slider: Norse's field, a human label with its unit, and how the slider maps to it. */
export interface ParamSpec {
  /** The field of Norse's parameter record. */
  readonly key: string;
  /** What the slider is labelled, with its unit (e.g. `τ_syn (ms)`). */
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly step: number;
  /** The slider shows a time constant in ms while the record holds its inverse in 1/s. */
  readonly inverseMs?: boolean;
}

/** The shape of the input current over time. */
export type InputKind = 'step' | 'pulse' | 'ramp' | 'noise' | 'preset';

/** An input protocol: a current `I(t)` (t in the model's ms) and how long to run. */
export interface InputProtocol {
  readonly kind: InputKind;
  /** Current amplitude (step height, pulse height, ramp end, noise mean). */
  readonly amplitude: number;
  /** When the step, pulse or ramp starts (ms). */
  readonly onset: number;
  /** Pulse width (ms). */
  readonly width: number;
  /** Noise standard deviation (the current is redrawn every ms, from a fixed seed). */
  readonly sigma: number;
  /** Run length (ms). */
  readonly duration: number;
  /** For `'preset'`: the current of the original figure, by time (ms). */
  readonly preset?: (tMs: number) => number;
  /** For `'preset'`: what the figure's protocol is, in words. */
  readonly description?: string;
}

/** A neuron model of the playground. */
export interface ModelSpec {
  readonly name: string;
  readonly params: readonly ParamSpec[];
  /** Parameter values (Norse's record, numbers only). */
  defaults(): Record<string, number>;
  /** The default input: each model's characteristic behaviour. */
  readonly protocol: InputProtocol;
  /** The input amplitude slider's range. */
  readonly current: { readonly min: number; readonly max: number; readonly step: number };
  /** Label of the input current with its unit. */
  readonly currentLabel: string;
  /** Label of the voltage axis with its unit. */
  readonly vLabel: string;
  /** The second trace and its label with unit. */
  readonly secondLabel: string;
  /** Label of the threshold line. */
  readonly thresholdLabel: string;
  /** Default step (ms of the time axis). */
  readonly dtMs: number;
  /** A short paragraph: what to look for. */
  readonly explanation: string;
  /** The update equations, as Norse runs them. */
  readonly equation: string;
  /** Runs the model. `dtMs` is the time-axis step in ms. */
  run(values: Record<string, number>, protocol: InputProtocol, dtMs: number): NeuronTrace;
}

/** Mulberry32: a small seeded generator, so the noise protocol is the same on every redraw. */
function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The current `I(t)` of a protocol. Noise is redrawn once per ms (not per step), so it has the
 * same statistics whatever `dt`.
 */
export function currentOf(p: InputProtocol): (tMs: number) => number {
  switch (p.kind) {
    case 'preset':
      return p.preset ?? (() => 0);
    case 'step':
      return (t) => (t >= p.onset ? p.amplitude : 0);
    case 'pulse':
      return (t) => (t >= p.onset && t < p.onset + p.width ? p.amplitude : 0);
    case 'ramp':
      return (t) => (t < p.onset ? 0 : (p.amplitude * (t - p.onset)) / Math.max(1e-9, p.duration - p.onset));
    case 'noise': {
      const rand = mulberry(7);
      const values = Array.from({ length: Math.ceil(p.duration) + 1 }, () => {
        // Box–Muller: a normal sample per ms.
        const u = Math.max(1e-12, rand());
        return p.amplitude + p.sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
      });
      return (t) => (t >= p.onset ? (values[Math.floor(t)] ?? p.amplitude) : 0);
    }
  }
}

const tau = (key: string, label: string, min: number, max: number): ParamSpec => ({
  key,
  label,
  min,
  max,
  step: 0.5,
  inverseMs: true,
});

const LIF_PARAMS: ParamSpec[] = [
  tau('tauSynInv', 'τ_syn, synaptic time constant (ms)', 0.5, 50),
  tau('tauMemInv', 'τ_mem, membrane time constant (ms)', 1, 100),
  { key: 'vLeak', label: 'v_leak, resting potential', min: -1, max: 1, step: 0.05 },
  { key: 'vTh', label: 'v_th, threshold', min: 0.1, max: 2, step: 0.05 },
  { key: 'vReset', label: 'v_reset, after a spike', min: -1, max: 1, step: 0.05 },
];

const step = (amplitude: number, duration: number, onset = 10): InputProtocol => ({
  kind: 'step',
  amplitude,
  onset,
  width: 20,
  sigma: 0.3,
  duration,
});

/** LIF-family runs: the current enters the synapse as `I·dt/τ_syn` per step (dt-independent). */
function lifRun(make: (p: Record<string, number>, dt: number) => Stepper) {
  return (values: Record<string, number>, protocol: InputProtocol, dtMs: number): NeuronTrace => {
    const dt = dtMs / 1000;
    return simulate((d) => make(values, d), {
      steps: Math.max(1, Math.round(protocol.duration / dtMs)),
      dt,
      msPerStep: dtMs,
      current: currentOf(protocol),
      perStep: (I) => synapticInput(I, dt, values.tauSynInv!),
    });
  };
}

const LIF_EQUATION =
  'i ← i + I·dt/τ_syn;  v ← v + dt/τ_mem·(v_leak − v + i);  i ← i − dt/τ_syn·i;  spike when v > v_th, then v ← v_reset';
const LIF_UNITS = 'voltage (dimensionless: v_th = 1)';

const lifSpecs: ModelSpec[] = [
  {
    name: 'LIF',
    params: LIF_PARAMS,
    defaults: () => ({ ...(N.DEFAULT_LIF_PARAMS as unknown as Record<string, number>) }),
    protocol: step(1.3, 300),
    current: { min: -1, max: 5, step: 0.05 },
    currentLabel: 'input current I (units of v)',
    vLabel: LIF_UNITS,
    secondLabel: 'synaptic current i (units of v)',
    thresholdLabel: 'v_th',
    dtMs: 1,
    explanation:
      'The leaky integrate-and-fire neuron: the input charges a synaptic current i, which charges the membrane v while v leaks back to rest. When v crosses the threshold the neuron spikes and v is reset. A steady current I pulls v towards v_leak + I, so it fires only when I exceeds v_th − v_leak, and faster the larger I is.',
    equation: LIF_EQUATION,
    run: lifRun((p, dt) => lifStepper(p as unknown as LIFLike, dt)),
  },
  {
    name: 'LIF with refractory period',
    params: [
      ...LIF_PARAMS,
      { key: 'refractoryMs', label: 'refractory period after a spike (ms)', min: 0, max: 20, step: 0.5 },
    ],
    defaults: () => ({ ...(N.DEFAULT_LIF_PARAMS as unknown as Record<string, number>), refractoryMs: 5 }),
    protocol: step(3, 300),
    current: { min: -1, max: 8, step: 0.05 },
    currentLabel: 'input current I (units of v)',
    vLabel: LIF_UNITS,
    secondLabel: 'refractory counter ρ (steps left)',
    thresholdLabel: 'v_th',
    dtMs: 1,
    explanation:
      'A LIF neuron that, after each spike, holds its potential for a refractory period and cannot fire: however strong the input, the rate cannot exceed one spike per refractory period. Norse counts the period in steps (ρ); the slider is in ms and sets ρ_reset = period / dt, so the period stays the same when you change dt. Watch ρ count down after each spike.',
    equation: `${LIF_EQUATION};  while ρ > 0: v held, no spike, ρ ← ρ − 1;  a spike sets ρ ← ρ_reset`,
    run: lifRun((p, dt) =>
      lifRefracStepper(
        { ...(p as unknown as LIFLike), rhoReset: Math.round(p.refractoryMs! / (dt * 1000)) },
        dt,
      ),
    ),
  },
  {
    name: 'AdEx (adaptive exponential LIF)',
    params: [
      ...LIF_PARAMS,
      {
        key: 'adaptationCurrent',
        label: 'sub-threshold adaptation (per unit of v)',
        min: 0,
        max: 10,
        step: 0.1,
      },
      { key: 'adaptationSpike', label: 'adaptation added per spike', min: 0, max: 2, step: 0.01 },
      { key: 'deltaT', label: 'Δ_T, sharpness of the spike onset', min: 0.05, max: 2, step: 0.05 },
      tau('tauAdaInv', 'τ_ada, adaptation time constant (ms)', 10, 2000),
    ],
    defaults: () => ({
      ...(N.DEFAULT_LIF_ADEX_PARAMS as unknown as Record<string, number>),
      adaptationSpike: 0.1,
      tauAdaInv: 10,
    }),
    protocol: step(3, 400),
    current: { min: -1, max: 8, step: 0.05 },
    currentLabel: 'input current I (units of v)',
    vLabel: LIF_UNITS,
    secondLabel: 'adaptation current a (units of v)',
    thresholdLabel: 'v_th',
    dtMs: 1,
    explanation:
      'AdEx adds two things to LIF: an exponential term that makes v run away once it nears the threshold, and an adaptation current a that grows with every spike and is subtracted from the input. Under a constant input it fires fast at first and then slower and slower: spike-frequency adaptation.',
    equation:
      'v ← v + dt/τ_mem·(v_leak − v + Δ_T·exp((v − v_th)/Δ_T) + i − a);  a ← a + dt/τ_ada·(A·(v − v_leak) − a);  at a spike: v ← v_reset, a ← a + b',
    run: lifRun((p, dt) => lifAdExStepper(p as never, dt)),
  },
  {
    name: 'LSNN (adaptive threshold)',
    params: [
      ...LIF_PARAMS,
      tau('tauAdaptInv', 'τ_adapt, threshold recovery time (ms)', 10, 2000),
      { key: 'beta', label: 'β, threshold jump per spike', min: 0, max: 3, step: 0.05 },
    ],
    defaults: () =>
      ({ ...N.DEFAULT_LSNN_PARAMS, tauAdaptInv: 5, beta: 0.3 }) as unknown as Record<string, number>,
    protocol: step(2, 400),
    current: { min: -1, max: 8, step: 0.05 },
    currentLabel: 'input current I (units of v)',
    vLabel: LIF_UNITS,
    secondLabel: 'synaptic current i (units of v)',
    thresholdLabel: 'adaptive threshold b',
    dtMs: 1,
    explanation:
      'The long short-term memory SNN neuron: each spike raises its own threshold by β, and the threshold relaxes back over τ_adapt. The dashed line is that moving threshold; spikes occur where v crosses it, and they thin out as it climbs.',
    equation:
      'v ← v + dt/τ_mem·(v_leak − v + i);  b ← b + dt/τ_adapt·(v_th − b);  spike when v > b, then v ← v_reset, b ← b + β;  i ← i − dt/τ_syn·i + I·dt/τ_syn',
    run: lifRun((p, dt) => lsnnStepper(p as never, dt)),
  },
];

/**
 * The input protocol of each panel of Izhikevich (2004), Fig. 1 (times in his ms, currents in his
 * units): duration, the current by time, and the protocol in words.
 */
const PROTOCOLS: Record<N.IzhikevichPresetName, [number, (t: number) => number, string]> = {
  tonicSpiking: [100, (t) => (t > 10 ? 14 : 0), 'a step to 14 at 10 ms'],
  phasicSpiking: [200, (t) => (t > 20 ? 0.5 : 0), 'a step to 0.5 at 20 ms'],
  tonicBursting: [220, (t) => (t > 22 ? 15 : 0), 'a step to 15 at 22 ms'],
  phasicBursting: [200, (t) => (t > 20 ? 0.6 : 0), 'a step to 0.6 at 20 ms'],
  mixedMode: [160, (t) => (t > 16 ? 10 : 0), 'a step to 10 at 16 ms'],
  spikeFrequencyAdaptation: [85, (t) => (t > 8.5 ? 30 : 0), 'a step to 30 at 8.5 ms'],
  class1Exc: [300, (t) => (t > 30 ? 0.075 * (t - 30) : 0), 'a ramp of slope 0.075/ms from 30 ms'],
  class2Exc: [
    300,
    (t) => (t > 30 ? -0.5 + 0.015 * (t - 30) : -0.5),
    'a ramp from −0.5, slope 0.015/ms from 30 ms',
  ],
  spikeLatency: [100, (t) => (t >= 10 && t < 13 ? 7.04 : 0), 'a 3 ms pulse of 7.04 at 10 ms'],
  subthresholdOscillation: [200, (t) => (t >= 20 && t < 25 ? 2 : 0), 'a 5 ms pulse of 2 at 20 ms'],
  resonator: [
    400,
    (t) =>
      (t >= 40 && t < 44) || (t >= 60 && t < 64) || (t >= 280 && t < 284) || (t >= 320 && t < 324) ? 0.65 : 0,
    'pairs of 4 ms pulses of 0.65: 20 ms apart (resonant) and 40 ms apart',
  ],
  integrator: [
    100,
    (t) =>
      (t >= 9.09 && t < 11.09) || (t >= 14.09 && t < 16.09) || (t >= 70 && t < 72) || (t >= 80 && t < 82)
        ? 9
        : 0,
    'pairs of 2 ms pulses of 9: 5 ms apart (integrated) and 10 ms apart',
  ],
  reboundSpike: [200, (t) => (t >= 20 && t < 25 ? -15 : 0), 'a 5 ms inhibitory pulse of −15 at 20 ms'],
  reboundBurst: [200, (t) => (t >= 20 && t < 25 ? -15 : 0), 'a 5 ms inhibitory pulse of −15 at 20 ms'],
  thresholdVariability: [
    100,
    (t) => ((t >= 10 && t < 15) || (t >= 80 && t < 85) ? 1 : t >= 70 && t < 75 ? -6 : 0),
    'a pulse of 1 at 10 ms; then −6 at 70 ms followed by 1 at 80 ms',
  ],
  bistability: [
    300,
    (t) => ((t >= 37.5 && t < 42.5) || (t >= 208 && t < 213) ? 1.24 : 0.24),
    'a baseline of 0.24 with pulses to 1.24 at 37.5 ms (on) and 208 ms (off; the figure has 216 ms, and 208 ms hits the same phase of the cycle in this discretization)',
  ],
  dap: [
    50,
    (t) => (t >= 9 && t < 11 ? 20 : 0),
    "a 2 ms pulse of 20 at 9 ms. Norse's step (u updated from the previous v) turns the depolarizing after-potential into extra spikes here",
  ],
  accomodation: [
    400,
    (t) => (t < 200 ? t / 25 : t < 300 ? 0 : t < 312.5 ? ((t - 300) / 12.5) * 4 : 0),
    "a slow ramp to 8, then a fast ramp to 4 at 300 ms. Izhikevich's accommodation uses u' = a·b·(v + 65); Norse's common u equation with this preset fires through the slow ramp instead",
  ],
  inhibitionInducedSpiking: [
    350,
    (t) => (t >= 50 && t < 250 ? 75 : 80),
    'a baseline of 80, lowered to 75 from 50 to 250 ms',
  ],
  inhibitionInducedBursting: [
    350,
    (t) => (t >= 50 && t < 250 ? 75 : 80),
    "a baseline of 80, lowered to 75 from 50 to 250 ms. At 0.25 ms steps with the previous v in u's update, u runs away here: a discretization artefact (try a smaller dt)",
  ],
};

const izhikevichSpecs: ModelSpec[] = (Object.keys(N.IZHIKEVICH_PRESETS) as N.IzhikevichPresetName[]).map(
  (name): ModelSpec => {
    const preset = N.IZHIKEVICH_PRESETS[name];
    const [duration, current, description] = PROTOCOLS[name];
    const tauInv = preset.params.tauInv as number;
    return {
      name: `Izhikevich: ${name.replace(/([A-Z])/g, ' $1').toLowerCase()}`,
      params: [
        { key: 'a', label: 'a, recovery time scale (1/ms)', min: -0.1, max: 1, step: 0.005 },
        { key: 'b', label: 'b, recovery sensitivity to v', min: -1.5, max: 1.5, step: 0.01 },
        { key: 'c', label: 'c, reset potential (mV)', min: -80, max: -30, step: 1 },
        { key: 'd', label: 'd, recovery jump per spike', min: -25, max: 10, step: 0.25 },
      ],
      defaults: () => ({ ...(preset.params as unknown as Record<string, number>) }),
      protocol: {
        kind: 'preset',
        amplitude: 0,
        onset: 0,
        width: 0,
        sigma: 0,
        duration,
        preset: current,
        description,
      },
      current: { min: -20, max: 100, step: 0.5 },
      currentLabel: 'input current I (Izhikevich units, mV/ms)',
      vLabel: 'membrane potential v (mV)',
      secondLabel: 'recovery variable u (mV/ms)',
      thresholdLabel: 'spike cut-off (30 mV)',
      // Norse runs his model at `dt·tauInv` of his ms per step: 0.25 ms for a 1 ms step and tauInv 250.
      dtMs: tauInv / 1000,
      explanation: `Izhikevich's two-variable neuron: v is the membrane potential in mV and u a recovery current that pulls it back. Four numbers a, b, c, d select one of twenty firing patterns of real neurons. This preset (${name}) gets the input of its panel in Izhikevich (2004), Fig. 1: ${description}. Time is in his ms (Norse runs the model with tauInv ${tauInv}/s, so a 1 ms step of dt advances it ${tauInv / 1000} ms).`,
      equation:
        'v ← v + dt·(0.04·v² + 5·v + 140 − u + I);  u ← u + dt·a·(b·v − u);  when v > 30 mV: v ← c, u ← u + d',
      run: (values, protocol, dtMs) =>
        simulate(
          (dt) =>
            izhikevichStepper(
              { ...(preset.params as unknown as IzhikevichLike), ...values, v0: preset.v0, u0: preset.u0 },
              dt,
            ),
          {
            steps: Math.max(1, Math.round(protocol.duration / dtMs)),
            dt: dtMs / tauInv,
            msPerStep: dtMs,
            current: currentOf(protocol),
            perStep: (I) => I,
          },
        ),
    };
  },
);

/** Every model the playground offers, LIF first. */
export const NEURON_MODELS: readonly ModelSpec[] = [...lifSpecs, ...izhikevichSpecs];
