import type { Param } from '@snn/core';
import { DEFAULT_LI_PARAMS, DEFAULT_LIF_PARAMS } from '@snn/neurons';
import * as tf from '@tensorflow/tfjs-core';
import { float32, int64, int64Scalar, nirArray } from './arrays.js';
import {
  type ExportConvention,
  filled32,
  GraphBuilder,
  type NeuronValues,
  neuronNode,
  paramValues,
} from './emit.js';
import type { NIRGraph, NIRMetadata } from './types.js';

/** A `@snn/train` network, as `toNIR` reads it: its `config` and its Variables by stable name. */
export interface NetworkLike {
  readonly name: string;
  readonly config: Readonly<Record<string, unknown>>;
  namedVariables(): Readonly<Record<string, tf.Variable>>;
}

/** A `@snn/train` model: an encoder and a network. */
export interface ModelLike {
  readonly network: NetworkLike;
  readonly encoder?: {
    readonly name: string;
    readonly seqLength?: number;
    readonly params?: Readonly<Record<string, unknown>>;
    readonly dt?: number;
  };
}

interface Options {
  readonly convention: ExportConvention;
  readonly importable?: 'norse';
  readonly encoder?: boolean;
  readonly metadata?: NIRMetadata;
}

const f32Of = async (v: tf.Tensor) => Float32Array.from(await v.data());

async function neuron(
  params: Readonly<Record<string, unknown>>,
  shape: readonly number[],
  keys: (keyof NeuronValues)[],
): Promise<NeuronValues> {
  const out: Record<string, Float32Array> = {};
  for (const k of keys) out[k] = await paramValues(params[k] as Param, shape);
  return out as unknown as NeuronValues;
}

const LIF_KEYS: (keyof NeuronValues)[] = ['tauSynInv', 'tauMemInv', 'vLeak', 'vTh', 'vReset'];
const LI_KEYS: (keyof NeuronValues)[] = ['tauSynInv', 'tauMemInv', 'vLeak'];

/** The tutorial networks' fixed neuron parameters (their configs record only what varies). */
function lifOf(cfg: Readonly<Record<string, unknown>>, vTh: number) {
  return { ...DEFAULT_LIF_PARAMS, vTh, ...(typeof cfg.alpha === 'number' ? { alpha: cfg.alpha } : {}) };
}

async function encoderStage(b: GraphBuilder, m: ModelLike, options: Options): Promise<NIRMetadata> {
  const enc = m.encoder;
  if (!enc) return { input: 'spikes' };
  const meta: NIRMetadata = {
    encoder: enc.name,
    ...(enc.seqLength === undefined ? {} : { seq_length: int64Scalar(enc.seqLength) }),
  };
  if (enc.name === 'ConstantCurrentLIFEncoder' && options.encoder !== false && enc.params) {
    if (enc.dt !== undefined && Math.abs(enc.dt - b.dt) > 1e-12)
      throw new Error(
        `toNIR: the encoder runs at dt ${enc.dt}, the network at ${b.dt}; NIR holds one time step.`,
      );
    // Norse's constant-current encoder is a LIF without synaptic current fed the image every step:
    // exactly a LIFBoxCell, i.e. a NIR LIF node.
    const v = await neuron(enc.params, b.shape, ['tauMemInv', 'vLeak', 'vTh', 'vReset']);
    b.add('encoder', neuronNode('LIF', v, b.shape, options.convention, b.dt), b.shape, true);
    return { ...meta, input: 'image: the same (normalized) image at every step' };
  }
  return { ...meta, input: `spikes encoded by ${enc.name}` };
}

