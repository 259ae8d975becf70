import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { BackendName } from '@snn/core';
import { DataLoader, type DatasetId } from '@snn/datasets';
import { loadDataset } from '@snn/datasets/node';
import {
  ConstantCurrentLIFEncoder,
  type Encoder,
  PoissonEncoder,
  SpikeLatencyLIFEncoder,
} from '@snn/encoders';
import {
  arrayValues,
  type ExportConvention,
  fromNIR,
  isNIRArray,
  lintNIR,
  NIR_CONVENTIONS,
  type NIRConvention,
  type NIRGraph,
  readNIR,
  toNIR,
  writeNIR,
} from '@snn/nir';
import { adam } from '@snn/train';
import { loadCheckpoint, loadModel, writeFileAtomic } from '@snn/train/node';
import * as tf from '@tensorflow/tfjs-core';
import { describeChoice, startBackend } from './backend.js';
import { makeModel } from './build.js';
import { DEFAULTS, type TrainOptions, UsageError } from './options.js';
import type { Reporter } from './report.js';

/** Options of `snn-train export-nir`. */
export interface ExportNIRFlags {
  /** The `.nir` file to write. Default `<run dir>/model.nir`. */
  readonly out?: string;
  /** How to write time constants (default `nir`). */
  readonly convention?: ExportConvention;
  /** `norse`: only node types Norse's `from_nir` imports. */
  readonly importable?: 'norse';
  /** Leave the constant-current encoder out of the graph (then it takes encoded spikes). */
  readonly encoder?: boolean;
  readonly backend?: BackendName | 'auto';
}

/** The classes of a run's saved model (its network config), else MNIST's 10. */
async function classesOf(dir: string): Promise<number> {
  for (const f of [join(dir, 'model', 'model.json')]) {
    if (!existsSync(f)) continue;
    const topo = JSON.parse(await readFile(f, 'utf8')).modelTopology?.snn?.network;
    if (typeof topo?.outputFeatures === 'number') return topo.outputFeatures;
  }
  return 10;
}

/**
 * `snn-train export-nir <run dir>`: the run's model (final, else its latest checkpoint) as a NIR
 * file, with its constant-current encoder as the first LIF node.
 */
export async function runExportNIR(
  runDir: string,
  flags: ExportNIRFlags,
  report: Reporter,
): Promise<{ file: string; nodes: number; bytes: number; warnings: string[] }> {
  const dir = resolve(runDir);
  const configPath = join(dir, 'config.json');
  if (!existsSync(configPath)) throw new UsageError(`${runDir} is not a run directory (no config.json)`);
  const saved = JSON.parse(await readFile(configPath, 'utf8')) as { options?: Partial<TrainOptions> };
  const o: TrainOptions = { ...DEFAULTS, ...saved.options };
  const choice = await startBackend(flags.backend ?? 'cpu');
  for (const line of describeChoice(choice)) report.info(line);
  const m = makeModel(o, await classesOf(dir));
  try {
    if (existsSync(join(dir, 'model', 'model.json'))) await loadModel(m, join(dir, 'model'));
    else {
      report.warn('no final model in this run (it was stopped): exporting its latest checkpoint');
      await loadCheckpoint(dir, m, adam(o.lr));
    }
    const graph = await toNIR(m, {
      convention: flags.convention ?? 'nir',
      ...(flags.importable ? { importable: flags.importable } : {}),
      ...(flags.encoder === false ? { encoder: false } : {}),
      metadata: { snn_dataset: o.dataset, snn_encoder: o.encoder },
    });
    const bytes = await writeNIR(graph);
    const file = resolve(flags.out ?? join(dir, 'model.nir'));
    await writeFileAtomic(file, bytes);
    const warnings = lintNIR(graph)
      .filter((w) => w.severity === 'warning')
      .map((w) => `${w.node ?? 'graph'}: ${w.message}`);
    for (const w of warnings) report.warn(w);
    return { file, nodes: Object.keys(graph.nodes).length, bytes: bytes.length, warnings };
  } finally {
    m.dispose();
  }
}

/** Options of `snn-train eval --nir`. */
export interface EvalNIRFlags {
  readonly convention?: string;
  readonly dt?: number;
  readonly seqLength?: number;
  /** How images enter the graph: the image itself at every step, or spikes of an encoder. */
  readonly input?: 'image' | 'constant-current' | 'poisson' | 'latency';
  readonly dataset?: DatasetId;
  readonly dataDir?: string;
  readonly limitTest?: number;
  readonly batchSize?: number;
  readonly backend?: BackendName | 'auto';
}

