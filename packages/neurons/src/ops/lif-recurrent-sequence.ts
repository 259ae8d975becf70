import { disposeState, type StepResult, tidy } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { KERNELS, runKernelN } from '../kernels/names.js';
import { kernelHere } from '../kernels/register.js';
import { runSequence } from '../lift.js';
import {
  DEFAULT_LIF_PARAMS,
  type LIFParams,
  type LIFRecurrentState,
  lifRecurrentInitialState,
  lifRecurrentUpdate,
} from '../models/lif.js';
import { asFloat32, kernelPlace, lifConstants } from './fusion.js';

/**
 * A whole sequence of Norse's recurrent LIF (`lifRecurrentStep`, the `LIFRecurrentCell`), given its
 * input currents: `currents [T, B, H]` are `x_t @ Win^T` for every step (compute them at once, e.g.
 * with `spikeLinear`), `recurrentWeights [H, H]`, from `state` (default the initial state,
 * `z = 0`, `v = vLeak`, `i = 0`). Returns the spikes `[T, B, H]` and the final state.
 *
 * One kernel on `cpu`/`wasm` (numeric parameters, a surrogate with a scalar form): the recurrent
 * input adds the weight rows of the neurons that fired, every other operation rounded to float32 in
 * the reference's order, with a BPTT gradient (currents, weights and the initial state). The
 * composition of the step elsewhere, with the same values and gradients.
 */
export function lifRecurrentIntegral(
  currents: tf.Tensor,
  recurrentWeights: tf.Tensor,
  state?: LIFRecurrentState,
  params: LIFParams = DEFAULT_LIF_PARAMS,
  dt = 1e-3,
): StepResult<LIFRecurrentState> {
  if (currents.rank !== 3)
    throw new Error(`lifRecurrentIntegral: currents must be [T, B, H], got [${currents.shape.join(', ')}].`);
  const [, B, H] = currents.shape as [number, number, number];
  if (recurrentWeights.rank !== 2 || recurrentWeights.shape[0] !== H || recurrentWeights.shape[1] !== H) {
    throw new Error(
      `lifRecurrentIntegral: recurrentWeights must be [${H}, ${H}], got [${recurrentWeights.shape.join(', ')}].`,
    );
  }
  if (state && ![state.z, state.v, state.i].every((t) => tf.util.arraysEqual(t.shape, [B, H]))) {
    throw new Error(`lifRecurrentIntegral: the state's z, v and i must be [${B}, ${H}].`);
  }
  const place = kernelPlace();
  const c = place && kernelHere(KERNELS.lifRecurrentSequence) ? lifConstants(params, dt, place) : undefined;
  return tidy(() => {
    const initial = state ?? lifRecurrentInitialState([B, H], params);
    if (!c) {
      const [z, final] = runSequence(
        (x, s: LIFRecurrentState) => lifRecurrentUpdate(x, s, recurrentWeights, params, dt),
        currents,
        initial,
      );
      return [z, final] as const;
    }
    const [z, zT, v, i] = runKernelN(
      KERNELS.lifRecurrentSequence,
      {
        currents: asFloat32(currents),
        weights: asFloat32(recurrentWeights),
        z0: asFloat32(initial.z),
        v0: asFloat32(initial.v),
        i0: asFloat32(initial.i),
      },
      { ...c, stash: {} },
    );
    return [z!, { z: zT!, v: v!, i: i! }] as const;
  });
}

/** The spikes of {@link lifRecurrentIntegral} from the initial state. */
export function lifRecurrentSequence(
  currents: tf.Tensor,
  recurrentWeights: tf.Tensor,
  params: LIFParams = DEFAULT_LIF_PARAMS,
  dt = 1e-3,
): tf.Tensor {
  const [z, final] = lifRecurrentIntegral(currents, recurrentWeights, undefined, params, dt);
  disposeState(final);
  return z;
}

/**
 * Whether {@link lifRecurrentIntegral} runs as one kernel here (numeric parameters, a surrogate
 * with the backend's form, a backend with our kernels); it works everywhere regardless.
 */
export function canFuseLIFRecurrent(params: LIFParams = DEFAULT_LIF_PARAMS): boolean {
  const place = kernelPlace();
  return (
    place !== undefined &&
    kernelHere(KERNELS.lifRecurrentSequence) &&
    lifConstants(params, 1e-3, place) !== undefined
  );
}