/** Exports `recurrentSNN` or `convSNN` of `@snn/train` (or a model holding one). */
export async function exportNetwork(model: ModelLike | NetworkLike, options: Options): Promise<NIRGraph> {
  const m: ModelLike = 'network' in model ? model : { network: model };
  const net = m.network;
  const cfg = net.config;
  const vars = net.namedVariables();
  const dt = typeof cfg.dt === 'number' ? cfg.dt : 1e-3;
  const need = (k: string) => {
    const v = vars[k];
    if (!v) throw new Error(`toNIR: network "${net.name}" has no variable "${k}".`);
    return v;
  };
  let b: GraphBuilder;
  let encMeta: NIRMetadata;
  if (cfg.kind === 'recurrentSNN') {
    const inF = cfg.inputFeatures as number;
    const hidden = [cfg.hiddenFeatures as number];
    const out = [cfg.outputFeatures as number];
    b = new GraphBuilder(options.convention, dt, [inF], options.importable);
    encMeta = await encoderStage(b, m, options);
    const wIn = need('lif0.inputWeights');
    b.add('lif0.input', { type: 'Linear', weight: float32(await f32Of(wIn), wIn.shape) }, hidden);
    const lif = b.add(
      'lif0',
      neuronNode('CubaLIF', await neuron(lifOf(cfg, 0.5), hidden, LIF_KEYS), hidden, options.convention, dt),
      hidden,
      true,
    );
    // Norse's recurrent cell has no autapses: its recurrent diagonal is masked in every step.
    const rec = tf.tidy(() => tf.mul(need('lif0.recurrentWeights'), tf.sub(1, tf.eye(hidden[0]!))));
    b.addSide('lif0.recurrent', { type: 'Linear', weight: float32(await f32Of(rec), rec.shape) }, lif, lif);
    rec.dispose();
    const wOut = need('fc_out.weight');
    b.add('fc_out', { type: 'Linear', weight: float32(await f32Of(wOut), wOut.shape) }, out);
    b.addNeuron('out', 'CubaLI', await neuron({ ...DEFAULT_LI_PARAMS }, out, LI_KEYS), false);
  } else if (cfg.kind === 'convSNN') {
    const C = cfg.channels as number;
    const S = cfg.featureSize as number;
    b = new GraphBuilder(options.convention, dt, [C, S, S], options.importable);
    encMeta = await encoderStage(b, m, options);
    const p = lifOf(cfg, 1);
    const conv = async (name: string, cout: number) => {
      const w = need(`${name}.weight`); // [5, 5, in, out]
      const [k, , cin] = w.shape as [number, number, number, number];
      const t = tf.transpose(w, [3, 2, 0, 1]);
      const weight = float32(await f32Of(t), [cout, cin, k, k]);
      t.dispose();
      const [, h, wd] = b.shape as [number, number, number];
      b.add(
        name,
        {
          type: 'Conv2d',
          input_shape: int64([h, wd]),
          weight,
          stride: int64([1, 1]),
          padding: int64([0, 0]),
          dilation: int64([1, 1]),
          groups: int64Scalar(1),
          bias: float32(await f32Of(need(`${name}.bias`)), [cout]),
        },
        [cout, h - k + 1, wd - k + 1],
      );
    };
    const lif = async (name: string) =>
      b.add(
        name,
        neuronNode('CubaLIF', await neuron(p, b.shape, LIF_KEYS), b.shape, options.convention, dt),
        b.shape,
        true,
      );
    const pool = (name: string) => {
      const [c, h, w] = b.shape as [number, number, number];
      const out = [c, Math.floor(h / 2), Math.floor(w / 2)];
      const two = {
        kernel_size: int64([2, 2], 'array'),
        stride: int64([2, 2], 'array'),
        padding: int64([0, 0], 'array'),
      };
      // Max-pooling of spikes: the window's sum above 0.5 (NIR has no max pooling).
      b.add(
        name,
        {
          type: 'SumPool2d',
          ...two,
          metadata: { snn_layer: 'MaxPool2d of spikes: SumPool2d → Threshold(0.5)' },
        },
        out,
      );
      b.add(`${name}.threshold`, { type: 'Threshold', threshold: filled32(out, 0.5) }, out, true);
    };
    await conv('conv1', 20);
    await lif('lif0');
    pool('pool0');
    await conv('conv2', 50);
    b.add('conv2.scale', { type: 'Scale', scale: filled32(b.shape, 10) }, b.shape);
    await lif('lif1');
    pool('pool1');
    const [c2, h2, w2] = b.shape as [number, number, number];
    b.add(
      'flatten',
      {
        type: 'Flatten',
        start_dim: int64Scalar(0),
        end_dim: int64Scalar(-1),
        input_type: int64(b.shape, 'array'),
      },
      [c2 * h2 * w2],
      true,
    );
    // convSNN flattens channels-last (h, w, c); NIR's Flatten of [C, H, W] is channels-first.
    const fc1 = need('fc1.weight');
    const perm = tf.tidy(() =>
      tf.reshape(tf.transpose(tf.reshape(fc1, [-1, h2, w2, c2]), [0, 3, 1, 2]), fc1.shape),
    );
    b.add(
      'fc1',
      {
        type: 'Affine',
        weight: float32(await f32Of(perm), fc1.shape),
        bias: float32(await f32Of(need('fc1.bias')), [fc1.shape[0]!]),
      },
      [fc1.shape[0]!],
    );
    perm.dispose();
    await lif('lif2'); // followed by relu in convSNN: the identity on spikes
    const wOut = need('out.weights');
    const out = [wOut.shape[0]!];
    b.add('out.input', { type: 'Linear', weight: float32(await f32Of(wOut), wOut.shape) }, out);
    b.addNeuron('out', 'CubaLI', await neuron({ ...DEFAULT_LI_PARAMS }, out, LI_KEYS), false);
  } else {
    throw new Error(
      `toNIR: cannot export network "${net.name}" (config.kind ${JSON.stringify(cfg.kind)}); export recurrentSNN, convSNN, or the Sequential you built (toNIR(seq, { inputShape })).`,
    );
  }
  const writtenDt = options.convention === 'snntorch' ? 1e-4 : dt;
  return b.finish({
    convention: options.convention,
    dt: nirArray([writtenDt], [], 'float64', 'plain'),
    generator: '@snn/nir',
    snn_network: String(cfg.kind),
    ...encMeta,
    ...(options.metadata ?? {}),
  });
}
