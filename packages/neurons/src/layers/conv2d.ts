import { tidy } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { type InitOptions, initRng, uniformVariable } from '../init.js';
import { addBias } from '../ops/add-bias.js';
import { conv2dValid } from '../ops/conv2d-valid.js';
import { spikeConv2d } from '../ops/spike-conv2d.js';
import { preferEvents } from '../ops/spike-density.js';
import { view } from '../ops/view.js';
import { BaseLayer, checkPositive, type ImageCallOptions } from './base.js';
import { framewise } from './frames.js';

/** Options of {@link Conv2d}. */
export interface Conv2dOptions extends InitOptions {
  /** Stride. Default 1. */
  readonly stride?: number;
  /** Zero padding on each side (PyTorch's integer padding), or `'same'`. Default 0. */
  readonly padding?: number | 'same';
  /** Add a bias. Default `true`. */
  readonly bias?: boolean;
  /**
   * Inputs and outputs channels-last `[..., H, W, C]` (tfjs's layout, the fastest: no transposes)
   * instead of PyTorch's `[..., C, H, W]`. Default `false`.
   */
  readonly channelsLast?: boolean;
}

/**
 * A 2-D convolution on `[B, C, H, W]` (PyTorch's layout, as the tutorial's images), with PyTorch's
 * default initialisation `U(-1/sqrt(fanIn), 1/sqrt(fanIn))`, `fanIn = inChannels·k·k`. The kernel is
 * stored as tfjs wants it, `[k, k, in, out]`. Also accepts channels-last inputs (`channelsLast`), and
 * whole sequences `[T, B, ...]` (every frame at once). At stride 1 it is event-driven where our
 * kernels run and its input is sparse (spikes: each spike adds its kernel patch, forward and in the
 * filter gradient), the backend's convolution otherwise; the same values either way.
 */
export class Conv2d extends BaseLayer {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | undefined;
  readonly stride: number;
  readonly padding: number | 'same';
  readonly channelsLast: boolean;

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
    this.channelsLast = options.channelsLast ?? false;
    checkPositive('Conv2d', { stride: this.stride });
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

  /** Convolves `[B, C, H, W]` (or `[B, H, W, C]` channels-last), or a sequence of them `[T, B, ...]`. */
  apply(input: tf.Tensor, options: ImageCallOptions = {}): tf.Tensor {
    this.checkAlive();
    const channelsLast = options.channelsLast ?? this.channelsLast;
    return framewise(this.name, input, (frames) => {
      const c = channelsLast ? frames.shape[3] : frames.shape[1];
      if (c !== this.inChannels) {
        throw new Error(`Conv2d(${this.inChannels} → ${this.outChannels}): input has ${c} channels.`);
      }
      return tidy(() => {
        // One channel: [F, 1, H, W] and [F, H, W, 1] are the same memory, a view, not a transpose.
        let x = (
          channelsLast
            ? frames
            : c === 1
              ? view(frames, [frames.shape[0], frames.shape[2], frames.shape[3], 1])
              : tf.transpose(frames, [0, 2, 3, 1])
        ) as tf.Tensor4D;
        const k = this.kernelSize;
        const p = this.padding === 'same' ? Math.floor(k / 2) : this.padding;
        // 'same' for odd kernels at stride 1: k//2 zeros on each side.
        const after = this.padding === 'same' ? k - 1 - p : p;
        if (p > 0 || after > 0)
          x = tf.pad(x, [
            [0, 0],
            [p, after],
            [p, after],
            [0, 0],
          ]);
        const w = this.weight as tf.Tensor4D;
        let y: tf.Tensor4D =
          this.stride === 1 && preferEvents(x) ? spikeConv2d(x, w) : conv2dValid(x, w, this.stride);
        if (this.bias) y = addBias(y, this.bias) as tf.Tensor4D;
        return channelsLast ? y : tf.transpose(y, [0, 3, 1, 2]);
      });
    });
  }
}
