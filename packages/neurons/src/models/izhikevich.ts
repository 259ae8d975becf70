import { checkDt, type Param, type StepResult, type SurrogateMethod, tidy } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { FeedForwardCell, RecurrentCell, type RecurrentCellOptions } from '../cells.js';
import { checkWeights, filled, linear, paramProduct, type ShapeLike, shapeOf, spike } from '../math.js';
import { Sequence } from '../sequence.js';

/**
 * Parameters of the Izhikevich neuron (Norse `IzhikevichParameters`). `a`, `b`, `c`, `d` have no
 * defaults; take them from a preset ({@link IZHIKEVICH_PRESETS}) or from Izhikevich (2004).
 */
export interface IzhikevichParams {
  /** Time scale of the recovery variable `u`. */
  readonly a: Param;
  /** Sensitivity of `u` to sub-threshold `v`. */
  readonly b: Param;
  /** After-spike reset value of `v`. */
  readonly c: Param;
  /** After-spike increment of `u`. */
  readonly d: Param;
  /** Coefficient of `v²`. Default 0.04. */
  readonly sq: Param;
  /** Coefficient of `v`. Default 5. */
  readonly mn: Param;
  /** Constant drive. Default 140. */
  readonly bias: Param;
  /** Spike cut-off. Default 30. */
  readonly vTh: Param;
  /** Time scaling (1/s). Default 250. */
  readonly tauInv: Param;
  /** Surrogate. Default `'super'`. */
  readonly method: SurrogateMethod;
  /** Surrogate sharpness. Default 100. */
  readonly alpha: Param;
}

/** The optional Izhikevich fields with Norse's defaults. */
export const DEFAULT_IZHIKEVICH_PARAMS = Object.freeze({
  sq: 0.04,
  mn: 5,
  bias: 140,
  vTh: 30,
  tauInv: 250,
  method: 'super' as SurrogateMethod,
  alpha: 100,
});

/** Izhikevich parameters from `a, b, c, d` plus overrides of the optional fields. */
export function izhikevichParams(
  required: Pick<IzhikevichParams, 'a' | 'b' | 'c' | 'd'> & Partial<IzhikevichParams>,
): IzhikevichParams {
  for (const k of ['a', 'b', 'c', 'd'] as const) {
    if (required[k] === undefined) {
      throw new TypeError(
        `izhikevichParams: "${k}" is required (a, b, c and d have no defaults; see IZHIKEVICH_PRESETS).`,
      );
    }
  }
  return Object.freeze({ ...DEFAULT_IZHIKEVICH_PARAMS, ...required });
}

/** A firing pattern: parameters and the resting state `v0`, `u0` it starts from. */
export interface IzhikevichPreset {
  readonly params: IzhikevichParams;
  /** Initial membrane potential. */
  readonly v0: number;
  /** Initial recovery variable (`b * v0` for all presets but accommodation). */
  readonly u0: number;
}

function preset(
  v0: number,
  p: Pick<IzhikevichParams, 'a' | 'b' | 'c' | 'd'> & Partial<IzhikevichParams>,
  u0?: number,
) {
  const params = izhikevichParams(p);
  return Object.freeze({
    params,
    v0,
    u0: u0 ?? Math.fround(Math.fround(v0) * Math.fround(params.b as number)),
  });
}

/**
 * The twenty firing patterns Norse ships (Izhikevich 2004, Fig. 1), with their initial states.
 * Each drives the neuron into its documented behaviour under a suitable input current.
 */