const text = (g: NIRGraph, k: string) =>
  typeof g.metadata?.[k] === 'string' ? (g.metadata[k] as string) : undefined;

/**
 * `snn-train eval --nir <file>`: a NIR model of MNIST-shaped inputs on a dataset's test split.
 * Images go in as the file says (files from `export-nir` take the image at every step) or encoded
 * (`--input`); the class is the output neuron with the largest value over time (spike counts for
 * spiking outputs).
 */
export async function runEvalNIR(
  file: string,
  flags: EvalNIRFlags,
  report: Reporter,
): Promise<{ accuracy: number; samples: number; convention: string; input: string; seqLength: number }> {
  if (flags.convention !== undefined && !(NIR_CONVENTIONS as readonly string[]).includes(flags.convention))
    throw new UsageError(
      `--convention must be one of ${NIR_CONVENTIONS.join(', ')} (got "${flags.convention}")`,
    );
  const choice = await startBackend(flags.backend ?? 'auto');
  for (const line of describeChoice(choice)) report.info(line);
  const graph = await readNIR(await readFile(resolve(file)));
  for (const w of lintNIR(graph))
    if (w.severity === 'warning') report.warn(`${w.node ?? 'graph'}: ${w.message}`);
  const model = fromNIR(graph, {
    ...(flags.convention ? { convention: flags.convention as NIRConvention } : {}),
    ...(flags.dt ? { dt: flags.dt } : {}),
  });
  try {
    const size = model.inputShape.reduce((a, b) => a * b, 1);
    if (size !== 784)
      throw new UsageError(
        `${file}: its Input takes [${model.inputShape.join(', ')}], not a 28×28 image (eval --nir runs MNIST-shaped models)`,
      );
    const stated = graph.metadata?.seq_length;
    const T = flags.seqLength ?? (isNIRArray(stated) ? arrayValues(stated)[0]! : 32);
    const input = flags.input ?? (text(graph, 'input')?.startsWith('image') ? 'image' : 'constant-current');
    const encoder: Encoder | undefined =
      input === 'image'
        ? undefined
        : input === 'poisson'
          ? new PoissonEncoder(T)
          : input === 'latency'
            ? new SpikeLatencyLIFEncoder(T)
            : new ConstantCurrentLIFEncoder(T);
    report.info(
      `NIR model: ${model.nodes.length} nodes, convention ${model.convention}, dt ${model.dt}; input ${input}, T ${T}`,
    );
    const ds = await loadDataset(flags.dataset ?? 'mnist', {
      ...(flags.dataDir ? { dir: flags.dataDir } : {}),
      allowOfflineSubset: (flags.dataset ?? 'mnist') === 'mnist',
    });
    report.info(`dataset: ${ds.description}`);
    // Whole sequences of every frame at once: convolutional graphs get smaller batches.
    const convolutional = model.nodes.some((n) => n.type === 'Conv2d' || n.type === 'Conv1d');
    const loader = new DataLoader(ds.test, {
      batchSize: flags.batchSize ?? (convolutional ? 32 : 500),
      shuffle: false,
      normalize: { mean: ds.info.mean, std: ds.info.std },
      ...(flags.limitTest ? { limit: flags.limitTest } : {}),
    });
    const spiking = model.nodes.filter((n) => n.type !== 'Output').at(-1)?.spiking ?? false;
    let hits = 0;
    for (const batch of loader.batches(0)) {
      const B = batch.images.shape[0]!;
      const predicted = tf.tidy(() => {
        const images = tf.reshape(batch.images, [B, ...model.inputShape]);
        const x = encoder
          ? tf.reshape(encoder.encode(images), [T, B, ...model.inputShape])
          : tf.tile(tf.expandDims(images, 0), [T, 1, ...model.inputShape.map(() => 1)]);
        const y = tf.reshape(model.call(x), [T, B, -1]);
        return tf.argMax(spiking ? tf.sum(y, 0) : tf.max(y, 0), -1);
      });
      const p = await predicted.data();
      const labels = await batch.labels.data();
      for (let k = 0; k < B; k++) if (p[k] === labels[k]) hits++;
      tf.dispose([predicted, batch.images, batch.labels]);
    }
    return {
      accuracy: hits / loader.size,
      samples: loader.size,
      convention: model.convention,
      input,
      seqLength: T,
    };
  } finally {
    model.dispose();
  }
}
