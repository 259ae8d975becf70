import { ConstantCurrentLIFEncoder, PoissonEncoder } from '@snn/encoders';
import { fromNIR, readNIR, toNIR, writeNIR } from '@snn/nir';
import { describeBackends, expectClose } from '@snn/test-utils';
import { convSNN, model, recurrentSNN } from '@snn/train';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

/** The image repeated at every step: what the exported constant-current encoder LIF takes. */
const repeat = (images: tf.Tensor, T: number) =>
  tf.tile(tf.expandDims(images, 0), [T, ...images.shape.map(() => 1)]);

describeBackends('tutorial networks through NIR', {}, ({ backend }) => {
  for (const [convention, importable] of [
    ['nir', undefined],
    ['norse', undefined],
    ['nir', 'norse'],
  ] as const) {
    it(`recurrentSNN with its constant-current encoder ('${convention}'${importable ? ', importable by Norse' : ''}): the NIR model gives the same readout`, async () => {
      const T = 16;
      const m = model({
        encoder: new ConstantCurrentLIFEncoder(T),
        network: recurrentSNN({
          inputFeatures: 64,
          hiddenFeatures: 20,
          outputFeatures: 5,
          seed: 3,
          fused: false,
        }),
      });
      // Stronger weights than the initial ones, so the hidden layer spikes.
      for (const v of Object.values(m.network.namedVariables())) v.assign(tf.mul(v, 2));
      const images = tf.randomUniform([3, 64], -0.5, 3, 'float32', 9);
      const want = m.forward(images);
      const graph = await toNIR(m, { convention });
      expect(graph.metadata?.snn_network).toBe('recurrentSNN');
      expect(Object.values(graph.nodes).map((n) => n.type)).toEqual([
        'Input',
        'LIF',
        'Linear',
        'CubaLIF',
        'Linear',
        'Linear',
        'CubaLI',
        'Output',
      ]);
      const nir = fromNIR(await readNIR(await writeNIR(graph)));
      expect(nir.recurrent).toBe(true);
      const x = repeat(images, T);
      const r = nir.run(x, { record: true });
      const spikes = await tf.sum(r.nodes!.lif0!).array();
      expect(spikes).toBeGreaterThan(0);
      expect(spikes).toBe(await tf.sum(want.spikes[0]!).array());
      await expectClose(r.output, want.readout, { atol: 2e-6, rtol: 1e-5, label: `readout [${backend}]` });
      tf.dispose([
        images,
        x,
        want.logProbs,
        want.readout,
        want.encoded,
        ...want.spikes,
        ...Object.values(r.nodes!),
      ]);
      nir.dispose();
      m.dispose();
    });
  }

  it('convSNN with its encoder: the NIR model (conv, SumPool+Threshold for max-pooling, Scale, Flatten in channel order) gives the same readout', async () => {
    const T = 5;
    const m = model({
      encoder: new ConstantCurrentLIFEncoder(T),
      network: convSNN({ featureSize: 20, seed: 2, fused: false }),
    });
    for (const v of Object.values(m.network.namedVariables())) v.assign(tf.mul(v, 3));
    const images = tf.randomUniform([2, 1, 20, 20], 0, 4, 'float32', 4);
    const want = m.forward(images);
    const nir = fromNIR(await readNIR(await writeNIR(await toNIR(m))));
    expect(nir.inputShape).toEqual([1, 20, 20]);
    const x = repeat(images, T);
    const r = nir.run(x, { record: true });
    for (const [k, name] of ['lif0', 'lif1', 'lif2'].entries())
      expect(await tf.sum(r.nodes![name]!).array(), name).toBe(await tf.sum(want.spikes[k]!).array());
    await expectClose(r.output, want.readout, { atol: 1e-5, rtol: 1e-5, label: `conv readout [${backend}]` });
    tf.dispose([
      images,
      x,
      want.logProbs,
      want.readout,
      want.encoded,
      ...want.spikes,
      ...Object.values(r.nodes!),
    ]);
    nir.dispose();
    m.dispose();
  });

  it('a Poisson-encoded model exports its network only and says so in the metadata', async () => {
    const m = model({
      encoder: new PoissonEncoder(8),
      network: recurrentSNN({ inputFeatures: 16, hiddenFeatures: 4, outputFeatures: 2 }),
    });
    const g = await toNIR(m);
    expect(g.metadata?.encoder).toBe('PoissonEncoder');
    expect(g.nodes.encoder).toBeUndefined();
    expect(String(g.metadata?.input)).toMatch(/spikes encoded by PoissonEncoder/);
    m.dispose();
  });
});
