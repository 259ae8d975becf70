import { disposeState, type StepResult, tidy } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { KERNELS, runKernelN } from '../kernels/names.js';
import { kernelHere } from '../kernels/register.js';
import { runSequence } from '../lift.js';
import { DEFAULT_LI_PARAMS, type LIParams, type LIState, liInitialState, liStep } from '../models/li.js';
import { asFloat32, liConstants } from './fusion.js';

/**
 * A leaky integrator over a whole sequence: the voltages `[T, ...]` of `liStep` driven by
 * `currents [T, ...]` from `state` (default `v = vLeak`, `i = 0`), as Norse's `LICell` produces the
 * tutorial's readout, and the final state. One kernel where ours run (numeric parameters), with a
 * gradient that also reaches the initial state; the composition of `liStep` elsewhere.
 */
export function liIntegral(
  currents: tf.Tensor,
  state?: LIState,
  params: LIParams = DEFAULT_LI_PARAMS,
  dt = 1e-3,
): StepResult<LIState> {
  if (currents.rank < 2)
    throw new Error(`liIntegral: currents must be time-first [T, ...], got [${currents.shape.join(', ')}].`);
  const shape = currents.shape.slice(1);
  if (state && !(tf.util.arraysEqual(state.v.shape, shape) && tf.util.arraysEqual(state.i.shape, shape)))
    throw new Error(`liIntegral: the state must be [${shape.join(', ')}] (one step of the currents).`);
  const c = kernelHere(KERNELS.liSequence) ? liConstants(params, dt) : undefined;
  return tidy(() => {
    const initial = state ?? liInitialState(shape, params);
    if (!c) {
      const [v, final] = runSequence((x, s: LIState) => liStep(x, s, params, dt), currents, initial);
      return [v, final] as const;
    }
    const [v, vT, iT] = runKernelN(
      KERNELS.liSequence,
      { currents: asFloat32(currents), v0: asFloat32(initial.v), i0: asFloat32(initial.i) },
      { ...c, T: currents.shape[0]! },
    );
    return [v!, { v: vT!, i: iT! }] as const;
  });
}

/** The voltages of {@link liIntegral} from the initial state. */
export function liSequence(currents: tf.Tensor, params: LIParams = DEFAULT_LI_PARAMS, dt = 1e-3): tf.Tensor {
  const [v, final] = liIntegral(currents, undefined, params, dt);
  disposeState(final);
  return v;
}

/** Whether {@link liIntegral} runs as one kernel here (numeric parameters, a backend with our kernels). */
export function canFuseLI(params: LIParams = DEFAULT_LI_PARAMS): boolean {
  return kernelHere(KERNELS.liSequence) && liConstants(params, 1e-3) !== undefined;
}
