import type { StepResult } from '@snn/core';
import type * as tf from '@tensorflow/tfjs-core';
import { disposeReplaced } from './dispose.js';
import { type CallOptions, type Cell, type Composable, isCell, isLayer } from './module.js';

/** The state of a {@link Sequential}: one entry per layer (`undefined` for stateless ones). */
export type SequentialState = readonly unknown[];

/**
 * Layers, cells and functions composed into one step, threading a list of states like Norse's
 * `SequentialState`. It is itself a {@link Cell}, so it can be lifted over time or nested.
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

  dispose(): void {
    for (const l of this.layers) if (typeof l !== 'function') l.dispose();
  }
}

/**
 * Composes layers, cells and functions into one step (Norse's `SequentialState`).
 *
 * @example
 * ```ts
 * const net = sequential(new Linear(784, 100), new LIFCell(), new Linear(100, 10), new LICell());
 * let state = net.initialState();
 * for (const x of steps) { const [v, next] = net.step(x, state); disposeState(state); state = next; }
 * ```
 */
export function sequential(...layers: Composable[]): Sequential {
  return new Sequential(layers);
}

export type { Cell as SequentialCell, Composable };
