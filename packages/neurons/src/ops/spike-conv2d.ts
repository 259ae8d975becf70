import { tidy } from '@snn/core';
import type * as tf from '@tensorflow/tfjs-core';
import { KERNELS, runKernel1 } from '../kernels/names.js';
import { kernelHere } from '../kernels/register.js';
import { conv2dValid } from './conv2d-valid.js';
import { asFloat32 } from './fusion.js';

/**
 * A stride-1 'valid' convolution of spike inputs `x [F, H, W, C]` (channels-last) with
 * `w [k, k, C, out]`, event-driven where our kernels run (`cpu`, `wasm`): each input spike adds
 * its `k × k` patch of the kernel to the output, so the cost scales with the number of spikes,
 * forward and in the filter gradient; the dense input gradient is computed only when something
 * needs it. Correct for any values, fast for sparse ones; elsewhere it is {@link conv2dValid}.
 */
export function spikeConv2d(x: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor4D {
  if (x.rank !== 4 || w.rank !== 4 || w.shape[0] !== w.shape[1] || w.shape[2] !== x.shape[3]) {
    throw new Error(
      `spikeConv2d: x must be [F, H, W, C] and w [k, k, C, out] with matching C, got [${x.shape.join(', ')}] and [${w.shape.join(', ')}].`,
    );
  }
  if (x.shape[1] < w.shape[0] || x.shape[2] < w.shape[0]) {
    throw new Error(
      `spikeConv2d: a ${w.shape[0]}×${w.shape[0]} kernel does not fit [${x.shape.join(', ')}].`,
    );
  }
  if (!kernelHere(KERNELS.spikeConv2d)) return conv2dValid(x, w);
  return tidy(() => {
    const xf = asFloat32(x);
    return runKernel1(
      KERNELS.spikeConv2d,
      { x: xf, w },
      { xShape: [...x.shape], xDataId: xf.dataId, stash: {} },
    ) as tf.Tensor4D;
  });
}
