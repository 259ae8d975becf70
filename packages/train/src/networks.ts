import { disposeState, Random, tidy } from '@snn/core';
import {
  addBias,
  Conv2d,
  canFuseLI,
  canFuseLIF,
  canFuseLIFRecurrent,
  LICell,
  LIFCell,
  type LIFParams,
  LIFRecurrentCell,
  LILinearCell,
  type LIParams,
  type LIState,
  Linear,
  lifParams,
  lifRecurrentSequence,
  lifSequence,
  linear,
  liParams,
  liSequence,
  MaxPool2d,
  runCell,
  type Sequential,
  spikeConv2d,
  spikeLinear,
  stackStates,
} from '@snn/neurons';
import * as tf from '@tensorflow/tfjs-core';
import type { ForwardOptions, Network, NetworkResult, RecordedStates } from './network.js';

const count = (v: tf.Variable) => v.size;

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
   * Use the fused recurrent LIF kernel (`lifRecurrentSequence`) where it can run (cpu and wasm,
   * numeric parameters, built-in surrogate) and no states are recorded. Default `true`; `false`
   * always runs the reference composition of `lifRecurrentStep`.
   */
  readonly fused?: boolean;
  /**
   * Whether the inputs are spikes (every encoder of `@snn/encoders` emits spikes), so the fused path
   * projects them event-driven. Default `true`; set `false` when feeding dense currents.
   */
  readonly sparseInput?: boolean;
}

/**
 * The tutorial's recurrent network: `LIFRecurrentCell(784 → 100, alpha 100, vTh 0.5)` →
 * `Linear(100 → 10, no bias)` → `LICell`, returning the readout voltages `[T, B, 10]`. Inputs
 * `[T, B, 784]` or images `[T, B, 1, 28, 28]` (flattened).
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
  const readoutParams = options.readoutParams ?? liParams();
  const rng = new Random(cfg.seed);
  const lif = new LIFRecurrentCell(cfg.inputFeatures, cfg.hiddenFeatures, params, { rng, dt: cfg.dt });
  const fc = new Linear(cfg.hiddenFeatures, cfg.outputFeatures, { bias: false, rng });
  const out = new LICell(readoutParams, cfg.dt);
  return {
    name: 'recurrentSNN',
    config: cfg,
    get trainableVariables() {
      return [...lif.trainableVariables, ...fc.trainableVariables];
    },
    namedVariables: () => ({
      'lif0.inputWeights': lif.inputWeights,
      'lif0.recurrentWeights': lif.recurrentWeights,
      'fc_out.weight': fc.weight,
    }),
    layers: () => [
      {
        name: 'lif0',
        kind: 'LIFRecurrentCell',
        outputShape: [-1, cfg.hiddenFeatures],
        parameters: count(lif.inputWeights) + count(lif.recurrentWeights),
      },
      {
        name: 'fc_out',
        kind: 'Linear (no bias)',
        outputShape: [-1, cfg.outputFeatures],
        parameters: count(fc.weight),
      },
      { name: 'out', kind: 'LICell', outputShape: [-1, cfg.outputFeatures], parameters: 0 },
    ],
    forward(input: tf.Tensor, opts: ForwardOptions = {}): NetworkResult {
      const T = input.shape[0]!;
      const B = input.shape[1]!;
      return tidy(() => {
        const flatInput = () => (input.rank === 3 ? input : tf.reshape(input, [T, B, cfg.inputFeatures]));
        if (
          !opts.record &&
          (options.fused ?? true) &&
          canFuseLIFRecurrent(params) &&
          canFuseLI(readoutParams)
        ) {
          // Fast path: all steps' input currents at once (event-driven for spikes), the fused
          // recurrent LIF sequence, the event-driven readout projection and the fused LI sequence.
          // The input is not reshaped: tfjs would copy it to record the reshape for the gradient.
          const currents =
            options.sparseInput === false
              ? tf.reshape(linear(tf.reshape(input, [T * B, cfg.inputFeatures]), lif.inputWeights), [
                  T,
                  B,
                  cfg.hiddenFeatures,
                ])
              : spikeLinear(input, lif.inputWeights, 2);
          const spikes = lifRecurrentSequence(currents, lif.effectiveRecurrentWeights(), params, cfg.dt);
          const voltages = liSequence(spikeLinear(spikes, fc.weight), readoutParams, cfg.dt);
          return { output: voltages, spikes: [spikes] };
        }
        const [spikes, , lifStates] = runCell(lif, flatInput(), undefined, {
          recordStates: opts.record ?? false,
        });
        const currents = fc.apply(spikes);
        const [voltages, , outStates] = runCell(out, currents, undefined, {
          recordStates: opts.record ?? false,
        });
        const recorded = opts.record
          ? ({
              lif0: lifStates as unknown as Record<string, tf.Tensor>,
              readout: outStates as unknown as Record<string, tf.Tensor>,
            } as RecordedStates)
          : undefined;
        return recorded
          ? { output: voltages, spikes: [spikes], recorded }
          : { output: voltages, spikes: [spikes] };
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
  /**
   * Run every layer over the whole sequence at once (each convolution and product over all `T · B`
   * frames in one call, the LIF layers and the readout as sequence kernels) where the fused kernels
   * run (cpu, wasm) and no states are recorded. Default `true`; `false` steps through time with the
   * cells (the reference composition).
   */
  readonly fused?: boolean;
  /**
   * The fast path's frames at once: the batch goes through in chunks of this many samples, so
   * memory stays bounded at any batch size (`T · chunk` frames per layer call). Default 16.
   */
  readonly chunkSize?: number;
}

