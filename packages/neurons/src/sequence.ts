import type { StepResult } from '@snn/core';
import type * as tf from '@tensorflow/tfjs-core';
import { runCell, type SequenceOptions, type SequenceResult } from './lift.js';
import type { CallOptions, Cell } from './module.js';

/**
 * A cell run over whole sequences `[T, B, ...]` (Norse's `LIF`, `LIFRecurrent`, ... modules).
 * `call` returns `[outputs, finalState, states]`, `states` being every state over time when
 * `recordStates` is set (else `undefined`). It runs the cell's whole-sequence form (a fused kernel
 * where one applies) unless states are recorded. It is itself a {@link Cell} (its cell's steps), so
 * it composes in `sequential` both ways.
 */
export class Sequence<S, C extends Cell<S> = Cell<S>> implements Cell<S> {
  readonly kind = 'cell' as const;
  constructor(readonly cell: C) {}

  get name(): string {
    return this.cell.name.replace(/Cell$/, '');
  }

  get trainableVariables(): readonly tf.Variable[] {
    return this.cell.trainableVariables;
  }

  initialState(input: tf.Tensor): S {
    return this.cell.initialState(input);
  }

  step(input: tf.Tensor, state?: S, options?: CallOptions): StepResult<S> {
    return this.cell.step(input, state, options);
  }

  callSequence(inputs: tf.Tensor, state: S | undefined, options: CallOptions): StepResult<S> | undefined {
    return this.cell.callSequence?.(inputs, state, options);
  }

  /** Runs the cell over the first axis of `inputs`, from `state` or the cell's initial state. */
  call(inputs: tf.Tensor, state?: S, options: SequenceOptions = {}): SequenceResult<S> {
    return runCell(this, inputs, state, options);
  }

  dispose(): void {
    this.cell.dispose();
  }
}
