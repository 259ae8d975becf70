import { type StepResult, tidy } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { disposeReplaced } from './dispose.js';
import { type InitOptions, initRng, normalVariable } from './init.js';
import type { CallOptions, Cell } from './module.js';

/** A feed-forward step: `(input, state, params, dt) => [output, state]`. */
export type FeedForwardStep<S, P> = (input: tf.Tensor, state: S, params: P, dt: number) => StepResult<S>;

/** A recurrent step: `(input, state, inputWeights, recurrentWeights, params, dt) => [output, state]`. */
export type RecurrentStep<S, P> = (
  input: tf.Tensor,
  state: S,
  inputWeights: tf.Tensor,
  recurrentWeights: tf.Tensor,
  params: P,
  dt: number,
) => StepResult<S>;

/** Makes an initial state for a population of `shape`. */
export type InitialStateFn<S, P> = (shape: readonly number[], params: P) => S;

/** Runs `step` from `state`, or from a fresh initial state that is freed afterwards. */
function stepFrom<S>(state: S | undefined, make: () => S, step: (s: S) => StepResult<S>): StepResult<S> {
  if (state !== undefined) return step(state);
  const initial = make();
  const result = step(initial);
  disposeReplaced(initial, result);
  return result;
}

/**
 * A cell around a feed-forward step: it only chooses the step and the initial state (Norse's
 * `SNNCell`). It owns no weights; put a `Linear` or `Conv2d` in front of it.
 *
 * @example
 * ```ts
 * const cell = new FeedForwardCell('MyLIF', lifStep, lifInitialState, lifParams({ vTh: 0.5 }));
 * const [z, s1] = cell.step(current);      // from the initial state
 * const [z2, s2] = cell.step(current, s1); // continue
 * ```
 */
export class FeedForwardCell<S, P> implements Cell<S> {
  readonly kind = 'cell' as const;
  readonly trainableVariables: readonly tf.Variable[] = [];

  constructor(
    readonly name: string,
    private readonly stepFn: FeedForwardStep<S, P>,
    private readonly initial: InitialStateFn<S, P>,
    readonly params: P,
    readonly dt = 1e-3,
  ) {}

  initialState(input: tf.Tensor): S {
    return this.initial(input.shape, this.params);
  }

  step(input: tf.Tensor, state?: S, _options?: CallOptions): StepResult<S> {
    return stepFrom(
      state,
      () => this.initialState(input),
      (s) => this.stepFn(input, s, this.params, this.dt),
    );
  }

  dispose(): void {}
}

/** Options of a {@link RecurrentCell}. */
export interface RecurrentCellOptions extends InitOptions {
  /** Allow a neuron's own spikes to reach it (Norse: no). Default `false`: the diagonal is zero and stays zero. */
  readonly autapses?: boolean;
  /** Euler time step (s). Default 1e-3. */
  readonly dt?: number;
}

/**
 * A recurrent cell: owns `inputWeights [hidden, in]` and `recurrentWeights [hidden, hidden]` as
 * Variables, initialised as Norse does (`randn * sqrt(2/hidden)`). Without autapses the recurrent
 * diagonal is multiplied by zero in every step, so it is zero and receives no gradient.
 */
export class RecurrentCell<S, P> implements Cell<S> {
  readonly kind = 'cell' as const;
  readonly inputWeights: tf.Variable;
  readonly recurrentWeights: tf.Variable;
  readonly dt: number;
  readonly autapses: boolean;
  private readonly mask: tf.Tensor | undefined;
  private disposed = false;

