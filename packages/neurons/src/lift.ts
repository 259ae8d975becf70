import { mapState, type StepResult, stateTensors } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { disposeExcept, disposeReplaced } from './dispose.js';
import type { CallOptions, Cell } from './module.js';

/** Options of a whole-sequence run. */
export interface SequenceOptions extends CallOptions {
  /**
   * Also return every state over time (Norse's `record_states=True`), each field stacked along a
   * new first (time) axis. Default `false`.
   */
  readonly recordStates?: boolean;
  /**
   * Step through time even where a cell has a whole-sequence form (a fused kernel): the reference
   * composition, for checks. Default `false`.
   */
  readonly stepwise?: boolean;
}

/** Every state over time: the state's structure with each tensor stacked to `[T, ...]`. */
export type Recorded<S> = S;

/**
 * What a sequence returns: the outputs `[T, ...]`, the final state, and every state over time when
 * `recordStates` was asked for (else `undefined`). Always three entries, so `const [out, state] = ...`
 * works whatever the options.
 */
export type SequenceResult<S> = readonly [outputs: tf.Tensor, state: S, states: Recorded<S> | undefined];

/**
 * Runs a step function over the first (time) axis of `inputs` (`[T, B, ...]`), threading the state.
 *
 * Memory: intermediate states are freed as the loop goes; the caller's `initialState` and `inputs`
 * are never disposed; the caller owns everything returned. Gradients flow through time (BPTT).
 */
export function runSequence<S>(
  step: (input: tf.Tensor, state: S) => StepResult<S>,
  inputs: tf.Tensor,
  initialState: S,
  options: SequenceOptions = {},
): SequenceResult<S> {
  if (inputs.rank < 1 || inputs.shape[0] === 0) {
    throw new Error(
      `runSequence: inputs must be time-first [T, ...] with T >= 1, got shape [${inputs.shape.join(', ')}].`,
    );
  }
  const xs = tf.unstack(inputs);
  const outputs: tf.Tensor[] = [];
  const outputSet = new Set<tf.Tensor>();
  const initialSet = new Set(stateTensors(initialState));
  const history: S[] = [];
  let state = initialState;
  try {
    for (let t = 0; t < xs.length; t++) {
      const x = xs[t]!;
      const [out, next] = step(x, state);
      if (!initialSet.has(x)) x.dispose();
      outputs.push(out);
      outputSet.add(out);
      if (options.recordStates) history.push(next);
      else if (state !== initialState)
        disposeExcept(state, new Set(stateTensors(next)), outputSet, initialSet);
      state = next;
    }
  } catch (error) {
    tf.dispose(xs.filter((x) => !x.isDisposed));
    tf.dispose(outputs);
    throw error;
  }
  const stacked = tf.stack(outputs);
  const records = options.recordStates ? stackStates(history) : undefined;
  // Outputs are copied into `stacked` and recorded states into `records`; free the per-step copies.
  const finalSet = new Set([...stateTensors(state), ...initialSet]);
  disposeExcept(outputs, finalSet);
  if (options.recordStates) disposeExcept(history.slice(0, -1), finalSet);
  return [stacked, state, records];
}

/** Stacks a list of states of one structure along a new first axis. */
export function stackStates<S>(states: readonly S[]): Recorded<S> {
  const first = states[0];
  if (first === undefined) throw new Error('stackStates: no states to stack.');
  const columns = stateTensors(first).map((_, k) => states.map((s) => stateTensors(s)[k]!));
  let k = 0;
  return mapState(first, () => tf.stack(columns[k++]!));
}

/** A sequence version of a step, as Norse's `lift`: `(inputs [T, ...], state) => [outputs, state, states?]`. */
export type Lifted<S> = (inputs: tf.Tensor, state: S, options?: SequenceOptions) => SequenceResult<S>;

/**
 * Maps a step over time. Give it a step function closed over its parameters, or a {@link Cell}
 * (then the state may be omitted and starts from the cell's initial state).
 *
 * @example
 * ```ts
 * const run = lift((x, s: LIFState) => lifStep(x, s, params));
 * const [spikes, final] = run(currents, lifInitialState([B, N]));
 * ```
 */
export function lift<S>(step: (input: tf.Tensor, state: S) => StepResult<S>): Lifted<S>;
export function lift<S>(
  cell: Cell<S>,
): (inputs: tf.Tensor, state?: S, options?: SequenceOptions) => SequenceResult<S>;
export function lift<S>(
  stepOrCell: ((input: tf.Tensor, state: S) => StepResult<S>) | Cell<S>,
): (inputs: tf.Tensor, state?: S, options?: SequenceOptions) => SequenceResult<S> {
  if (typeof stepOrCell === 'function') {
    return (inputs, state, options) => {
      if (state === undefined)
        throw new Error('lift(step): pass the initial state (only a lifted Cell can make its own).');
      return runSequence(stepOrCell, inputs, state, options);
    };
  }
  const cell = stepOrCell;
  return (inputs, state, options = {}) => runCell(cell, inputs, state, options);
}

/**
 * Runs a cell over time, starting from its initial state when none is given: in one call where the
 * cell has a whole-sequence form ({@link Cell.callSequence}, e.g. a fused kernel) and no states are
 * recorded, else step by step.
 */
export function runCell<S>(
  cell: Cell<S>,
  inputs: tf.Tensor,
  state: S | undefined,
  options: SequenceOptions = {},
): SequenceResult<S> {
  const callOptions: CallOptions = options.training === undefined ? {} : { training: options.training };
  if (!options.recordStates && !options.stepwise && cell.callSequence) {
    const whole = cell.callSequence(inputs, state, callOptions);
    if (whole) return [whole[0], whole[1], undefined];
  }
  let initial = state;
  let owned: S | undefined;
  if (initial === undefined) {
    const x0 = tf.tidy(() => tf.gather(inputs, 0));
    owned = cell.initialState(x0);
    x0.dispose();
    initial = owned;
  }
  const result = runSequence((x, s: S) => cell.step(x, s, callOptions), inputs, initial, options);
  if (owned !== undefined) disposeReplaced(owned, result[1], result[2]);
  return result;
}
