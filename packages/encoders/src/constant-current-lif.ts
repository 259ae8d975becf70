import { checkDt, tidy } from '@snn/core';
import { DEFAULT_LIF_PARAMS, type LIFParams, lifCurrentEncoderSequence } from '@snn/neurons';
import type * as tf from '@tensorflow/tfjs-core';
import { checkSeqLength, type Encoder } from './encoder.js';
import { firstSpikes } from './first-spike.js';

/**
 * Encodes values as the spike trains of LIF neurons driven by them as constant currents (Norse
 * `constant_current_lif_encode`): `v` starts at **0** (not `vLeak`), then `seqLength` steps of
 * `lifCurrentEncoderStep` (from `@snn/neurons`) with `x` as the current. Larger values spike earlier and more often.
 * Differentiable through the surrogate of `params.method`.
 *
 * @returns spikes `[seqLength, ...x.shape]`
 */
export function constantCurrentLIFEncode(
  x: tf.Tensor,
  seqLength: number,
  params: LIFParams = DEFAULT_LIF_PARAMS,
  dt = 1e-3,
): tf.Tensor {
  checkSeqLength('constantCurrentLIFEncode', seqLength);
  checkDt(dt, 'constantCurrentLIFEncode');
  // One kernel where ours run (each distinct value simulated once), else the step composition.
  return lifCurrentEncoderSequence(x, seqLength, params, dt);
}

/**
 * Like {@link constantCurrentLIFEncode}, keeping only each element's first spike (Norse
 * `spike_latency_lif_encode`): larger values spike earlier, every element at most once.
 */
export function spikeLatencyLIFEncode(
  x: tf.Tensor,
  seqLength: number,
  params: LIFParams = DEFAULT_LIF_PARAMS,
  dt = 1e-3,
): tf.Tensor {
  return tidy(() => spikeLatencyEncode(constantCurrentLIFEncode(x, seqLength, params, dt)));
}

/**
 * Keeps only the first spike along time (axis 0) of a spike tensor `[T, ...]` (Norse
 * `spike_latency_encode`): `out[t] = z[t]` where no earlier step spiked, else 0. Exactly, for any
 * values: `z[t]` passes while the sum of the values passed before it is not positive (so `-1`
 * spikes do not block). The gradient is `dy` where a value was free to pass, 0 elsewhere.
 */
export function spikeLatencyEncode(spikes: tf.Tensor): tf.Tensor {
  if (spikes.rank < 1)
    throw new Error('spikeLatencyEncode: spikes must be [T, ...] with time first, got a scalar.');
  return firstSpikes(spikes);
}

/** The tutorial's encoder (Norse `ConstantCurrentLIFEncoder`). */
export class ConstantCurrentLIFEncoder implements Encoder {
  readonly name = 'ConstantCurrentLIFEncoder';
  constructor(
    readonly seqLength: number,
    readonly params: LIFParams = DEFAULT_LIF_PARAMS,
    readonly dt = 1e-3,
  ) {
    checkSeqLength(this.name, seqLength);
  }
  encode(x: tf.Tensor): tf.Tensor {
    return constantCurrentLIFEncode(x, this.seqLength, this.params, this.dt);
  }
}

/** First spikes of constant-current LIF neurons (Norse `SpikeLatencyLIFEncoder`). */
export class SpikeLatencyLIFEncoder implements Encoder {
  readonly name = 'SpikeLatencyLIFEncoder';
  constructor(
    readonly seqLength: number,
    readonly params: LIFParams = DEFAULT_LIF_PARAMS,
    readonly dt = 1e-3,
  ) {
    checkSeqLength(this.name, seqLength);
  }
  encode(x: tf.Tensor): tf.Tensor {
    return spikeLatencyLIFEncode(x, this.seqLength, this.params, this.dt);
  }
}

/** First spike of an existing spike train `[T, ...]` (Norse `SpikeLatencyEncoder`). */
export class SpikeLatencyEncoder implements Encoder {
  readonly name = 'SpikeLatencyEncoder';
  encode(spikes: tf.Tensor): tf.Tensor {
    return spikeLatencyEncode(spikes);
  }
}
