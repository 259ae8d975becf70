import * as tf from '@tensorflow/tfjs-core';
import { attrsOf, KERNELS, type KernelAttrs, type KernelName } from '../names.js';
import { opsKernel } from './util.js';
import { THREADS } from './wgsl.js';

/**
 * `maxPool2d` on webgl and webgpu: the backend's own max-pooling forward (one launch), and a
 * gradient that sends each window's gradient to its **first** maximum in row-major order, as
 * PyTorch and our host kernel do (tfjs's GPU gradients pick the last one; on binary spikes almost
 * every window ties), in one launch: each input element finds its window's first maximum. The
 * forward hands its input on as a trailing output, saved by tfjs for the gradient.
 */

type Attrs = KernelAttrs[typeof KERNELS.maxPool];

/** The forward: `[tf.maxPool(x), x]` (the second shares `x`'s data; no copy). */
export const maxPoolGpu = opsKernel<Attrs>(({ x }, { k }) => [
  tf.maxPool(x as tf.Tensor4D, k, k, 'valid'),
  tf.clone(x!),
]);

interface ProgramRunner {
  runWebGLProgram(program: object, inputs: tf.TensorInfo[], dtype: tf.DataType): tf.TensorInfo;
  runWebGPUProgram(program: object, inputs: tf.TensorInfo[], dtype: tf.DataType): tf.TensorInfo;
}

/** The gradient's per-element rule, in the GLSL/WGSL subset (`X`, `Dy` read by `xAt`, `dyAt`). */
function firstMaxBody(k: number, H: number, W: number, decl: string, intType: string) {
  const OH = Math.floor(H / k);
  const OW = Math.floor(W / k);
  return {
    OH,
    OW,
    // f, y, xx, c are the element's coordinates; the result is `g`.
    code: `
        ${decl} oy = y / ${k};
        ${decl} ox = xx / ${k};
        ${intType === 'i32' ? 'var' : 'int'} best = -1;
        ${intType === 'i32' ? 'var bestValue : f32' : 'float bestValue'} = 0.0;
        if (oy < ${OH} && ox < ${OW}) {
          for (${intType === 'i32' ? 'var pos : i32' : 'int pos'} = 0; pos < ${k * k}; pos++) {
            ${decl} v = xAt(f, oy * ${k} + pos / ${k}, ox * ${k} + pos - (pos / ${k}) * ${k}, c);
            if (best < 0 || v > bestValue) { best = pos; bestValue = v; }
          }
        }
        ${decl} mine = (y - oy * ${k}) * ${k} + (xx - ox * ${k});
        ${intType === 'i32' ? 'var g : f32' : 'float g'} = 0.0;
        if (best == mine) { g = dyAt(f, oy, ox, c); }`,
  };
}

function webglProgram(k: number, shape: readonly number[]) {
  const [, H, W] = shape as [number, number, number, number];
  const { code } = firstMaxBody(k, H, W, 'int', 'int');
  const body = code.replace(/int v = /, 'float v = ');
  return {
    variableNames: ['X', 'Dy'],
    outputShape: [...shape],
    userCode: `
      float xAt(int f, int y, int x, int c) { return getX(f, y, x, c); }
      float dyAt(int f, int y, int x, int c) { return getDy(f, y, x, c); }
      void main() {
        ivec4 coords = getOutputCoords();
        int f = coords[0];
        int y = coords[1];
        int xx = coords[2];
        int c = coords[3];
        ${body}
        setOutput(g);
      }`,
  };
}

function webgpuProgram(k: number, shape: readonly number[]) {
  const [F, H, W, C] = shape as [number, number, number, number];
  const { OH, OW, code } = firstMaxBody(k, H, W, 'let', 'i32');
  const size = F * H * W * C;
  return {
    variableNames: ['X', 'Dy'],
    outputShape: [...shape],
    shaderKey: `snn_maxpool_grad_${k}_${F}_${H}_${W}_${C}`,
    dispatchLayout: { x: [0, 1, 2, 3] },
    dispatch: [Math.ceil(size / THREADS), 1, 1],
    workgroupSize: [THREADS, 1, 1],
    // Bounds by the size uniform (WebGPU drops bindings a shader does not use).
    size: true,
    getUserCode: () => `
      fn xAt(f : i32, y : i32, x : i32, c : i32) -> f32 { return f32(X[((f * ${H} + y) * ${W} + x) * ${C} + c]); }
      fn dyAt(f : i32, y : i32, x : i32, c : i32) -> f32 { return f32(Dy[((f * ${OH} + y) * ${OW} + x) * ${C} + c]); }
      fn main(index : i32) {
        if (index >= uniforms.size) { return; }
        let c = index % ${C};
        let xx = (index / ${C}) % ${W};
        let y = (index / ${C * W}) % ${H};
        let f = index / ${C * W * H};
        ${code}
        result[index] = g;
      }`,
  };
}

/** The gradient kernel: `dx` from `dy` and the forward's input `x`. */
const maxPoolGradGpu =
  (backendName: string): tf.KernelFunc =>
  ({ inputs, backend, attrs }) => {
    const { k, xShape } = attrsOf(KERNELS.maxPoolGrad, attrs ?? {});
    const x = inputs.x;
    const dy = inputs.dy;
    if (!x || !dy) throw new Error(`${KERNELS.maxPoolGrad}: needs dy and the forward's x on ${backendName}.`);
    const runner = backend as unknown as ProgramRunner;
    if (backendName === 'webgl') return runner.runWebGLProgram(webglProgram(k, xShape), [x, dy], 'float32');
    return runner.runWebGPUProgram(webgpuProgram(k, xShape), [x, dy], 'float32');
  };

/** The max-pooling kernels of each GPU backend. */
export const gpuPoolKernels = (backendName: string): [KernelName, tf.KernelFunc][] => [
  [KERNELS.maxPool, maxPoolGpu],
  [KERNELS.maxPoolGrad, maxPoolGradGpu(backendName)],
];
