import {
  assertNoTensorLeak,
  disposeState,
  keepState,
  mapState,
  measureTensorLeak,
  stateTensors,
  useBackend,
} from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('state helpers', () => {
  it('stateTensors walks records and arrays in order', () => {
    const a = tf.scalar(1);
    const b = tf.scalar(2);
    const c = tf.scalar(3);
    expect(stateTensors({ lif: { v: a, i: b }, rho: c, note: 'x', list: [a] })).toEqual([a, b, c, a]);
    tf.dispose([a, b, c]);
  });

  it('disposeState frees tensors but never Variables', () => {
    const v = tf.variable(tf.zeros([2]));
    const s = { v: tf.ones([2]), w: v };
    disposeState(s);
    expect(s.v.isDisposed).toBe(true);
    expect(v.isDisposed).toBe(false);
    disposeState(s); // twice is safe
    disposeState(undefined);
    v.dispose();
  });

  it('keepState lets a state outlive tf.tidy', () => {
    const s = tf.tidy(() => keepState({ v: tf.ones([2]), i: tf.zeros([2]) }));
    expect(s.v.isDisposed).toBe(false);
    disposeState(s);
  });

  it('mapState keeps the structure and gives paths', () => {
    const paths: string[] = [];
    const s = { lif: { v: tf.ones([1]), i: tf.zeros([1]) }, rho: tf.zeros([1]) };
    const doubled = mapState(s, (t, path) => {
      paths.push(path);
      return tf.mul(t, 2);
    });
    expect(paths).toEqual(['lif.v', 'lif.i', 'rho']);
    expect(Array.from(doubled.lif.v.dataSync())).toEqual([2]);
    disposeState([s, doubled]);
  });
});

describe('memory helpers', () => {
  it('measureTensorLeak counts what is left', async () => {
    const { leakedTensors, result } = await measureTensorLeak(() => tf.ones([3]));
    expect(leakedTensors).toBe(1);
    result.dispose();
  });

  it('assertNoTensorLeak throws with the count, and passes clean code', async () => {
    await expect(assertNoTensorLeak('leaky loop', () => tf.ones([3]))).rejects.toThrow(
      /leaky loop: leaked 1 tensors/,
    );
    await assertNoTensorLeak('clean', () => tf.tidy(() => tf.sum(tf.ones([3])).dataSync()[0]));
  });
});

describe('detach', () => {
  it('keeps values and stops the gradient', async () => {
    const { detach } = await import('@snn/core');
    const x = tf.tensor1d([1, 2]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.add(tf.mul(detach(v), v), detach(tf.mul(v, 3)))))(x);
    // d/dv [stop(v)*v + stop(3v)] = stop(v) = [1, 2]
    expect(Array.from(await g.data())).toEqual([1, 2]);
    expect(Array.from(await detach(x).data())).toEqual([1, 2]);
  });
});
