import { firstMaxPool2d, type Random } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { conv2dValid } from './conv.js';
import { maxPool2d } from './fused.js';
import { type InitOptions, initRng, uniformVariable } from './init.js';
import type { CallOptions, Layer } from './module.js';
import { linear } from './ops.js';

abstract class BaseLayer implements Layer {
  readonly kind = 'layer' as const;
  protected disposed = false;
  constructor(readonly name: string) {}
  abstract get trainableVariables(): readonly tf.Variable[];
  abstract apply(input: tf.Tensor, options?: CallOptions): tf.Tensor;
  protected checkAlive(): void {
    if (this.disposed) throw new Error(`${this.name} was disposed; create a new layer.`);
  }
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.trainableVariables) v.dispose();
  }
}

/** Options of {@link Linear}. */
export interface LinearOptions extends InitOptions {
  /** Add a bias. Default `true` (PyTorch's default). */
  readonly bias?: boolean;
}

/**
 * A fully connected layer `y = x @ W^T + b` with weights `[out, in]` (PyTorch layout) and PyTorch's
 * default initialisation `U(-1/sqrt(in), 1/sqrt(in))` for weights and bias. Applies to the last
 * dimension, so it works on `[B, in]` and on whole sequences `[T, B, in]`.
 */
export class Linear extends BaseLayer {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | undefined;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super('Linear');
    checkPositive('Linear', { inFeatures, outFeatures });
    const rng = initRng(options);
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = uniformVariable([outFeatures, inFeatures], bound, rng, 'linear.weight');
    this.bias =
      (options.bias ?? true) ? uniformVariable([outFeatures], bound, rng, 'linear.bias') : undefined;
  }

  get trainableVariables(): readonly tf.Variable[] {
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }

  apply(input: tf.Tensor): tf.Tensor {
    this.checkAlive();
    const n = input.shape[input.shape.length - 1];
    if (n !== this.inFeatures) {
      throw new Error(
        `Linear(${this.inFeatures} → ${this.outFeatures}): input has ${n} features in its last dimension.`,
      );
    }
    return tf.tidy(() => {
      const flat = input.rank === 2 ? input : tf.reshape(input, [-1, this.inFeatures]);
      let y = linear(flat, this.weight);
      if (this.bias) y = tf.add(y, this.bias);
      return input.rank === 2 ? y : tf.reshape(y, [...input.shape.slice(0, -1), this.outFeatures]);
    });
  }
}

/** Options of {@link Conv2d}. */
export interface Conv2dOptions extends InitOptions {
  /** Stride. Default 1. */
  readonly stride?: number;
  /** Zero padding on each side (PyTorch's integer padding), or `'same'`. Default 0. */
  readonly padding?: number | 'same';
  /** Add a bias. Default `true`. */
  readonly bias?: boolean;
}

/**
 * A 2-D convolution on `[B, C, H, W]` (PyTorch's layout, as the tutorial's images), with PyTorch's
 * default initialisation `U(-1/sqrt(fanIn), 1/sqrt(fanIn))`, `fanIn = inChannels·k·k`. The kernel is
 * stored as tfjs wants it, `[k, k, in, out]`. Also accepts `[B, H, W, C]` with `channelsLast: true`.
 */
export class Conv2d extends BaseLayer {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | undefined;
  readonly stride: number;
  readonly padding: number | 'same';

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    options: Conv2dOptions = {},
  ) {
    super('Conv2d');
    checkPositive('Conv2d', { inChannels, outChannels, kernelSize });
    this.stride = options.stride ?? 1;
    this.padding = options.padding ?? 0;
    const rng = initRng(options);
    const bound = 1 / Math.sqrt(inChannels * kernelSize * kernelSize);
    this.weight = uniformVariable(
      [kernelSize, kernelSize, inChannels, outChannels],
      bound,
      rng,
      'conv.weight',
    );
    this.bias = (options.bias ?? true) ? uniformVariable([outChannels], bound, rng, 'conv.bias') : undefined;
  }

  get trainableVariables(): readonly tf.Variable[] {
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }

  /** Convolves `[B, C, H, W]` (default) or `[B, H, W, C]` (`channelsLast`). */
  apply(input: tf.Tensor, options: CallOptions & { channelsLast?: boolean } = {}): tf.Tensor {
    this.checkAlive();
    if (input.rank !== 4)
      throw new Error(`Conv2d: input must be 4-D [B, C, H, W], got [${input.shape.join(', ')}].`);
    const channelsLast = options.channelsLast ?? false;
    const c = channelsLast ? input.shape[3] : input.shape[1];
    if (c !== this.inChannels) {
      throw new Error(`Conv2d(${this.inChannels} → ${this.outChannels}): input has ${c} channels.`);
    }
    return tf.tidy(() => {
      let x = (channelsLast ? input : tf.transpose(input, [0, 2, 3, 1])) as tf.Tensor4D;
      if (this.padding === 'same') {
        // 'same' for odd kernels at stride 1: k//2 zeros on each side.
        const p = Math.floor(this.kernelSize / 2);
        x = tf.pad(x, [
          [0, 0],
          [p, this.kernelSize - 1 - p],
          [p, this.kernelSize - 1 - p],
          [0, 0],
        ]);
      } else if (this.padding > 0) {
        const p = this.padding;
        x = tf.pad(x, [
          [0, 0],
          [p, p],
          [p, p],
          [0, 0],
        ]);
      }
      let y: tf.Tensor4D = conv2dValid(x, this.weight as tf.Tensor4D, this.stride);
      if (this.bias) y = tf.add(y, this.bias);
      return channelsLast ? y : tf.transpose(y, [0, 3, 1, 2]);
    });
  }
}

