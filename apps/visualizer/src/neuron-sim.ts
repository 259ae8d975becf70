/**
 * One neuron at a time, in plain JavaScript: the same Euler steps as `@snn/neurons` (Norse's
 * semantics, float32 rounding in the same order), for the playground. A single neuron is a few
 * hundred scalar updates, which take microseconds here and hundreds of milliseconds as tensor ops
 * on a GPU backend (a kernel launch per op). `test/neuron-sim.test.ts` checks every model against
 * the tfjs step functions, spike for spike.
 *
 * Unlike the tensor steps, these also return `v` **before** the reset (the value compared with the
 * threshold) and the threshold itself at every step, which is what the playground draws.
 */

const f = Math.fround;
/** `dt * tauInv` rounded as @snn/core's `dtTimes` (float32 of float32 operands). */
const dtTimes = (dt: number, p: number) => f(f(dt) * f(p));
/** The product of parameters as @snn/neurons' `paramProduct` forms it (double, then float32). */
const product = (...xs: number[]) => f(xs.reduce((a, b) => a * b, 1));

/** Parameters of the LIF family (Norse's names and units: inverse time constants in 1/s). */
export interface LIFLike {
  tauSynInv: number;
  tauMemInv: number;
  vLeak: number;
  vTh: number;
  vReset: number;
}

/** What a run records, one value per step. */
export interface NeuronTrace {
  /** Time at the end of each step (ms; for Izhikevich, Izhikevich's model ms). */
  readonly time: Float64Array;
  /** The input current `I(t)` of the protocol (before it is scaled per step). */
  readonly input: Float64Array;
  /** Membrane potential before the reset: the value compared with the threshold. */
  readonly v: Float64Array;
  /** The model's second variable (synaptic current, refractory counter, adaptation, recovery). */
  readonly second: Float64Array;
  /** The threshold `v` is compared with at each step (moves for LSNN). */
  readonly threshold: Float64Array;
  /** 1 where the neuron spiked. */
  readonly spikes: Uint8Array;
  /** Number of spikes. */
  readonly count: number;
}

/** One neuron's step: takes the per-step input `x`, returns `[z, vBeforeReset, second, threshold]`. */
export type Stepper = (x: number) => [number, number, number, number];

/** Feed-forward LIF (`lifStep`): the current jumps by `x`, then v takes an Euler step. */
export function lifStepper(p: LIFLike, dt: number): Stepper {
  let v = f(p.vLeak);
  let i = 0;
  return (x) => {
    const iJump = f(i + x);
    const vDec = f(v + f(dtTimes(dt, p.tauMemInv) * f(f(f(p.vLeak) - v) + iJump)));
    const iDec = f(iJump + f(-dtTimes(dt, p.tauSynInv) * iJump));
    const z = f(vDec - f(p.vTh)) > 0 ? 1 : 0;
    v = z ? f(p.vReset) : vDec;
    i = iDec;
    return [z, vDec, i, p.vTh];
  };
}

/** Refractory LIF (`lifRefracStep`): while `rho > 0` the neuron keeps its potential and cannot spike. */
export function lifRefracStepper(p: LIFLike & { rhoReset: number }, dt: number): Stepper {
  const inner = { v: f(p.vLeak), i: 0 };
  let rho = 0;
  return (x) => {
    const iJump = f(inner.i + x);
    const vDec = f(inner.v + f(dtTimes(dt, p.tauMemInv) * f(f(f(p.vLeak) - inner.v) + iJump)));
    const iDec = f(iJump + f(-dtTimes(dt, p.tauSynInv) * iJump));
    const zInner = f(vDec - f(p.vTh)) > 0 ? 1 : 0;
    const vInner = zInner ? f(p.vReset) : vDec;
    const mask = rho > 0 ? 1 : 0;
    const before = mask ? inner.v : vDec;
    inner.v = mask ? inner.v : vInner;
    const z = mask ? 0 : zInner;
    rho = z ? f(p.rhoReset) : Math.max(0, f(rho - mask));
    inner.i = iDec;
    return [z, before, rho, p.vTh];
  };
}

/** Adaptive exponential LIF (`lifAdExStep`): `a` grows with v and with each spike, and is subtracted from the drive. */
export function lifAdExStepper(
  p: LIFLike & { adaptationCurrent: number; adaptationSpike: number; deltaT: number; tauAdaInv: number },
  dt: number,
): Stepper {
  let v = f(p.vLeak);
  let i = 0;
  let a = 0;
  return (x) => {
    const iJump = f(i + x);
    const expo = f(f(p.deltaT) * f(Math.exp(f(f(v - f(p.vTh)) / f(p.deltaT)))));
    const drive = f(f(f(f(f(p.vLeak) - v) + expo) + iJump) - a);
    const vDec = f(v + f(dtTimes(dt, p.tauMemInv) * drive));
    const iDec = f(iJump + f(-dtTimes(dt, p.tauSynInv) * iJump));
    const aDec = f(a + f(dtTimes(dt, p.tauAdaInv) * f(f(f(p.adaptationCurrent) * f(v - f(p.vLeak))) - a)));
    const z = f(vDec - f(p.vTh)) > 0 ? 1 : 0;
    v = z ? f(p.vReset) : vDec;
    i = iDec;
    a = f(aDec + z * f(p.adaptationSpike));
    return [z, vDec, a, p.vTh];
  };
}

