import { checkDt, tidy } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { KERNELS, runKernel1 } from '../kernels/names.js';
import { kernelHere } from '../kernels/register.js';
import { DEFAULT_LIF_PARAMS, type LIFParams, lifCurrentEncoderStep } from '../models/lif.js';
import { asFloat32, kernelPlace, lifConstants } from './fusion.js';

/**
 * `seqLength` steps of Norse's LIF current encoder (`lifCurrentEncoderStep` from `v = 0`, the input
 * a constant current): the spikes `[seqLength, ...x.shape]`. One kernel where ours run (inputs with
 * equal values have equal spike trains, so each distinct value is simulated once: an image has at
 * most 256), with its BPTT gradient (reset not detached, as Norse); the composition of the step
 * elsewhere, with identical spikes and gradients.
 */
export function lifCurrentEncoderSequence(
  x: tf.Tensor,
  seqLength: number,
  params: LIFParams = DEFAULT_LIF_PARAMS,
  dt = 1e-3,
): tf.Tensor {
  if (!Number.isInteger(seqLength) || seqLength < 1)
    throw new RangeError(
      `lifCurrentEncoderSequence: seqLength must be a positive integer, got ${seqLength}.`,
    );
  checkDt(dt, 'lifCurrentEncoderSequence');
  const place = kernelPlace();
  const c = place && kernelHere(KERNELS.lifCurrentEncoder) ? lifConstants(params, dt, place) : undefined;
  return tidy(() => {
    if (c) return runKernel1(KERNELS.lifCurrentEncoder, { x: asFloat32(x) }, { ...c, T: seqLength });
    let v = tf.zerosLike(x);
    const spikes: tf.Tensor[] = [];
    for (let t = 0; t < seqLength; t++) {
      const [z, next] = lifCurrentEncoderStep(x, v, params, dt);
      spikes.push(z);
      v = next;
    }
    return tf.stack(spikes);
  });
}

/** Whether {@link lifCurrentEncoderSequence} runs as one kernel here; it works everywhere regardless. */
export function canFuseLIFEncoder(params: LIFParams = DEFAULT_LIF_PARAMS): boolean {
  const place = kernelPlace();
  return (
    place !== undefined &&
    kernelHere(KERNELS.lifCurrentEncoder) &&
    lifConstants(params, 1e-3, place) !== undefined
  );
}
