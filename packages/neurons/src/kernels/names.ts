import type { Surrogate } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import type { StepProgram } from './gpu/step-program.js';
import type { WGSLProgram } from './gpu/wgsl.js';
import type { Events, Stash } from './side-channels.js';

/**
 * Every kernel of `@snn/neurons`, by name: the ops in `ops/` run them through `runKernel`;
 * `kernels/host/` implements them for `cpu` and `wasm`, `kernels/gpu/` for `webgl` and `webgpu`,
 * and `kernels/gradients/` holds one gradient config per forward kernel (as tfjs-core's
 * `kernel_names.ts`, `kernels/` and `gradients/`).
 */
export const KERNELS = Object.freeze({
  spikeLinear: 'SnnSpikeLinear',
  spikeLinearWeightGrad: 'SnnSpikeLinearWeightGrad',
  lifSequence: 'SnnLIFSequence',
  lifSequenceGrad: 'SnnLIFSequenceGrad',
  lifRecurrentSequence: 'SnnLIFRecurrentSequence',
  lifRecurrentSequenceGrad: 'SnnLIFRecurrentSequenceGrad',
  liSequence: 'SnnLISequence',
  liSequenceGrad: 'SnnLISequenceGrad',
  lifCurrentEncoder: 'SnnLIFCurrentEncoder',
  lifCurrentEncoderGrad: 'SnnLIFCurrentEncoderGrad',
  spikeConv2d: 'SnnSpikeConv2d',
  spikeConv2dFilterGrad: 'SnnSpikeConv2dFilterGrad',
  maxPool: 'SnnMaxPool',
  maxPoolGrad: 'SnnMaxPoolGrad',
  biasAdd: 'SnnBiasAdd',
  biasGrad: 'SnnBiasGrad',
  conv2dValid: 'SnnConv2DValid',
  spikeDensity: 'SnnSpikeDensity',
  view: 'SnnView',
  linear: 'SnnLinear',
  gpuStep: 'SnnGpuStep',
  wgsl: 'SnnWGSL',
} as const);

/** The name of one of our kernels. */
export type KernelName = (typeof KERNELS)[keyof typeof KERNELS];

/**
 * LIF constants as every kernel uses them: each product rounded to float32 as torch rounds
 * `dt * param`, so the kernels compute what the step composition computes.
 */
export interface LIFConstants {
  /** `dt * tauMemInv` */
  readonly A: number;
  /** `-(dt * tauSynInv)` */
  readonly C: number;
  readonly vL: number;
  readonly vTh: number;
  readonly vR: number;
  /** The spike's surrogate, with a scalar (and, on GPUs, a shader) form. */
  readonly surrogate: Surrogate;
  readonly alpha: number;
}

/** Leaky-integrator constants (float32, as {@link LIFConstants}). */
export interface LIConstants {
  /** `dt * tauMemInv` */
  readonly A: number;
  /** `dt * tauSynInv` */
  readonly S: number;
  readonly vL: number;
}

/** What the LIF sequence kernels keep for their gradient (see `side-channels.ts`). */
export interface LIFForward {
  /** Spikes and decayed voltages of every step, `[T · N]`. */
  readonly z: Float32Array;
  readonly d: Float32Array;
  /** The spikes as events, with the count of each step (recurrent kernel on the SIMD path). */
  readonly events?: Events & { readonly counts: Int32Array };
}