type PoolKind = 'max' | 'avg' | 'sum';

class Pool2d extends BaseLayer {
  readonly trainableVariables: readonly tf.Variable[] = [];
  readonly stride: number;
  constructor(
    name: string,
    private readonly kind_: PoolKind,
    readonly kernelSize: number,
    stride?: number,
  ) {
    super(name);
    checkPositive(name, { kernelSize });
    this.stride = stride ?? kernelSize;
  }

  apply(input: tf.Tensor, options: CallOptions & { channelsLast?: boolean } = {}): tf.Tensor {
    if (input.rank !== 4)
      throw new Error(`${this.name}: input must be 4-D [B, C, H, W], got [${input.shape.join(', ')}].`);
    const channelsLast = options.channelsLast ?? false;
    return tf.tidy(() => {
      const x = (channelsLast ? input : tf.transpose(input, [0, 2, 3, 1])) as tf.Tensor4D;
      const k = this.kernelSize;
      // The gradient to each window's first maximum on every backend, as PyTorch's.
      let y: tf.Tensor4D =
        this.kind_ === 'max'
          ? this.stride === k
            ? maxPool2d(x, k)
            : firstMaxPool2d(x, k, this.stride)
          : tf.avgPool(x, k, this.stride, 'valid');
      if (this.kind_ === 'sum') y = tf.mul(y, k * k);
      return channelsLast ? y : tf.transpose(y, [0, 3, 1, 2]);
    });
  }
}

/** Max pooling over `k×k` windows (stride `k` by default), on `[B, C, H, W]`. */
export class MaxPool2d extends Pool2d {
  constructor(kernelSize: number, stride?: number) {
    super('MaxPool2d', 'max', kernelSize, stride);
  }
}

/** Average pooling over `k×k` windows, on `[B, C, H, W]`. */
export class AvgPool2d extends Pool2d {
  constructor(kernelSize: number, stride?: number) {
    super('AvgPool2d', 'avg', kernelSize, stride);
  }
}

/** Sum pooling over `k×k` windows (Norse's `SumPool2d` / LPPool with p = 1), on `[B, C, H, W]`. */
export class SumPool2d extends Pool2d {
  constructor(kernelSize: number, stride?: number) {
    super('SumPool2d', 'sum', kernelSize, stride);
  }
}

/** Flattens every dimension from `startDim` (default 1) on, as `torch.nn.Flatten`. */
export class Flatten extends BaseLayer {
  readonly trainableVariables: readonly tf.Variable[] = [];
  constructor(readonly startDim = 1) {
    super('Flatten');
  }
  apply(input: tf.Tensor): tf.Tensor {
    const keep = input.shape.slice(0, this.startDim);
    return tf.reshape(input, [...keep, -1]);
  }
}

/**
 * Inverted dropout: in training, zeroes each element with probability `p` and scales the rest by
 * `1/(1-p)`; the identity otherwise. Draws from its own seeded generator.
 */
export class Dropout extends BaseLayer {
  readonly trainableVariables: readonly tf.Variable[] = [];
  private readonly rng: Random;
  constructor(
    readonly p = 0.5,
    options: InitOptions = {},
  ) {
    super('Dropout');
    if (!(p >= 0 && p < 1)) throw new RangeError(`Dropout: p must be in [0, 1), got ${p}.`);
    this.rng = initRng(options);
  }
  apply(input: tf.Tensor, options: CallOptions = {}): tf.Tensor {
    if (!options.training || this.p === 0) return tf.clone(input);
    return tf.tidy(() => {
      const u = this.rng.uniform(input.shape);
      const keep = tf.cast(tf.greaterEqual(u, this.p), 'float32');
      return tf.mul(input, tf.mul(keep, 1 / (1 - this.p)));
    });
  }
}

function checkPositive(where: string, values: Record<string, number>): void {
  for (const [k, n] of Object.entries(values)) {
    if (!(Number.isInteger(n) && n > 0))
      throw new RangeError(`${where}: ${k} must be a positive integer, got ${n}.`);
  }
}