/**
 * The tutorial's convolutional network, per time step: conv 1→20 (5×5) → LIF → max-pool 2 →
 * 10 × conv 20→50 (5×5) → LIF → max-pool 2 → flatten 800 → linear 800→500 → LIF → relu →
 * `LILinearCell(500 → 10)`. Inputs `[T, B, C, H, W]`; readout `[T, B, 10]`.
 * (Internally channels-last, the layout tfjs convolves fastest.)
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
  const rng = new Random(cfg.seed);
  const conv1 = new Conv2d(cfg.channels, 20, 5, { rng });
  const conv2 = new Conv2d(20, 50, 5, { rng });
  const s1 = (cfg.featureSize - 4) / 2;
  const s2 = (s1 - 4) / 2;
  if (!Number.isInteger(s2) || s2 <= 0)
    throw new RangeError(
      `convSNN: featureSize ${cfg.featureSize} does not fit two 5×5 convolutions with 2×2 pooling.`,
    );
  const flat = s2 * s2 * 50;
  const fc1 = new Linear(flat, 500, { rng });
  const lif0 = new LIFCell(p, cfg.dt);
  const lif1 = new LIFCell(p, cfg.dt);
  const lif2 = new LIFCell(p, cfg.dt);
  const pool = new MaxPool2d(2);
  const out = new LILinearCell(500, cfg.outputFeatures, liParams(), { rng, dt: cfg.dt });
  const cl = { channelsLast: true };
  const readoutParams = liParams();
  /**
   * The fast path: every frame of every step at once, channels-last `[T·B, H, W, C]` (for one
   * channel a reshape), each layer over the whole sequence (few kernels, no per-step op chains).
   */
  const sequenceForward = (input: tf.Tensor): NetworkResult =>
    tidy(() => {
      const [T, B] = input.shape as [number, number];
      const S = cfg.featureSize;
      const frames =
        cfg.channels === 1
          ? tf.reshape(input, [T * B, S, S, 1])
          : tf.reshape(tf.transpose(input, [0, 1, 3, 4, 2]), [T * B, S, S, cfg.channels]);
      // Both convolutions see spikes (the encoder's, the pooled LIF's): event-driven.
      const conv = (layer: Conv2d, x: tf.Tensor) =>
        addBias(spikeConv2d(x as tf.Tensor4D, layer.weight as tf.Tensor4D), layer.bias!);
      const z0 = lifSequence(conv(conv1, frames), p, cfg.dt, T);
      const z1 = lifSequence(tf.mul(conv(conv2, pool.apply(z0, cl)), 10), p, cfg.dt, T);
      const fcIn = spikeLinear(pool.apply(z1, cl), fc1.weight, 1);
      const z2 = lifSequence(tf.reshape(addBias(fcIn, fc1.bias!), [T, B, fc1.outFeatures]), p, cfg.dt);
      const voltages = liSequence(spikeLinear(tf.relu(z2), out.weights), readoutParams, cfg.dt);
      const perStep = (z: tf.Tensor) => tf.reshape(z, [T, B, ...z.shape.slice(1)]);
      return { output: voltages, spikes: [perStep(z0), perStep(z1), z2] };
    });
  return {
    name: 'convSNN',
    config: cfg,
    get trainableVariables() {
      return [
        ...conv1.trainableVariables,
        ...conv2.trainableVariables,
        ...fc1.trainableVariables,
        ...out.trainableVariables,
      ];
    },
    namedVariables: () => ({
      'conv1.weight': conv1.weight,
      'conv1.bias': conv1.bias!,
      'conv2.weight': conv2.weight,
      'conv2.bias': conv2.bias!,
      'fc1.weight': fc1.weight,
      'fc1.bias': fc1.bias!,
      'out.weights': out.weights,
    }),
    layers: () => [
      {
        name: 'conv1',
        kind: 'Conv2d 5×5',
        outputShape: [-1, 20, s1 * 2, s1 * 2],
        parameters: conv1.trainableVariables.reduce((a, v) => a + v.size, 0),
      },
      { name: 'lif0 + maxpool', kind: 'LIFCell', outputShape: [-1, 20, s1, s1], parameters: 0 },
      {
        name: 'conv2 (×10)',
        kind: 'Conv2d 5×5',
        outputShape: [-1, 50, s2 * 2, s2 * 2],
        parameters: conv2.trainableVariables.reduce((a, v) => a + v.size, 0),
      },
      { name: 'lif1 + maxpool', kind: 'LIFCell', outputShape: [-1, 50, s2, s2], parameters: 0 },
      {
        name: 'fc1',
        kind: 'Linear',
        outputShape: [-1, 500],
        parameters: fc1.trainableVariables.reduce((a, v) => a + v.size, 0),
      },
      { name: 'lif2 + relu', kind: 'LIFCell', outputShape: [-1, 500], parameters: 0 },
      {
        name: 'out',
        kind: 'LILinearCell',
        outputShape: [-1, cfg.outputFeatures],
        parameters: out.weights.size,
      },
    ],
    forward(input: tf.Tensor, opts: ForwardOptions = {}): NetworkResult {
      if (input.rank !== 5)
        throw new Error(`convSNN: input must be [T, B, C, H, W], got [${input.shape.join(', ')}].`);
      const T = input.shape[0]!;
      if (!opts.record && (options.fused ?? true) && canFuseLIF(p) && canFuseLI(readoutParams)) {
        const B = input.shape[1]!;
        const chunk = options.chunkSize ?? 16;
        if (B <= chunk) return sequenceForward(input);
        // Chunks of the batch, each over the whole sequence, joined along the batch axis.
        return tidy(() => {
          // Sliced as [T, B, features]: tfjs-wasm slices rank-5 tensors element by element.
          const [, , ...frame] = input.shape;
          const flat = tf.reshape(input, [T, B, -1]);
          const parts: NetworkResult[] = [];
          for (let from = 0; from < B; from += chunk) {
            const size = Math.min(chunk, B - from);
            parts.push(
              sequenceForward(tf.reshape(tf.slice(flat, [0, from, 0], [T, size, -1]), [T, size, ...frame])),
            );
          }
          const join = (ts: tf.Tensor[]) => tf.concat(ts, 1);
          return {
            output: join(parts.map((r) => r.output)),
            spikes: parts[0]!.spikes.map((_, k) => join(parts.map((r) => r.spikes[k]!))),
          };
        });
      }
      return tidy(() => {
        const xs = tf.unstack(tf.transpose(input, [0, 1, 3, 4, 2]));
        let st: readonly unknown[] = [undefined, undefined, undefined, undefined];
        const outputs: tf.Tensor[] = [];
        const hidden: tf.Tensor[][] = [[], [], []];
        const history: (readonly unknown[])[] = [];
        for (let t = 0; t < T; t++) {
          const [v, next, zs] = tidy(() => {
            const [z0, a] = lif0.step(conv1.apply(xs[t]!, cl), st[0] as never);
            const p0 = pool.apply(z0, cl);
            const [z1, b] = lif1.step(tf.mul(conv2.apply(p0, cl), 10), st[1] as never);
            const p1 = pool.apply(z1, cl);
            const [z2, c] = lif2.step(fc1.apply(tf.reshape(p1, [p1.shape[0]!, flat])), st[2] as never);
            const [vOut, d] = out.step(tf.relu(z2), st[3] as LIState | undefined);
            return [vOut, [a, b, c, d], [z0, z1, z2]] as const;
          });
          if (opts.record) history.push(next);
          else disposeState(st);
          st = next;
          outputs.push(v);
          zs.forEach((z, k) => {
            hidden[k]!.push(z);
          });
        }
        const recorded = opts.record
          ? (Object.fromEntries(
              ['lif0', 'lif1', 'lif2', 'readout'].map((name, k) => [
                name,
                stackStates(history.map((h) => h[k])) as Record<string, tf.Tensor>,
              ]),
            ) as RecordedStates)
          : undefined;
        const result = { output: tf.stack(outputs), spikes: hidden.map((h) => tf.stack(h)) };
        return recorded ? { ...result, recorded } : result;
      });
    },
    dispose() {
      for (const l of [conv1, conv2, fc1, out]) l.dispose();
    },
  };
}

/**
 * A network from your own composition of layers and cells (`sequential(...)` from @snn/neurons),
 * run over time. Its last layer's output is the readout `[T, B, classes]`.
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
        parameters: typeof l === 'function' ? 0 : l.trainableVariables.reduce((a, v) => a + v.size, 0),
      })),
    forward(input, opts = {}) {
      return tidy(() => {
        const [output, , states] = runCell(seq, input, undefined, {
          recordStates: opts.record ?? false,
          training: opts.training ?? false,
        });
        const recorded = opts.record
          ? (Object.fromEntries(
              (states as unknown[]).flatMap((s, k) =>
                s === undefined ? [] : [[`${k}`, s as Record<string, tf.Tensor>]],
              ),
            ) as RecordedStates)
          : undefined;
        return recorded ? { output, spikes: [], recorded } : { output, spikes: [] };
      });
    },
    dispose: () => seq.dispose(),
  };
}