/** Attributes of each kernel, by name: what `runKernel` passes and what its implementations read. */
export interface KernelAttrs {
  [KERNELS.spikeLinear]: {
    /** `[...leading, out]` */
    readonly outShape: readonly number[];
    readonly xShape: readonly number[];
    /** `x`'s data, to find its events when one of our kernels produced it. */
    readonly xDataId: object;
    readonly stash: Stash<Events>;
  };
  [KERNELS.spikeLinearWeightGrad]: KernelAttrs[typeof KERNELS.spikeLinear] & {
    readonly wShape: readonly [number, number];
  };
  [KERNELS.lifSequence]: LIFConstants & { readonly T: number; readonly stash: Stash<LIFForward> };
  [KERNELS.lifSequenceGrad]: KernelAttrs[typeof KERNELS.lifSequence];
  [KERNELS.lifRecurrentSequence]: LIFConstants & { readonly stash: Stash<LIFForward> };
  [KERNELS.lifRecurrentSequenceGrad]: KernelAttrs[typeof KERNELS.lifRecurrentSequence];
  [KERNELS.liSequence]: LIConstants & { readonly T: number };
  [KERNELS.liSequenceGrad]: LIConstants & { readonly T: number };
  [KERNELS.lifCurrentEncoder]: LIFConstants & { readonly T: number };
  [KERNELS.lifCurrentEncoderGrad]: LIFConstants & { readonly T: number };
  [KERNELS.spikeConv2d]: {
    readonly xShape: readonly number[];
    readonly xDataId: object;
    readonly stash: Stash<Events>;
  };
  [KERNELS.spikeConv2dFilterGrad]: KernelAttrs[typeof KERNELS.spikeConv2d] & {
    readonly wShape: readonly number[];
  };
  [KERNELS.maxPool]: {
    /** `k × k` windows, stride `k`, channels-last. */
    readonly k: number;
    readonly xShape: readonly number[];
    /** The window position (row-major) of each output's maximum, where its gradient goes. */
    readonly stash: Stash<Int32Array>;
  };
  [KERNELS.maxPoolGrad]: KernelAttrs[typeof KERNELS.maxPool];
  [KERNELS.biasAdd]: Record<string, never>;
  [KERNELS.biasGrad]: Record<string, never>;
  [KERNELS.conv2dValid]: { readonly stride: number };
  [KERNELS.linear]: Record<string, never>;
  [KERNELS.gpuStep]: {
    readonly program: StepProgram;
    /** The step (read by `atStep` inputs). */
    readonly t: number;
    /** The number of neurons. */
    readonly N: number;
  };
  [KERNELS.wgsl]: {
    /** A whole-sequence WGSL program (webgpu only): its source, inputs and launch shape. */
    readonly program: WGSLProgram;
  };
  [KERNELS.view]: {
    /** The new shape (no `-1`). */
    readonly shape: readonly number[];
    /** The input's shape, for the gradient. */
    readonly inShape: readonly number[];
  };
  [KERNELS.spikeDensity]: {
    /** `x`'s data: its events are remembered for the event-driven kernels that read `x` next. */
    readonly xDataId: object;
  };
}

/**
 * Runs one of our kernels on the active backend, with its attributes typed by {@link KernelAttrs}.
 * (tfjs types attributes as serialisable values; ours also carry stashes and surrogates, which tfjs
 * hands through unchanged, so this is the one place that says so.)
 */
export function runKernel<K extends KernelName>(
  name: K,
  inputs: tf.NamedTensorMap,
  attrs: KernelAttrs[K],
): tf.Tensor | tf.Tensor[] {
  return tf.engine().runKernel(name, inputs, attrs as unknown as tf.NamedAttrMap);
}

/** {@link runKernel}'s first output (the GPU kernels may add outputs kept for their gradient). */
export function runKernel1<K extends KernelName>(
  name: K,
  inputs: tf.NamedTensorMap,
  attrs: KernelAttrs[K],
): tf.Tensor {
  const out = runKernel(name, inputs, attrs);
  if (!Array.isArray(out)) return out;
  tf.dispose(out.slice(1));
  return out[0]!;
}

/** {@link runKernel}'s outputs, always as a list. */
export function runKernelN<K extends KernelName>(
  name: K,
  inputs: tf.NamedTensorMap,
  attrs: KernelAttrs[K],
): tf.Tensor[] {
  const out = runKernel(name, inputs, attrs);
  return Array.isArray(out) ? out : [out];
}

/** A gradient function's attributes, as the forward kernel `K` was given them. */
export function attrsOf<K extends KernelName>(_name: K, attrs: tf.NamedAttrMap): KernelAttrs[K] {
  return attrs as unknown as KernelAttrs[K];
}
