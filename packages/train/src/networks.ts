import { disposeState, Random, tidy } from '@snn/core';
import {
  Conv2d,
  Flatten,
  LI,
  LIF,
  type LIFParams,
  LIFRecurrent,
  LILinear,
  type LIParams,
  Linear,
  lifParams,
  liParams,
  MaxPool2d,
  runCell,
  type SequenceOptions,
  type Sequential,
  sequential,
  view,
} from '@snn/neurons';
import * as tf from '@tensorflow/tfjs-core';
import type { ForwardOptions, Network, NetworkResult, RecordedStates } from './network.js';

const count = (vars: readonly tf.Variable[]) => vars.reduce((a, v) => a + v.size, 0);

/** How a forward pass runs its layers: over the whole sequence (kernels) unless asked otherwise. */
function sequenceOptions(opts: ForwardOptions, fused: boolean): SequenceOptions {
  return { recordStates: opts.record ?? false, training: opts.training ?? false, stepwise: !fused };
}

/** Recorded states as the network reports them. */
const asRecord = (states: unknown) => states as Readonly<Record<string, tf.Tensor>>;

/** Options of {@link recurrentSNN}. */
export interface RecurrentSNNOptions {
  readonly inputFeatures?: number;
  readonly hiddenFeatures?: number;
  readonly outputFeatures?: number;
  /** Hidden LIF parameters. Default the tutorial's `lifParams({ alpha: 100, vTh: 0.5 })`. */
  readonly params?: LIFParams;
  /** Readout parameters. Default LI's. */
  readonly readoutParams?: LIParams;
  readonly dt?: number;
  /** Seed of the initial weights. Default 0. */
  readonly seed?: number;
  /**
   * Run each layer over the whole sequence at once (its fused, event-driven kernels where they
   * apply) unless states are recorded. Default `true`; `false` steps through time (the reference
   * composition, for checks).
   */
  readonly fused?: boolean;
}

/**
 * The tutorial's recurrent network (Norse's `SNN` module): `LIFRecurrent(784 → 100, alpha 100,
 * vTh 0.5)` → `Linear(100 → 10, no bias)` → `LI`, returning the readout voltages `[T, B, 10]`.
 * Inputs `[T, B, 784]` or images `[T, B, 1, 28, 28]` (flattened).
 */
export function recurrentSNN(options: RecurrentSNNOptions = {}): Network {
  const cfg = {
    kind: 'recurrentSNN',
    inputFeatures: options.inputFeatures ?? 784,
    hiddenFeatures: options.hiddenFeatures ?? 100,
    outputFeatures: options.outputFeatures ?? 10,
    dt: options.dt ?? 1e-3,
    seed: options.seed ?? 0,
  };
  const params = options.params ?? lifParams({ alpha: 100, vTh: 0.5 });
  const rng = new Random(cfg.seed);
  const lif = new LIFRecurrent(cfg.inputFeatures, cfg.hiddenFeatures, params, { rng, dt: cfg.dt });
  const fc = new Linear(cfg.hiddenFeatures, cfg.outputFeatures, { bias: false, rng });
  const out = new LI(options.readoutParams ?? liParams(), cfg.dt);
  const fused = options.fused ?? true;
  return {
    name: 'recurrentSNN',
    config: cfg,
    get trainableVariables() {
      return [...lif.trainableVariables, ...fc.trainableVariables];
    },
    namedVariables: () => ({
      'lif0.inputWeights': lif.cell.inputWeights,
      'lif0.recurrentWeights': lif.cell.recurrentWeights,
      'fc_out.weight': fc.weight,
    }),
    layers: () => [
      {
        name: 'lif0',
        kind: 'LIFRecurrentCell',
        outputShape: [-1, cfg.hiddenFeatures],
        parameters: count(lif.trainableVariables),
      },
      {
        name: 'fc_out',
        kind: 'Linear (no bias)',
        outputShape: [-1, cfg.outputFeatures],
        parameters: count([fc.weight]),
      },
      { name: 'out', kind: 'LICell', outputShape: [-1, cfg.outputFeatures], parameters: 0 },
    ],
    forward(input: tf.Tensor, opts: ForwardOptions = {}): NetworkResult {
      const [T, B] = input.shape as [number, number];
      const run = sequenceOptions(opts, fused);
      return tidy(() => {
        const x = input.rank === 3 ? input : view(input, [T, B, cfg.inputFeatures]);
        const [spikes, lifFinal, lifStates] = lif.call(x, undefined, run);
        const [voltages, outFinal, outStates] = out.call(fc.apply(spikes), undefined, run);
        disposeState([lifFinal, outFinal]);
        const result = { output: voltages, spikes: [spikes] };
        if (!opts.record) return result;
        const recorded: RecordedStates = { lif0: asRecord(lifStates), readout: asRecord(outStates) };
        return { ...result, recorded };
      });
    },
    dispose() {
      lif.dispose();
      fc.dispose();
    },
  };
}

