import { firstMaxPool2d, tidy } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { maxPool2d } from '../ops/max-pool2d.js';
import { view } from '../ops/view.js';
import { BaseLayer, checkPositive, type ImageCallOptions } from './base.js';
import { framewise } from './frames.js';

type PoolKind = 'max' | 'avg' | 'sum';

/** Options of the pooling layers. */
export interface PoolOptions {
  /** Stride. Default the window size. */
  readonly stride?: number;
  /** Channels-last inputs `[..., H, W, C]` (see `Conv2dOptions.channelsLast`). Default `false`. */
  readonly channelsLast?: boolean;
}

class Pool2d extends BaseLayer {
  readonly trainableVariables: readonly tf.Variable[] = [];
  readonly stride: number;
  readonly channelsLast: boolean;
  constructor(
    name: string,
    private readonly pooling: PoolKind,
    readonly kernelSize: number,
    options: number | PoolOptions = {},
  ) {
    super(name);
    const o = typeof options === 'number' ? { stride: options } : options;
    this.stride = o.stride ?? kernelSize;
    this.channelsLast = o.channelsLast ?? false;
    checkPositive(name, { kernelSize, stride: this.stride });
  }

  apply(input: tf.Tensor, options: ImageCallOptions = {}): tf.Tensor {
    const channelsLast = options.channelsLast ?? this.channelsLast;
    return framewise(this.name, input, (frames) =>
      tidy(() => {
        // Each channel pools on its own, so channels-first frames [F, C, H, W] pool as F·C
        // single-channel images: a view, not the two transposes of a layout change.
        const [f, a, b, c] = frames.shape as [number, number, number, number];
        const x = (channelsLast ? frames : view(frames, [f * a, b, c, 1])) as tf.Tensor4D;
        const k = this.kernelSize;
        // The gradient to each window's first maximum on every backend, as PyTorch's.
        let y: tf.Tensor4D =
          this.pooling === 'max'
            ? this.stride === k
              ? maxPool2d(x, k)
              : firstMaxPool2d(x, k, this.stride)
            : tf.avgPool(x, k, this.stride, 'valid');
        if (this.pooling === 'sum') y = tf.mul(y, k * k);
        return channelsLast ? y : view(y, [f, a, y.shape[1], y.shape[2]]);
      }),
    );
  }
}

/** Max pooling over `k×k` windows (stride `k` by default), on `[B, C, H, W]` (or channels-last, or sequences of them). */
export class MaxPool2d extends Pool2d {
  constructor(kernelSize: number, options?: number | PoolOptions) {
    super('MaxPool2d', 'max', kernelSize, options);
  }
}

/** Average pooling over `k×k` windows, on `[B, C, H, W]` (or channels-last, or sequences of them). */
export class AvgPool2d extends Pool2d {
  constructor(kernelSize: number, options?: number | PoolOptions) {
    super('AvgPool2d', 'avg', kernelSize, options);
  }
}

/** Sum pooling over `k×k` windows (Norse's `SumPool2d` / LPPool with p = 1), on `[B, C, H, W]` (or channels-last, or sequences). */
export class SumPool2d extends Pool2d {
  constructor(kernelSize: number, options?: number | PoolOptions) {
    super('SumPool2d', 'sum', kernelSize, options);
  }
}
