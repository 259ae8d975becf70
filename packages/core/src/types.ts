import type { Tensor } from '@tensorflow/tfjs-core';

/**
 * A model parameter: a plain number (a constant), or a tensor that broadcasts against the state
 * (trainable when it is a `tf.Variable`).
 */
export type Param = number | Tensor;

/** What every step function returns: the step's output and the new state, never the old one. */
export type StepResult<S> = readonly [output: Tensor, state: S];

/**
 * A nested structure of tensors: a tensor, or records and arrays of them. Neuron states are
 * `TensorTree`s (e.g. `{ v, i }`, or a refractory state `{ lif: { v, i }, rho }`).
 */
export type TensorTree = Tensor | readonly TensorTree[] | { readonly [key: string]: TensorTree | undefined };

/**
 * A pure step function: `(input, state, params, dt) => [output, newState]`. It never disposes its
 * inputs and never reads tensor values synchronously.
 */
export type StepFunction<S, P> = (input: Tensor, state: S, params: P, dt: number) => StepResult<S>;
