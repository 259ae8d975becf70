import { ConstantCurrentLIFEncoder } from '@snn/encoders';
import { describeBackends, expectClose } from '@snn/test-utils';
import { convSNN, LOSSES, model, recurrentSNN } from '@snn/train';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

describeBackends(
  'the tutorial recurrent model: fused fast path equals the reference composition',
  { only: ['cpu', 'wasm', 'webgpu'] },
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

describeBackends(
  'the tutorial conv net: sequence-level fast path equals stepping through time',
  // webgpu: its layers are tested one by one in @snn/neurons (stepping the convolutions frame by
  // frame is too slow on SwiftShader), and training it equals wasm (webgpu.test.ts).
  { only: ['cpu', 'wasm'] },
  () => {
    it('same readout, spikes and gradients for every variable', async () => {
      // Every layer over the whole sequence against stepping through time.
      const make = (fused: boolean) =>
        model({
          encoder: new ConstantCurrentLIFEncoder(12),
          network: convSNN({ seed: 5, alpha: 2, fused }),
        });
      const fast = make(true);
      const ref = make(false);
      const u = tf.randomUniform([3, 1, 28, 28], 0, 1, 'float32', 2);
      const x = tf.where(tf.greater(u, 0.6), tf.mul(u, 20), tf.fill(u.shape, -0.4242));
      const labels = tf.tensor1d([1, 4, 7], 'int32');
      const a = fast.forward(x);
      const b = ref.forward(x);
      await expectClose(a.readout, b.readout, { atol: 1e-4, rtol: 1e-4, label: 'readout' });
      for (const k of [0, 1, 2])
        await expectClose(a.spikes[k]!, b.spikes[k]!, { atol: 0, label: `spikes ${k}` });
      expect((await tf.sum(a.spikes[0]!).data())[0]).toBeGreaterThan(0);
      const grads = (m: typeof fast) =>
        tf.variableGrads(() => LOSSES.nll(m.forward(x), labels), m.trainableVariables as tf.Variable[]).grads;
      const gf = grads(fast);
      const gr = grads(ref);
      for (const [k, v] of fast.trainableVariables.entries()) {
        const want = gr[ref.trainableVariables[k]!.name]!;
        const scale = (await tf.max(tf.abs(want)).data())[0]!;
        expect(scale).toBeGreaterThan(0);
        // Float32 sums in another order through 12 steps of BPTT: within 0.2% of the largest gradient.
        await expectClose(gf[v.name]!, want, { atol: 2e-3 * scale, rtol: 1e-3, label: v.name });
      }
      fast.dispose();
      ref.dispose();
    });
  },
);