export const IZHIKEVICH_PRESETS = Object.freeze({
  tonicSpiking: preset(-70, { a: 0.02, b: 0.2, c: -65, d: 6 }),
  phasicSpiking: preset(-64, { a: 0.02, b: 0.25, c: -65, d: 6 }),
  tonicBursting: preset(-70, { a: 0.02, b: 0.2, c: -50, d: 2 }),
  phasicBursting: preset(-64, { a: 0.02, b: 0.25, c: -55, d: 0.05, tauInv: 200 }),
  mixedMode: preset(-70, { a: 0.02, b: 0.2, c: -55, d: 4, tauInv: 250 }),
  spikeFrequencyAdaptation: preset(-70, { a: 0.01, b: 0.2, c: -65, d: 8, tauInv: 250 }),
  class1Exc: preset(-60, { a: 0.02, b: -0.1, c: -55, d: 6, mn: 4.1, bias: 108, tauInv: 250 }),
  class2Exc: preset(-64, { a: 0.2, b: 0.26, c: -65, d: 0, tauInv: 250 }),
  spikeLatency: preset(-70, { a: 0.02, b: 0.2, c: -65, d: 6, tauInv: 250 }),
  subthresholdOscillation: preset(-62, { a: 0.05, b: 0.26, c: -60, d: 0, tauInv: 250 }),
  resonator: preset(-62, { a: 0.1, b: 0.26, c: -60, d: -1, tauInv: 250 }),
  integrator: preset(-60, { a: 0.02, b: -0.1, c: -55, d: 6, mn: 4.1, bias: 108, tauInv: 250 }),
  reboundSpike: preset(-64, { a: 0.03, b: 0.25, c: -60, d: 4, tauInv: 200 }),
  reboundBurst: preset(-64, { a: 0.03, b: 0.25, c: -52, d: 0, tauInv: 200 }),
  thresholdVariability: preset(-64, { a: 0.03, b: 0.25, c: -60, d: 4, tauInv: 250 }),
  bistability: preset(-61, { a: 0.1, b: 0.26, c: -60, d: 0, tauInv: 250 }),
  dap: preset(-70, { a: 1, b: 0.2, c: -60, d: -21, tauInv: 100 }),
  accomodation: preset(-65, { a: 0.02, b: 1, c: -55, d: 4, tauInv: 500 }, -16),
  inhibitionInducedSpiking: preset(-63.8, { a: -0.02, b: -1, c: -60, d: 8, tauInv: 250 }),
  inhibitionInducedBursting: preset(-63.8, { a: -0.026, b: -1, c: -45, d: -2, tauInv: 250 }),
}) satisfies Readonly<Record<string, IzhikevichPreset>>;

/** The name of a built-in preset. */
export type IzhikevichPresetName = keyof typeof IZHIKEVICH_PRESETS;

/** State of a feed-forward Izhikevich neuron. */
export interface IzhikevichState {
  readonly v: tf.Tensor;
  /** Recovery variable. */
  readonly u: tf.Tensor;
}

/** State of a recurrent Izhikevich layer. */
export interface IzhikevichRecurrentState extends IzhikevichState {
  readonly z: tf.Tensor;
}

/** The initial state of a preset (its `v0`, `u0`), filled to `shape`. */
export function izhikevichInitialState(
  shape: ShapeLike,
  start: Pick<IzhikevichPreset, 'v0' | 'u0'>,
): IzhikevichState {
  const s = shapeOf(shape);
  return { v: filled(s, start.v0), u: filled(s, start.u0) };
}

/** The initial recurrent state of a preset: `z = 0`, `v = v0`, `u = u0`. */
export function izhikevichRecurrentInitialState(
  shape: ShapeLike,
  start: Pick<IzhikevichPreset, 'v0' | 'u0'>,
): IzhikevichRecurrentState {
  const s = shapeOf(shape);
  return { z: tf.zeros(s), v: filled(s, start.v0), u: filled(s, start.u0) };
}

/**
 * Norse's update with the currents added in its order: `((((sq*v² + mn*v) + bias) - u) + I1) + I2 ...`.
 */
function izhikevichUpdate(
  currents: readonly tf.Tensor[],
  s: IzhikevichState,
  p: IzhikevichParams,
  dt: number,
) {
  const base = tf.sub(tf.add(tf.add(tf.mul(p.sq, tf.square(s.v)), tf.mul(p.mn, s.v)), p.bias), s.u);
  const drive = currents.reduce((acc, c) => tf.add(acc, c), base);
  const vNext = tf.add(s.v, tf.mul(paramProduct(p.tauInv, dt), drive));
  // u' = u + tauInv*dt*a*(b*v - u)   (the old v)
  const uNext = tf.add(s.u, tf.mul(paramProduct(p.tauInv, dt, p.a), tf.sub(tf.mul(p.b, s.v), s.u)));
  const z = spike(vNext, p.vTh, p.method, p.alpha);
  const notZ = tf.sub(1, z);
  const v = tf.add(tf.mul(notZ, vNext), tf.mul(z, p.c));
  const u = tf.add(tf.mul(notZ, uNext), tf.mul(z, tf.add(uNext, p.d)));
  return { z, v, u };
}

