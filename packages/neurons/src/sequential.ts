import { type StepResult, tidy } from '@snn/core';
import type * as tf from '@tensorflow/tfjs-core';
import { disposeReplaced } from './dispose.js';
import { runCell, type SequenceOptions, type SequenceResult } from './lift.js';
import { type CallOptions, type Cell, type Composable, isCell, isLayer } from './module.js';
import { view } from './ops/view.js';

/** The state of a {@link Sequential}: one entry per layer (`undefined` for stateless ones). */
export type SequentialState = readonly unknown[];

/**
 * Layers, cells and functions composed into one step, threading a list of states like Norse's
 * `SequentialState`. It is itself a {@link Cell}, so it can be lifted over time or nested.
 *
 * Over a whole sequence (`call`, `runCell`, or nested in another sequential) it runs layer by layer
 * rather than step by step, with the same results: each cell over the whole sequence at once (its
 * fused kernel where one applies), each layer and function on every frame at once. Layers and
 * functions see a batch of frames `[N, ...]` either way: `N = B` per step, `N = T · B` over a
 * sequence, so they must treat the first axis as a batch (as `Linear`, `Conv2d`, pooling,
 * `Flatten` and elementwise functions do).
 */
export class Sequential implements Cell<SequentialState> {
  readonly kind = 'cell' as const;
  readonly name = 'Sequential';
  readonly layers: readonly Composable[];

  constructor(layers: readonly Composable[]) {
    if (layers.length === 0) throw new Error('sequential: give at least one layer, cell or function.');
    layers.forEach((l, k) => {
      if (!(typeof l === 'function' || isCell(l) || isLayer(l))) {
        throw new TypeError(`sequential: item ${k} is not a layer, a cell or a function (got ${String(l)}).`);
      }
    });
    this.layers = layers;
  }

  get trainableVariables(): readonly tf.Variable[] {
    return this.layers.flatMap((l) => (typeof l === 'function' ? [] : l.trainableVariables));
  }

  /** No state yet: each cell starts from its own initial state on the first step. */
  initialState(): SequentialState {
    return this.layers.map(() => undefined);
  }

  step(input: tf.Tensor, state?: SequentialState, options: CallOptions = {}): StepResult<SequentialState> {
    const states: unknown[] = [];
    let x = input;
    this.layers.forEach((layer, k) => {
      let y: tf.Tensor;
      if (typeof layer === 'function') y = layer(x);
      else if (isCell(layer)) {
        const [out, s] = (layer as Cell<unknown>).step(x, state?.[k], options);
        states.push(s);
        y = out;
      } else y = layer.apply(x, options);
      if (typeof layer === 'function' || !isCell(layer)) states.push(undefined);
      if (x !== input) disposeReplaced(x, y, states);
      x = y;
    });
    return [x, states];
  }

  /** Layer by layer over the whole sequence `inputs [T, B, ...]` (see the class). */
  callSequence(
    inputs: tf.Tensor,
    state: SequentialState | undefined,
    options: CallOptions,
  ): StepResult<SequentialState> | undefined {
    if (inputs.rank < 2) return undefined;
    const [T, B] = inputs.shape as [number, number];
    return tidy(() => {
      const states: unknown[] = [];
      let seq = inputs;
      this.layers.forEach((layer, k) => {
        if (typeof layer !== 'function' && isCell(layer)) {
          const [out, s] = runCell(layer as Cell<unknown>, seq, state?.[k], options);
          states.push(s);
          seq = out;
          return;
        }
        const frames = view(seq, [T * B, ...seq.shape.slice(2)]);
        const y = typeof layer === 'function' ? layer(frames) : layer.apply(frames, options);
        if (y.shape[0] !== T * B)
          throw new Error(
            `sequential: item ${k} turned ${T * B} frames into ${y.shape[0]}; layers and functions must keep the batch axis.`,
          );
        states.push(undefined);
        seq = view(y, [T, B, ...y.shape.slice(1)]);
      });
      return [seq, states] as const;
    });
  }

  /**
   * Runs the composition over a whole sequence `inputs [T, B, ...]` from `state` (or every cell's
   * initial state): `[outputs, finalState, states]`, `states` every state over time when
   * `recordStates` is set (then step by step).
   */
  call(
    inputs: tf.Tensor,
    state?: SequentialState,
    options: SequenceOptions = {},
  ): SequenceResult<SequentialState> {
    return runCell(this, inputs, state, options);
  }

  dispose(): void {
    for (const l of this.layers) if (typeof l !== 'function') l.dispose();
  }
}

/**
 * Composes layers, cells and functions into one step (Norse's `SequentialState`), or, with `call`,
 * a whole-sequence network that runs on the fused kernels wherever they apply.
 *
 * @example
 * ```ts
 * const net = sequential(new Linear(784, 100), new LIFCell(), new Linear(100, 10), new LICell());
 * const [readout] = net.call(spikes); // [T, B, 784] → [T, B, 10], layer by layer
 * let state = net.initialState();     // or step by step
 * for (const x of steps) { const [v, next] = net.step(x, state); disposeState(state); state = next; }
 * ```
 */
export function sequential(...layers: Composable[]): Sequential {
  return new Sequential(layers);
}

export type { Cell as SequentialCell, Composable };