/** Options of {@link convSNN}. */
export interface ConvSNNOptions {
  /** Input channels. Default 1. */
  readonly channels?: number;
  /** Input height and width. Default 28. */
  readonly featureSize?: number;
  readonly outputFeatures?: number;
  /** Surrogate of the LIF layers. Default `'super'`. */
  readonly method?: LIFParams['method'];
  /** Surrogate sharpness. Default 80 (the tutorial's). */
  readonly alpha?: number;
  readonly dt?: number;
  readonly seed?: number;
  /** As {@link RecurrentSNNOptions.fused}. Default `true`. */
  readonly fused?: boolean;
}

/**
 * The tutorial's convolutional network (Norse's `ConvNet`), per time step: conv 1→20 (5×5) → LIF →
 * max-pool 2 → 10 × conv 20→50 (5×5) → LIF → max-pool 2 → flatten 800 → linear 800→500 → LIF →
 * relu → `LILinear(500 → 10)`. Inputs `[T, B, C, H, W]`; readout `[T, B, 10]`. Its layers are
 * channels-last, the layout tfjs convolves fastest (so `fc1`'s inputs are ordered `H, W, C`).
 * Every layer sees all `T · B` frames at once: at the tutorial's batch 256 and T 48 give `fit` and
 * `evaluate` a `microBatchSize` (the trainer's preset uses 16) to keep memory bounded.
 */
