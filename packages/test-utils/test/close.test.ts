import { useBackend } from '@snn/core';
import { availableBackends, camelParams, expectClose, expectEqual, expectNoLeak } from '@snn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('expectClose', () => {
  it('passes within tolerance and names the first mismatches otherwise', async () => {
    await expectClose(tf.tensor1d([1, 2.0000001]), [1, 2], { atol: 1e-6 });
    await expect(expectClose([1, 2, 3], [1, 2.5, 3.5], { atol: 0.1, rtol: 0, label: 'v' })).rejects.toThrow(
      /v: 2 of 3 values differ .*\[1\] 2 vs 2\.5; \[2\] 3 vs 3\.5/,
    );
  });

  it('checks sizes and shapes', async () => {
    await expect(expectClose([1, 2], [1])).rejects.toThrow(/2 values, expected 1/);
    await expect(expectClose(tf.zeros([2, 3]), tf.zeros([3, 2]))).rejects.toThrow(/shape \[2,3\] differs/);
  });

  it('treats NaN as equal to NaN and exact equality as exact', async () => {
    await expectClose([Number.NaN], [Number.NaN]);
    await expect(expectEqual([1 + 1e-7], [1])).rejects.toThrow(/differ/);
  });
});

describe('helpers', () => {
  it('camelParams turns Norse names into ours', () => {
    expect(camelParams({ tau_syn_inv: 200, v_th: 1, method: 'super' })).toEqual({
      tauSynInv: 200,
      vTh: 1,
      method: 'super',
    });
  });

  it('availableBackends lists cpu and wasm in Node unless SNN_BACKENDS says otherwise', () => {
    const list = availableBackends();
    if (process.env.SNN_BACKENDS) expect(list.join(',')).toBe(process.env.SNN_BACKENDS.replace(/\s/g, ''));
    else expect(list).toEqual(['cpu', 'wasm']);
  });

  it('expectNoLeak fails on a leak', async () => {
    await expect(expectNoLeak('x', () => tf.ones([1]))).rejects.toThrow(/x: leaked 1 tensors/);
  });
});