/**
 * One step of an Izhikevich neuron driven by a current (Norse `izhikevich_feed_forward_step`):
 *
 * ```
 * v' = v + tauInv*dt*(sq*v² + mn*v + bias - u + I)
 * u' = u + tauInv*dt*a*(b*v - u)          // the old v
 * z  = H(v' - vTh)
 * v'' = (1 - z)*v' + z*c;  u'' = (1 - z)*u' + z*(u' + d)
 * ```
 * Note: `dt` is in seconds and `tauInv = 250` makes one step of 1 ms a quarter of Izhikevich's ms.
 */
export function izhikevichStep(
  input: tf.Tensor,
  state: IzhikevichState,
  params: IzhikevichParams,
  dt = 1e-3,
): StepResult<IzhikevichState> {
  checkDt(dt, 'izhikevichStep');
  return tidy(() => {
    const { z, v, u } = izhikevichUpdate([input], state, params, dt);
    return [z, { v, u }] as const;
  });
}

/**
 * One step of a recurrent Izhikevich layer (Norse `izhikevich_recurrent_step`), with
 * `I = x @ Win^T + zPrev @ Wrec^T` added as in {@link izhikevichStep}.
 */
export function izhikevichRecurrentStep(
  input: tf.Tensor,
  state: IzhikevichRecurrentState,
  inputWeights: tf.Tensor,
  recurrentWeights: tf.Tensor,
  params: IzhikevichParams,
  dt = 1e-3,
): StepResult<IzhikevichRecurrentState> {
  checkDt(dt, 'izhikevichRecurrentStep');
  checkWeights('izhikevichRecurrentStep', input, inputWeights, 'inputWeights');
  checkWeights('izhikevichRecurrentStep', state.z, recurrentWeights, 'recurrentWeights');
  return tidy(() => {
    const currents = [linear(input, inputWeights), linear(state.z, recurrentWeights)];
    const { z, v, u } = izhikevichUpdate(currents, state, params, dt);
    return [z, { z: tf.clone(z), v, u }] as const;
  });
}

/** Izhikevich cell of one firing pattern (a preset, or your own `{ params, v0, u0 }`). */
export class IzhikevichCell extends FeedForwardCell<
  ReturnType<typeof izhikevichInitialState>,
  IzhikevichPreset['params']
> {
  constructor(preset: IzhikevichPreset, dt = 1e-3) {
    super(
      'IzhikevichCell',
      izhikevichStep,
      (shape) => izhikevichInitialState(shape, preset),
      preset.params,
      dt,
    );
  }
}

/** Recurrent Izhikevich cell. */
export class IzhikevichRecurrentCell extends RecurrentCell<
  ReturnType<typeof izhikevichRecurrentInitialState>,
  IzhikevichPreset['params']
> {
  constructor(
    inputSize: number,
    hiddenSize: number,
    preset: IzhikevichPreset,
    options: RecurrentCellOptions = {},
  ) {
    super(
      'IzhikevichRecurrentCell',
      izhikevichRecurrentStep,
      (shape) => izhikevichRecurrentInitialState(shape, preset),
      inputSize,
      hiddenSize,
      preset.params,
      options,
    );
  }
}

/** Izhikevich neurons of one preset over time. */
export class Izhikevich extends Sequence<ReturnType<IzhikevichCell['initialState']>, IzhikevichCell> {
  constructor(preset: IzhikevichPreset, dt = 1e-3) {
    super(new IzhikevichCell(preset, dt));
  }
}

/** Recurrent Izhikevich neurons over time. */
export class IzhikevichRecurrent extends Sequence<
  ReturnType<IzhikevichRecurrentCell['initialState']>,
  IzhikevichRecurrentCell
> {
  constructor(
    inputSize: number,
    hiddenSize: number,
    preset: IzhikevichPreset,
    options: RecurrentCellOptions = {},
  ) {
    super(new IzhikevichRecurrentCell(inputSize, hiddenSize, preset, options));
  }
}