export function convSNN(options: ConvSNNOptions = {}): Network {
  const cfg = {
    kind: 'convSNN',
    channels: options.channels ?? 1,
    featureSize: options.featureSize ?? 28,
    outputFeatures: options.outputFeatures ?? 10,
    alpha: options.alpha ?? 80,
    method:
      typeof options.method === 'string' || options.method === undefined
        ? (options.method ?? 'super')
        : options.method.name,
    dt: options.dt ?? 1e-3,
    seed: options.seed ?? 0,
  };
  const p = lifParams({ method: options.method ?? 'super', alpha: cfg.alpha });
  const s1 = (cfg.featureSize - 4) / 2;
  const s2 = (s1 - 4) / 2;
  if (!Number.isInteger(s2) || s2 <= 0)
    throw new RangeError(
      `convSNN: featureSize ${cfg.featureSize} does not fit two 5×5 convolutions with 2×2 pooling.`,
    );
  const rng = new Random(cfg.seed);
  const cl = { rng, channelsLast: true };
  const conv1 = new Conv2d(cfg.channels, 20, 5, cl);
  const conv2 = new Conv2d(20, 50, 5, cl);
  const fc1 = new Linear(s2 * s2 * 50, 500, { rng });
  const out = new LILinear(500, cfg.outputFeatures, liParams(), { rng, dt: cfg.dt });
  const pool = new MaxPool2d(2, { channelsLast: true });
  // The tutorial's forward, as three spiking blocks and the readout (each block's spikes are reported).
  const blocks: Sequential[] = [
    sequential(conv1, new LIF(p, cfg.dt)),
    sequential(pool, conv2, (x) => tf.mul(x, 10), new LIF(p, cfg.dt)),
    sequential(pool, new Flatten(), fc1, new LIF(p, cfg.dt)),
    sequential(tf.relu, out),
  ];
  const names = ['lif0', 'lif1', 'lif2', 'readout'];
  const fused = options.fused ?? true;

  const forwardAll = (input: tf.Tensor, opts: ForwardOptions): NetworkResult =>
    tidy(() => {
      const run = sequenceOptions(opts, fused);
      // Channels-last frames: for one channel a relabelling of the same data.
      let x =
        cfg.channels === 1
          ? view(input, [...input.shape.slice(0, 2), cfg.featureSize, cfg.featureSize, 1])
          : tf.transpose(input, [0, 1, 3, 4, 2]);
      const outputs: tf.Tensor[] = [];
      const recorded: Record<string, Readonly<Record<string, tf.Tensor>>> = {};
      blocks.forEach((block, k) => {
        const [y, final, states] = runCell(block, x, undefined, run);
        disposeState(final);
        if (states) recorded[names[k]!] = asRecord((states as unknown[]).at(-1));
        outputs.push(y);
        x = y;
      });
      const result = { output: outputs[3]!, spikes: outputs.slice(0, 3) };
      return opts.record ? { ...result, recorded: recorded as RecordedStates } : result;
    });

  return {
    name: 'convSNN',
    config: cfg,
    get trainableVariables() {
      return [conv1, conv2, fc1, out].flatMap((l) => l.trainableVariables);
    },
    namedVariables: () => ({
      'conv1.weight': conv1.weight,
      'conv1.bias': conv1.bias!,
      'conv2.weight': conv2.weight,
      'conv2.bias': conv2.bias!,
      'fc1.weight': fc1.weight,
      'fc1.bias': fc1.bias!,
      'out.weights': out.cell.weights,
    }),
    layers: () => [
      {
        name: 'conv1',
        kind: 'Conv2d 5×5',
        outputShape: [-1, 20, s1 * 2, s1 * 2],
        parameters: count(conv1.trainableVariables),
      },
      { name: 'lif0 + maxpool', kind: 'LIFCell', outputShape: [-1, 20, s1, s1], parameters: 0 },
      {
        name: 'conv2 (×10)',
        kind: 'Conv2d 5×5',
        outputShape: [-1, 50, s2 * 2, s2 * 2],
        parameters: count(conv2.trainableVariables),
      },
      { name: 'lif1 + maxpool', kind: 'LIFCell', outputShape: [-1, 50, s2, s2], parameters: 0 },
      { name: 'fc1', kind: 'Linear', outputShape: [-1, 500], parameters: count(fc1.trainableVariables) },
      { name: 'lif2 + relu', kind: 'LIFCell', outputShape: [-1, 500], parameters: 0 },
      {
        name: 'out',
        kind: 'LILinearCell',
        outputShape: [-1, cfg.outputFeatures],
        parameters: count(out.trainableVariables),
      },
    ],
    forward(input: tf.Tensor, opts: ForwardOptions = {}): NetworkResult {
      if (input.rank !== 5)
        throw new Error(`convSNN: input must be [T, B, C, H, W], got [${input.shape.join(', ')}].`);
      return forwardAll(input, opts);
    },
    dispose() {
      for (const l of [conv1, conv2, fc1, out]) l.dispose();
    },
  };
}

/**
 * A network from your own composition of layers and cells (`sequential(...)` from @snn/neurons),
 * run over time (layer by layer, on the fused kernels wherever they apply). Its last layer's output
 * is the readout `[T, B, classes]`.
 */
export function sequentialNetwork(seq: Sequential, name = 'sequential'): Network {
  return {
    name,
    config: {
      kind: 'sequential',
      layers: seq.layers.map((l) => (typeof l === 'function' ? 'function' : l.name)),
    },
    get trainableVariables() {
      return seq.trainableVariables;
    },
    namedVariables: () =>
      Object.fromEntries(seq.trainableVariables.map((v, k) => [`${k}`, v as tf.Variable])),
    layers: () =>
      seq.layers.map((l, k) => ({
        name: `${k}`,
        kind: typeof l === 'function' ? 'function' : l.name,
        outputShape: [],
        parameters: typeof l === 'function' ? 0 : count(l.trainableVariables),
      })),
    forward(input, opts = {}) {
      return tidy(() => {
        const [output, final, states] = runCell(seq, input, undefined, sequenceOptions(opts, true));
        disposeState(final);
        const recorded = opts.record
          ? (Object.fromEntries(
              (states as unknown[]).flatMap((s, k) => (s === undefined ? [] : [[`${k}`, asRecord(s)]])),
            ) as RecordedStates)
          : undefined;
        return recorded ? { output, spikes: [], recorded } : { output, spikes: [] };
      });
    },
    dispose: () => seq.dispose(),
  };
}