/** LSNN (`lsnnStep`): the threshold `b` jumps by `beta` at each spike and relaxes back to `vTh`. */
export function lsnnStepper(p: LIFLike & { tauAdaptInv: number; beta: number }, dt: number): Stepper {
  let v = f(p.vLeak);
  let i = 0;
  let b = f(p.vTh);
  return (x) => {
    const vDec = f(v + f(dtTimes(dt, p.tauMemInv) * f(f(f(p.vLeak) - v) + i)));
    const iDec = f(i + f(-dtTimes(dt, p.tauSynInv) * i));
    const bDec = f(b + f(dtTimes(dt, p.tauAdaptInv) * f(f(p.vTh) - b)));
    const z = f(vDec - bDec) > 0 ? 1 : 0;
    v = z ? f(p.vReset) : vDec;
    i = f(iDec + x);
    b = f(bDec + z * f(p.beta));
    return [z, vDec, i, bDec];
  };
}

/** Izhikevich parameters (Norse's names; `tauInv` in 1/s scales model time). */
export interface IzhikevichLike {
  a: number;
  b: number;
  c: number;
  d: number;
  sq: number;
  mn: number;
  bias: number;
  vTh: number;
  tauInv: number;
  v0: number;
  u0: number;
}

/** Izhikevich (`izhikevichStep`): the input is a current in the drive, so it needs no scaling. */
export function izhikevichStepper(p: IzhikevichLike, dt: number): Stepper {
  let v = f(p.v0);
  let u = f(p.u0);
  return (x) => {
    const base = f(f(f(f(f(p.sq) * f(v * v)) + f(f(p.mn) * v)) + f(p.bias)) - u);
    const drive = f(base + x);
    const vNext = f(v + f(product(p.tauInv, dt) * drive));
    const uNext = f(u + f(product(p.tauInv, dt, p.a) * f(f(f(p.b) * v) - u)));
    const z = f(vNext - f(p.vTh)) > 0 ? 1 : 0;
    v = z ? f(p.c) : vNext;
    u = z ? f(uNext + f(p.d)) : uNext;
    return [z, vNext, u, p.vTh];
  };
}

/**
 * Runs `stepper` for `steps` steps of `dt` seconds. `current(tMs)` is the protocol's current at
 * the start of each step; `perStep(I)` turns it into what the step adds (see
 * {@link synapticInput}); `msPerStep` is the time axis' step (ms).
 */
export function simulate(
  make: (dt: number) => Stepper,
  options: {
    steps: number;
    dt: number;
    msPerStep: number;
    current: (tMs: number) => number;
    perStep: (current: number) => number;
  },
): NeuronTrace {
  const { steps, dt, msPerStep } = options;
  const step = make(dt);
  const time = new Float64Array(steps);
  const input = new Float64Array(steps);
  const v = new Float64Array(steps);
  const second = new Float64Array(steps);
  const threshold = new Float64Array(steps);
  const spikes = new Uint8Array(steps);
  let count = 0;
  for (let t = 0; t < steps; t++) {
    const I = options.current(t * msPerStep);
    input[t] = I;
    const [z, vb, s, th] = step(f(options.perStep(I)));
    time[t] = (t + 1) * msPerStep;
    v[t] = vb;
    second[t] = s;
    threshold[t] = th;
    spikes[t] = z;
    count += z;
  }
  return { time, input, v, second, threshold, spikes, count };
}

/**
 * What one step adds to the synaptic current so that a current `I` means the same whatever `dt`:
 * Norse adds the input to `i` once per step and `i` decays by `dt·tauSynInv` per step, so a
 * constant per-step input `x` settles at `x / (dt·tauSynInv)`. Adding `x = I·dt·tauSynInv` makes
 * the current settle at `I` (in units of v: a steady `I` pulls v towards `vLeak + I`), with the
 * time constant τ_syn, at every `dt`.
 */
export function synapticInput(current: number, dt: number, tauSynInv: number): number {
  return current * dt * tauSynInv;
}

/** Spike rate in Hz of a trace: spikes over its duration. */
export function rateHz(trace: NeuronTrace): number {
  const ms = trace.time[trace.time.length - 1] ?? 0;
  return ms > 0 ? (1000 * trace.count) / ms : 0;
}
