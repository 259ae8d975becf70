import { tidy } from '@snn/core';
import type * as tf from '@tensorflow/tfjs-core';
import { KERNELS, runKernel1 } from '../kernels/names.js';
import { kernelHere } from '../kernels/register.js';
import { asFloat32 } from './fusion.js';
import { linear } from './linear.js';
import { view } from './view.js';

/**
 * `x @ weight^T` for spike inputs `x` and `weight [out, in]`, event-driven where our kernels run
 * (`cpu`, `wasm`): each output row adds the weight columns of the inputs that are non-zero, so
 * the cost scales with the number of spikes, forward and in the weight gradient. The gradient with
 * respect to `x` (a dense product) is only computed when something needs it. Correct for any
 * values, fast for sparse ones; elsewhere it is {@link linear}.
 *
 * @param x - `[...leading, ...features]`, the features flattening to `in` (e.g. images
 *   `[T, B, 1, 28, 28]` with `leadingDims` 2), without a reshape of the (large) input.
 * @param leadingDims - how many leading axes are kept. Default `x.rank - 1`.
 * @returns `[...leading, out]`
 */
export function spikeLinear(x: tf.Tensor, weight: tf.Tensor, leadingDims = x.rank - 1): tf.Tensor {
  if (!Number.isInteger(leadingDims) || leadingDims < 0 || leadingDims >= x.rank) {
    throw new Error(`spikeLinear: leadingDims must be an integer in [0, ${x.rank - 1}], got ${leadingDims}.`);
  }
  const leading = x.shape.slice(0, leadingDims);
  const features = x.shape.slice(leadingDims).reduce((a, b) => a * b, 1);
  if (weight.rank !== 2 || weight.shape[1] !== features) {
    throw new Error(
      `spikeLinear: weight must be [out, ${features}] for inputs [${x.shape.join(', ')}] (${leadingDims} leading axes), got [${weight.shape.join(', ')}].`,
    );
  }
  const outShape = [...leading, weight.shape[0]!];
  return tidy(() => {
    const xf = asFloat32(x);
    if (!kernelHere(KERNELS.spikeLinear)) return view(linear(view(xf, [-1, features]), weight), outShape);
    return runKernel1(
      KERNELS.spikeLinear,
      { x: xf, weight },
      { outShape, xShape: [...x.shape], xDataId: xf.dataId, stash: {} },
    );
  });
}
