import { ConstantCurrentLIFEncoder } from '@snn/encoders';
import { describeBackends, expectClose } from '@snn/test-utils';
import { LOSSES, model, recurrentSNN } from '@snn/train';
import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';

describeBackends(
  'the tutorial recurrent model: fused fast path equals the reference composition',
  { only: ['cpu', 'wasm'] },
  () => {
    it('same readout and the same gradients for every variable', async () => {
      const make = (fused: boolean) =>
        model({
          encoder: new ConstantCurrentLIFEncoder(16),
          network: recurrentSNN({ hiddenFeatures: 40, seed: 3, fused }),
        });
      const fast = make(true);
      const ref = make(false);
      const x = tf.randomUniform([8, 1, 28, 28], -0.4, 2.8, 'float32', 1);
      const labels = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
      await expectClose(fast.forward(x).readout, ref.forward(x).readout, {
        atol: 1e-4,
        rtol: 1e-4,
        label: 'readout',
      });
      const grads = (m: typeof fast) =>
        tf.variableGrads(() => LOSSES.nll(m.forward(x), labels), m.trainableVariables as tf.Variable[]).grads;
      const gf = grads(fast);
      const gr = grads(ref);
      for (const [k, v] of fast.trainableVariables.entries()) {
        const a = gf[v.name]!;
        const b = gr[ref.trainableVariables[k]!.name]!;
        const scale = (await tf.max(tf.abs(b)).data())[0]!;
        await expectClose(a, b, {
          atol: 1e-4 * Math.max(scale, 1e-3),
          rtol: 1e-3,
          label: `gradient of ${v.name}`,
        });
      }
      fast.dispose();
      ref.dispose();
    });
  },
);
