import { DataLoader, type ImageDataset } from '@snn/datasets';
import { predictClasses } from '@snn/decoders';
import { type Model, recordedToArrays } from '@snn/train';
import * as tf from '@tensorflow/tfjs-core';
import type { TrainOptions } from './options.js';
import { lineChartSvg, mostActive, rasterSvg, svgToPng } from './plots.js';
import type { Reporter } from './report.js';
import { readMetrics, writeRunFile } from './run-dir.js';

/** The tutorial's figures as PNGs: loss, accuracy, readout traces, hidden v and i, the input raster. */
export async function writePlots(
  runDir: string,
  m: Model,
  ds: ImageDataset,
  o: TrainOptions,
  report: Reporter,
): Promise<void> {
  const rows = await readMetrics(runDir);
  const batches = rows.filter((r) => r.kind === 'batch');
  const epochs = rows.filter((r) => r.kind === 'epoch');
  const png = async (name: string, svg: string) => writeRunFile(runDir, name, svgToPng(svg));
  await png(
    'loss.png',
    lineChartSvg({
      title: 'Training loss per batch',
      xLabel: 'batch',
      yLabel: 'NLL loss',
      series: [{ name: 'loss', ys: batches.map((r) => r.loss as number) }],
    }),
  );
  await png(
    'accuracy.png',
    lineChartSvg({
      title: 'Test accuracy per epoch',
      xLabel: 'epoch',
      yLabel: 'accuracy (%)',
      includeZero: false,
      series: [
        {
          name: 'test',
          xs: epochs.map((r) => r.epoch),
          ys: epochs.map((r) => 100 * ((r.testAccuracy as number | undefined) ?? 0)),
          markers: true,
        },
      ],
    }),
  );
  // One test image through the trained network, every state recorded (the tutorial's last figures).
  const sample = new DataLoader(ds.test, {
    batchSize: 1,
    shuffle: false,
    normalize: { mean: ds.info.mean, std: ds.info.std },
  })
    .batches(0)
    .next().value!;
  const out = m.forward(sample.images, { record: true });
  const label = (await sample.labels.data())[0]!;
  const predictedClass = predictClasses(out.logProbs);
  const predicted = (await predictedClass.data())[0]!;
  predictedClass.dispose();
  const rec = await recordedToArrays(out.recorded!);
  const ms = (n: number) => Array.from({ length: n }, (_, t) => t);
  const readout = rec.readout!.v as number[][][];
  const T = readout.length;
  await png(
    'readout.png',
    lineChartSvg({
      title: `Readout voltages for one test image (label ${label}, predicted ${predicted})`,
      xLabel: 'time (ms)',
      yLabel: 'voltage (a.u.)',
      series: ds.info.classes.map((c, k) => ({
        name: `class ${c}`,
        xs: ms(T),
        ys: readout.map((step) => step[0]![k]!),
      })),
    }),
  );
  const hiddenName = Object.keys(rec).find((k) => k !== 'readout')!;
  const sampleOf = (arr: unknown[]) =>
    (arr as unknown[]).map((step) => ((step as unknown[])[0] as unknown[]).flat(4) as number[]);
  // The layer's most active neurons for this image (most of a conv layer's are silent background).
  const firstSpikes = out.spikes[0];
  let counts: number[] = [];
  if (firstSpikes) {
    const perNeuron = tf.sum(firstSpikes, 0);
    counts = (((await perNeuron.array()) as unknown[])[0] as unknown[]).flat(4) as number[];
    perNeuron.dispose();
  }
  const traces = { v: sampleOf(rec[hiddenName]!.v!), i: sampleOf(rec[hiddenName]!.i!) };
  // Counts only when they are this layer's (a custom network may report no spikes).
  const known = counts.length === (traces.v[0]?.length ?? 0);
  const chosen = mostActive(known ? counts : new Array(traces.v[0]?.length ?? 0).fill(0), 10);
  for (const field of ['v', 'i'] as const) {
    const steps = traces[field];
    await png(
      `hidden-${field}.png`,
      lineChartSvg({
        title: `Hidden layer ${hiddenName}: ${field === 'v' ? 'membrane voltage' : 'synaptic current'} of ${known ? `its ${chosen.length} most active` : chosen.length} neurons`,
        xLabel: 'time (ms)',
        yLabel: field === 'v' ? 'voltage (a.u.)' : 'current (a.u.)',
        series: chosen.map((n) => ({
          name: known ? `neuron ${n} (${counts[n]} spikes)` : `neuron ${n}`,
          xs: ms(steps.length),
          ys: steps.map((s) => s[n] ?? 0),
        })),
      }),
    );
  }
  const encoded = (await out.encoded.array()) as unknown[];
  const raster = encoded.map((step) => ((step as unknown[])[0] as unknown[]).flat(3) as number[]);
  await png(
    'input-raster.png',
    rasterSvg({
      title: `Input spikes (${o.encoder} encoder, T = ${o.seqLength})`,
      xLabel: 'time (ms)',
      yLabel: 'input neuron (pixel)',
      spikes: raster,
    }),
  );
  tf.dispose([out.logProbs, out.readout, out.encoded, ...out.spikes, sample.images, sample.labels]);
  for (const states of Object.values(out.recorded!)) tf.dispose(Object.values(states));
  report.info(`plots written to ${runDir}`);
}
