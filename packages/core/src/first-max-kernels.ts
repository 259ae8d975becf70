import * as tf from '@tensorflow/tfjs-core';
import { hasHostKernel, registerGradientOnce, registerHostKernel } from './kernel.js';

/**
 * The first-maximum reductions of `first-max.ts` as loops on `cpu` and `wasm`: one pass over
 * `x [outer, n, inner]` finds, for every `(outer, inner)`, the first position of the maximum along
 * the middle axis (NaN beats every number; the first NaN wins) and its value; the gradient puts each
 * `dy` at that position. The op compositions they replace cost a dozen broadcasting kernels (tens
 * of milliseconds for the tutorial's readout on wasm, where its `Equal` and `Tile` are slow).
 */
export const FIRST_MAX_KERNEL = 'SnnFirstMax';
const FIRST_MAX_GRAD_KERNEL = 'SnnFirstMaxGrad';

interface FirstMaxAttrs {
  /** The length of the reduced axis. */
  readonly n: number;
}

let registered = false;

function register(): void {
  if (registered) return;
  registered = true;
  registerHostKernel<FirstMaxAttrs>({
    kernelName: FIRST_MAX_KERNEL,
    inputNames: ['x'],
    outputShapes: ([x]) => [
      [x![0]!, x![2]!],
      [x![0]!, x![2]!],
    ],
    compute: ({ inputs: [x], inputShapes: [xs], outputs: [value, index] }) => {
      const [outer, n, inner] = xs as [number, number, number];
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const base = o * n * inner + i;
          let best = x![base]!;
          let at = 0;
          if (!Number.isNaN(best))
            for (let k = 1; k < n; k++) {
              const v = x![base + k * inner]!;
              if (Number.isNaN(v)) {
                best = v;
                at = k;
                break;
              }
              if (v > best) {
                best = v;
                at = k;
              }
            }
          value![o * inner + i] = best;
          index![o * inner + i] = at;
        }
      }
    },
  });
  registerHostKernel<FirstMaxAttrs>({
    kernelName: FIRST_MAX_GRAD_KERNEL,
    inputNames: ['dy', 'index'],
    outputShapes: ([dy], { n }) => [[dy![0]!, n, dy![1]!]],
    compute: ({ inputs: [dy, index], inputShapes: [ds], outputs: [dx], attrs }) => {
      const [outer, inner] = ds as [number, number];
      for (let o = 0; o < outer; o++)
        for (let i = 0; i < inner; i++)
          dx![(o * attrs.n + index![o * inner + i]!) * inner + i] = dy![o * inner + i]!;
    },
  });
  registerGradientOnce({
    kernelName: FIRST_MAX_KERNEL,
    outputsToSave: [false, true],
    gradFunc: (dy, saved, attrs) => {
      const [index] = saved as [tf.Tensor];
      const g = Array.isArray(dy) ? dy[0]! : dy;
      return {
        x: () => tf.engine().runKernel(FIRST_MAX_GRAD_KERNEL, { dy: g, index }, attrs) as tf.Tensor,
      };
    },
  });
}

/** Whether the first-maximum kernel runs on the active backend (`cpu`, `wasm`), registering it. */
export function firstMaxKernelHere(): boolean {
  register();
  return hasHostKernel(FIRST_MAX_KERNEL);
}

/**
 * The first maximum along the middle axis of float32 `x [outer, n, inner]` and its position
 * (float32), each `[outer, inner]`, on the kernel (differentiable in the value).
 */
export function firstMaxKernel(x: tf.Tensor3D): [tf.Tensor2D, tf.Tensor2D] {
  register();
  const attrs: FirstMaxAttrs = { n: x.shape[1] };
  return tf.engine().runKernel(FIRST_MAX_KERNEL, { x }, attrs as unknown as tf.NamedAttrMap) as [
    tf.Tensor2D,
    tf.Tensor2D,
  ];
}
