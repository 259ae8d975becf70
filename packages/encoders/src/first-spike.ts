import { hasHostKernel, registerGradientOnce, registerHostKernel, tidy } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';

const FIRST_SPIKE = 'SnnFirstSpike';
const FIRST_SPIKE_GRAD = 'SnnFirstSpikeGrad';

/**
 * Norse's rule, one pass over time for every element: a value passes while the sum of the values
 * passed before it is not positive (`mask > 0` blocks); `into` receives the passed values, or, for
 * the gradient, `dy` where a value could pass.
 */
function firstPass(spikes: Float32Array, T: number, into: Float32Array, dy?: Float32Array): void {
  const n = T === 0 ? 0 : spikes.length / T;
  const mask = new Float32Array(n);
  for (let t = 0, k = 0; t < T; t++) {
    for (let j = 0; j < n; j++, k++) {
      if (mask[j]! > 0) continue;
      const s = spikes[k]!;
      mask[j]! += s;
      into[k] = dy ? dy[k]! : s;
    }
  }
}

let registered = false;
function hostFirstSpikeHere(): boolean {
  if (!registered) {
    registered = true;
    registerHostKernel<Record<string, never>>({
      kernelName: FIRST_SPIKE,
      inputNames: ['spikes'],
      outputShapes: ([s]) => [[...s!]],
      compute: ({ inputs: [s], inputShapes: [shape], outputs: [out] }) => firstPass(s!, shape![0]!, out!),
    });
    registerHostKernel<Record<string, never>>({
      kernelName: FIRST_SPIKE_GRAD,
      inputNames: ['dy', 'spikes'],
      outputShapes: ([dy]) => [[...dy!]],
      compute: ({ inputs: [dy, s], inputShapes: [shape], outputs: [dx] }) =>
        firstPass(s!, shape![0]!, dx!, dy!),
    });
    registerGradientOnce({
      kernelName: FIRST_SPIKE,
      inputsToSave: ['spikes'],
      gradFunc: (dy, [spikes]) => ({
        spikes: () =>
          tf.engine().runKernel(FIRST_SPIKE_GRAD, { dy: dy as tf.Tensor, spikes: spikes! }) as tf.Tensor,
      }),
    });
  }
  return hasHostKernel(FIRST_SPIKE);
}

/**
 * The first spikes of `spikes [T, ...]` by Norse's `spike_latency_encode`: step by step, an
 * element's value is kept while the sum of its kept values so far is not positive, so a binary
 * train keeps its first spike. One pass on `cpu`/`wasm` (a kernel, with its gradient: `dy` where a
 * value was free to pass); a loop of `where`s over time elsewhere.
 */
export function firstSpikes(spikes: tf.Tensor): tf.Tensor {
  if (spikes.dtype === 'float32' && spikes.rank > 0 && hostFirstSpikeHere())
    return tf.engine().runKernel(FIRST_SPIKE, { spikes }) as tf.Tensor;
  return tidy(() => firstSpikesOps(tf.cast(spikes, 'float32')));
}

/** The tensor-op version: step by step, `where` the running sum blocks; the gradient `dy · free`. */
const firstSpikesOps = tf.customGrad((input, save) => {
  const spikes = input as tf.Tensor;
  const steps = tf.unstack(spikes);
  let mask = tf.zeros(spikes.shape.slice(1));
  const kept: tf.Tensor[] = [];
  const free: tf.Tensor[] = [];
  for (const s of steps) {
    const open = tf.lessEqual(mask, 0);
    kept.push(tf.where(open, s, tf.zerosLike(s)));
    free.push(tf.cast(open, 'float32'));
    mask = tf.add(mask, kept[kept.length - 1]!);
  }
  const value = steps.length === 0 ? tf.zeros(spikes.shape) : tf.stack(kept);
  const freeMask = steps.length === 0 ? tf.zeros(spikes.shape) : tf.stack(free);
  (save as tf.GradSaveFunc)([freeMask]);
  return { value, gradFunc: (dy, saved) => tf.mul(dy as tf.Tensor, saved[0]!) };
});
