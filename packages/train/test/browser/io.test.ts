import { useBackend } from '@snn/core';
import { ConstantCurrentLIFEncoder } from '@snn/encoders';
import { loadModelFrom, model, recurrentSNN, saveModelTo } from '@snn/train';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

beforeAll(async () => {
  await useBackend('cpu', { loaders: { cpu: () => import('@tensorflow/tfjs-backend-cpu') } });
});

const make = (seed: number) =>
  model({
    encoder: new ConstantCurrentLIFEncoder(8),
    network: recurrentSNN({ inputFeatures: 16, hiddenFeatures: 6, outputFeatures: 4, seed }),
  });

describe('browser checkpoints through tfjs IO handlers', () => {
  it('round-trips through IndexedDB', async () => {
    const a = make(1);
    const b = make(2);
    const x = tf.randomUniform([3, 1, 4, 4], 0, 3, 'float32', 1);
    const result = await saveModelTo(a, 'indexeddb://snn-test-model');
    expect(result.modelArtifactsInfo.weightDataBytes).toBeGreaterThan(0);
    expect(Array.from(await b.predict(x).data())).not.toEqual(Array.from(await a.predict(x).data()));
    await loadModelFrom(b, 'indexeddb://snn-test-model');
    expect(Array.from(await b.predict(x).data())).toEqual(Array.from(await a.predict(x).data()));
  });

  it('offers downloads:// (model.json + weights.bin) and refuses unknown schemes', async () => {
    const a = make(3);
    const result = await saveModelTo(a, 'downloads://snn-model');
    expect(result.modelArtifactsInfo.weightDataBytes).toBe((16 * 6 + 6 * 6 + 6 * 4) * 4);
    await expect(saveModelTo(a, 'nowhere://x')).rejects.toThrow(/no tfjs save handler for nowhere:\/\/x/);
  });
});