  constructor(
    readonly name: string,
    private readonly stepFn: RecurrentStep<S, P>,
    private readonly initial: InitialStateFn<S, P>,
    readonly inputSize: number,
    readonly hiddenSize: number,
    readonly params: P,
    options: RecurrentCellOptions = {},
  ) {
    for (const [k, n] of [
      ['inputSize', inputSize],
      ['hiddenSize', hiddenSize],
    ] as const) {
      if (!(Number.isInteger(n) && n > 0))
        throw new RangeError(`${name}: ${k} must be a positive integer, got ${n}.`);
    }
    const rng = initRng(options);
    const scale = Math.sqrt(2 / hiddenSize);
    this.dt = options.dt ?? 1e-3;
    this.autapses = options.autapses ?? false;
    this.inputWeights = normalVariable([hiddenSize, inputSize], scale, rng, `${name}.inputWeights`);
    this.mask = this.autapses ? undefined : tf.tidy(() => tf.sub(1, tf.eye(hiddenSize)));
    this.recurrentWeights = tf.tidy(() => {
      const w = rng.normal([hiddenSize, hiddenSize], 0, scale);
      return tf.variable(this.mask ? tf.mul(w, this.mask) : w, true);
    });
  }

  get trainableVariables(): readonly tf.Variable[] {
    return [this.inputWeights, this.recurrentWeights];
  }

  /** The recurrent weights as used in a step (diagonal masked unless autapses are allowed). */
  effectiveRecurrentWeights(): tf.Tensor {
    return this.mask ? tf.mul(this.recurrentWeights, this.mask) : this.recurrentWeights;
  }

  initialState(input: tf.Tensor): S {
    return this.initial([...input.shape.slice(0, -1), this.hiddenSize], this.params);
  }

  step(input: tf.Tensor, state?: S, _options?: CallOptions): StepResult<S> {
    this.checkAlive();
    this.checkInput(input);
    return stepFrom(
      state,
      () => this.initialState(input),
      (s) =>
        tidy(() =>
          this.stepFn(input, s, this.inputWeights, this.effectiveRecurrentWeights(), this.params, this.dt),
        ),
    );
  }

  protected checkAlive(): void {
    if (this.disposed) throw new Error(`${this.name} was disposed; create a new cell.`);
  }

  /** Throws a clear error when the input's last dimension is not the cell's input size. */
  protected checkInput(input: tf.Tensor): void {
    if (input.shape[input.shape.length - 1] !== this.inputSize) {
      throw new Error(
        `${this.name}: input has ${input.shape[input.shape.length - 1]} features in its last dimension, expected ${this.inputSize}.`,
      );
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.inputWeights.dispose();
    this.recurrentWeights.dispose();
    this.mask?.dispose();
  }
}

/** A cell with a linear input layer: owns `weights [out, in]`, Norse's init `randn / sqrt(in)`. */
export class LinearInputCell<S, P> implements Cell<S> {
  readonly kind = 'cell' as const;
  readonly weights: tf.Variable;
  readonly dt: number;
  private disposed = false;

  constructor(
    readonly name: string,
    private readonly stepFn: (
      input: tf.Tensor,
      state: S,
      weights: tf.Tensor,
      params: P,
      dt: number,
    ) => StepResult<S>,
    private readonly initial: InitialStateFn<S, P>,
    readonly inputSize: number,
    readonly outputSize: number,
    readonly params: P,
    options: InitOptions & { readonly dt?: number } = {},
  ) {
    this.dt = options.dt ?? 1e-3;
    this.weights = normalVariable(
      [outputSize, inputSize],
      1 / Math.sqrt(inputSize),
      initRng(options),
      `${name}.weights`,
    );
  }

  get trainableVariables(): readonly tf.Variable[] {
    return [this.weights];
  }

  initialState(input: tf.Tensor): S {
    return this.initial([...input.shape.slice(0, -1), this.outputSize], this.params);
  }

  step(input: tf.Tensor, state?: S, _options?: CallOptions): StepResult<S> {
    this.checkAlive();
    return stepFrom(
      state,
      () => this.initialState(input),
      (s) => this.stepFn(input, s, this.weights, this.params, this.dt),
    );
  }

  protected checkAlive(): void {
    if (this.disposed) throw new Error(`${this.name} was disposed; create a new cell.`);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.weights.dispose();
  }
}
