import { disposeState, type StepResult, tidy } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { KERNELS, runKernelN } from '../kernels/names.js';
import { kernelHere } from '../kernels/register.js';
import { runSequence } from '../lift.js';
import {
  DEFAULT_LIF_PARAMS,
  type LIFParams,
  type LIFState,
  lifInitialState,
  lifStep,
} from '../models/lif.js';
import { asFloat32, kernelPlace, lifConstants } from './fusion.js';
import { view } from './view.js';

function checkSequence(where: string, currents: tf.Tensor, timeSteps: number): void {
  if (currents.rank < 2)
    throw new Error(`${where}: currents must be time-first [T, ...], got [${currents.shape.join(', ')}].`);
  if (!Number.isInteger(timeSteps) || timeSteps < 1 || currents.shape[0]! % timeSteps !== 0) {
    throw new Error(
      `${where}: timeSteps must divide the leading axis ${currents.shape[0]} (time-major T·B), got ${timeSteps}.`,
    );
  }
}

/** The shape of one step's state: `[...]` for `currents [T, ...]`, `[B, ...]` for time-major `[T·B, ...]`. */
function stepShape(currents: tf.Tensor, T: number): number[] {
  const rest = currents.shape.slice(1);
  return currents.shape[0] === T ? rest : [currents.shape[0]! / T, ...rest];
}

/**
 * Norse's feed-forward LIF (`lifStep`, the `LIFCell`) over a whole sequence (Norse's
 * `lif_feed_forward_integral`): the spikes `[T, ...]` driven by `currents [T, ...]` from `state`
 * (default the initial state, `v = vLeak`, `i = 0`), and the final state. One kernel on `cpu`/`wasm`
 * (numeric parameters, a surrogate with a scalar form), stepping through the SIMD step with the
 * reference's float32 order and a BPTT gradient that also reaches the initial state; the
 * composition of `lifStep` elsewhere, with the same values and gradients.
 *
 * @param timeSteps - give it when `currents` is `[T·B, ...]` (time-major) rather than `[T, ...]`,
 *   e.g. the output of a convolution over every frame, so no reshape copies it.
 * @returns `[spikes (shaped as currents), finalState]`
 */
export function lifIntegral(
  currents: tf.Tensor,
  state?: LIFState,
  params: LIFParams = DEFAULT_LIF_PARAMS,
  dt = 1e-3,
  timeSteps = currents.shape[0]!,
): StepResult<LIFState> {
  checkSequence('lifIntegral', currents, timeSteps);
  const shape = stepShape(currents, timeSteps);
  if (state && !(tf.util.arraysEqual(state.v.shape, shape) && tf.util.arraysEqual(state.i.shape, shape))) {
    throw new Error(
      `lifIntegral: the state must be [${shape.join(', ')}] (one step of the currents), got v [${state.v.shape.join(', ')}], i [${state.i.shape.join(', ')}].`,
    );
  }
  const place = kernelPlace();
  const c = place && kernelHere(KERNELS.lifSequence) ? lifConstants(params, dt, place) : undefined;
  return tidy(() => {
    const initial = state ?? lifInitialState(shape, params);
    if (!c) {
      const [z, final] = runSequence(
        (x, s: LIFState) => lifStep(x, s, params, dt),
        view(currents, [timeSteps, ...shape]),
        initial,
      );
      return [view(z, currents.shape), final] as const;
    }
    const [z, v, i] = runKernelN(
      KERNELS.lifSequence,
      { currents: asFloat32(currents), v0: asFloat32(initial.v), i0: asFloat32(initial.i) },
      { ...c, T: timeSteps, stash: {} },
    );
    return [z!, { v: v!, i: i! }] as const;
  });
}

/**
 * The spikes of {@link lifIntegral} from the initial state (`v = vLeak`, `i = 0`): Norse's
 * feed-forward LIF over a whole sequence. Lets feed-forward spiking layers run over the sequence at
 * once (convolutions and products of all `T · B` samples in one call, as the conv net does).
 */
export function lifSequence(
  currents: tf.Tensor,
  params: LIFParams = DEFAULT_LIF_PARAMS,
  dt = 1e-3,
  timeSteps = currents.shape[0]!,
): tf.Tensor {
  const [z, final] = lifIntegral(currents, undefined, params, dt, timeSteps);
  disposeState(final);
  return z;
}

/**
 * Whether {@link lifIntegral} runs as one kernel here for these parameters (numeric parameters, a
 * surrogate with the backend's form, a backend with our kernels); it works everywhere regardless.
 */
export function canFuseLIF(params: LIFParams = DEFAULT_LIF_PARAMS): boolean {
  const place = kernelPlace();
  return (
    place !== undefined && kernelHere(KERNELS.lifSequence) && lifConstants(params, 1e-3, place) !== undefined
  );
}
