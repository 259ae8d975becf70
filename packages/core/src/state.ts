import * as tf from '@tensorflow/tfjs-core';

function isPlainRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !(x instanceof tf.Tensor) && !Array.isArray(x);
}

/**
 * Every tensor in a nested state (records, arrays, tensors; other values are ignored), in a stable
 * depth-first order (record keys in insertion order).
 */
export function stateTensors(state: unknown): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  const visit = (node: unknown): void => {
    if (node instanceof tf.Tensor) out.push(node);
    else if (Array.isArray(node)) node.forEach(visit);
    else if (isPlainRecord(node)) Object.values(node).forEach(visit);
  };
  visit(state);
  return out;
}

/**
 * Disposes every tensor of a nested state, except `tf.Variable`s (which belong to their owner).
 * Safe to call on `undefined` and on partially disposed states.
 */
export function disposeState(state: unknown): void {
  for (const t of stateTensors(state)) {
    if (!(t instanceof tf.Variable) && !t.isDisposed) t.dispose();
  }
}

/**
 * Marks every tensor of a nested state with `tf.keep`, so it outlives the enclosing `tf.tidy`.
 * Returns the same state for chaining.
 */
export function keepState<S>(state: S): S {
  for (const t of stateTensors(state)) tf.keep(t);
  return state;
}

/**
 * Maps `fn` over every tensor of a nested state, returning a state of the same shape.
 * Non-tensor leaves are copied as they are.
 *
 * @example
 * ```ts
 * const detached = mapState(state, (t) => tf.clone(t));
 * ```
 */
export function mapState<S>(state: S, fn: (t: tf.Tensor, path: string) => tf.Tensor): S {
  const visit = (node: unknown, path: string): unknown => {
    if (node instanceof tf.Tensor) return fn(node, path);
    if (Array.isArray(node)) return node.map((x, k) => visit(x, `${path}[${k}]`));
    if (isPlainRecord(node)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) out[k] = visit(v, path === '' ? k : `${path}.${k}`);
      return out;
    }
    return node;
  };
  return visit(state, '') as S;
}

/**
 * `tf.tidy` for any result made of tensors in records and arrays (neuron states, step results):
 * every intermediate tensor created by `fn` is disposed, every tensor reachable from the result is kept.
 */
export function tidy<T>(fn: () => T): T {
  return tf.tidy(fn as () => tf.TensorContainer) as T;
}
