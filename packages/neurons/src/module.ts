import type { StepResult } from '@snn/core';
import type * as tf from '@tensorflow/tfjs-core';

/** Options every layer call understands. */
export interface CallOptions {
  /** Training mode (dropout active). Default `false`. */
  readonly training?: boolean;
}

/** Something that owns tfjs Variables and must be disposed. */
export interface Owner {
  /** A short name for summaries and errors. */
  readonly name: string;
  /** The Variables this object owns and trains (empty when it has none). */
  readonly trainableVariables: readonly tf.Variable[];
  /** Frees every Variable it owns. Using it afterwards throws. */
  dispose(): void;
}

/** A stateless layer: a function of its input (Linear, Conv2d, pooling, ...). */
export interface Layer extends Owner {
  readonly kind: 'layer';
  apply(input: tf.Tensor, options?: CallOptions): tf.Tensor;
}

/**
 * A stateful cell: one time step of a neuron population. It stores no state: the caller passes the
 * state in and gets the new one back (`undefined` means "start from the initial state").
 */
export interface Cell<S> extends Owner {
  readonly kind: 'cell';
  step(input: tf.Tensor, state?: S, options?: CallOptions): StepResult<S>;
  /** The state a sequence starts from, for an input of this shape (one time step). */
  initialState(input: tf.Tensor): S;
  /**
   * Optional: the cell over a whole sequence `inputs [T, B, ...]` in one call (e.g. one fused
   * kernel for all steps), from `state` or, when it is `undefined`, the initial state:
   * `[outputs [T, B, ...], finalState]`, with the values and gradients of stepping. Return
   * `undefined` where only stepping applies. `runCell` (and so every sequence layer and
   * `sequential`) uses it whenever states are not recorded.
   */
  callSequence?(inputs: tf.Tensor, state: S | undefined, options: CallOptions): StepResult<S> | undefined;
}

/** Anything `sequential` can compose: a layer, a cell, or a plain function of a tensor. */
export type Composable = Layer | Cell<unknown> | ((input: tf.Tensor) => tf.Tensor);

/** True for a {@link Cell}. */
export function isCell(x: unknown): x is Cell<unknown> {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'cell';
}

/** True for a {@link Layer}. */
export function isLayer(x: unknown): x is Layer {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'layer';
}
