import * as tf from '@tensorflow/tfjs-core';
import { KERNELS } from '../names.js';

interface Disposer {
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

/**
 * `x @ w^T` (`x [N, in]`, `w [out, in]`) as a kernel of its own on `wasm`: the backend's `Transpose`
 * of `w`, then its `BatchMatMul` without a transposed operand. tfjs-wasm runs a product with a
 * transposed operand about ten times slower (measured: `[8192, 784] x [100, 784]^T` 362 ms, with the
 * transpose done first 33 ms); the gradient (`gradients/linear-grad.ts`) avoids them too.
 */
export function registerLinear(): void {
  const backendName = 'wasm';
  if (tf.getKernel(KERNELS.linear, backendName)) return;
  tf.registerKernel({
    kernelName: KERNELS.linear,
    backendName,
    kernelFunc: ({ inputs, backend }) => {
      const transpose = tf.getKernel('Transpose', backendName)!;
      const matMul = tf.getKernel('BatchMatMul', backendName)!;
      const wT = transpose.kernelFunc({
        inputs: { x: inputs.w! },
        backend,
        attrs: { perm: [1, 0] },
      }) as tf.TensorInfo;
      const y = matMul.kernelFunc({
        inputs: { a: inputs.x!, b: wT },
        backend,
        attrs: { transposeA: false, transposeB: false },
      }) as tf.TensorInfo;
      (backend as unknown as Disposer).disposeData(wT.dataId);
      return y;
    },
  });
}
