import type { Owner } from '@snn/neurons';
import type * as tf from '@tensorflow/tfjs-core';

/** Options of a network's forward pass. */
export interface ForwardOptions {
  /** Training mode (dropout and the like). Default `false`. */
  readonly training?: boolean;
  /** Also return every hidden and readout state over time (the tutorial's `record=True`). */
  readonly record?: boolean;
}

/** States over time, by layer name, each field stacked `[T, B, ...]`. */
export type RecordedStates = Readonly<Record<string, Readonly<Record<string, tf.Tensor>>>>;

/** What a network returns for a sequence of inputs. */
export interface NetworkResult {
  /** The readout over time, `[T, B, classes]`. */
  readonly output: tf.Tensor;
  /** Spike tensors of the hidden layers `[T, B, ...]` (for rate regularisation and spike losses). */
  readonly spikes: readonly tf.Tensor[];
  /** Every state over time, when `record` was asked for. */
  readonly recorded?: RecordedStates;
}

/** One line of a model summary. */
export interface LayerSummary {
  readonly name: string;
  readonly kind: string;
  /** Output shape of one time step, `-1` for the batch. */
  readonly outputShape: readonly number[];
  readonly parameters: number;
}

/** A spiking network over time: `[T, B, ...] → [T, B, classes]`. */
export interface Network extends Owner {
  /** Everything needed to rebuild it (saved in checkpoints). */
  readonly config: Readonly<Record<string, unknown>>;
  forward(input: tf.Tensor, options?: ForwardOptions): NetworkResult;
  /** Its Variables under stable names (checkpoint keys). */
  namedVariables(): Readonly<Record<string, tf.Variable>>;
  /** Its layers, for `summary()`. */
  layers(): readonly LayerSummary[];
}
