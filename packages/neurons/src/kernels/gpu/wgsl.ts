import * as tf from '@tensorflow/tfjs-core';
import { attrsOf, KERNELS, runKernel1 } from '../names.js';
import type { StepProgram } from './step-program.js';

/**
 * Whole-sequence programs for webgpu: compute shaders in which each thread (one per neuron), or
 * each workgroup (one per sample), loops over every time step, so a sequence costs one launch
 * whatever its length. Each step is the same step program the per-step kernels run (the body of a
 * {@link StepProgram}, in the GLSL/WGSL subset), so the two compute the same values in the same
 * order. tfjs's webgpu backend runs them (`runWebGPUProgram`): inputs are read as raw arrays by
 * their names, and the program writes one flat output, `result`, that the kernel slices.
 */
export interface WGSLProgram {
  /** Identifies the program with every constant baked into its source (shader cache key). */
  readonly key: string;
  /** The input arrays, read in the source by these names (start upper-case). */
  readonly inputs: readonly string[];
  /** Elements of the flat output `result`. */
  readonly size: number;
  /** Threads per workgroup (x). */
  readonly workgroupSize: number;
  /** Workgroups launched (x). */
  readonly workgroups: number;
  /**
   * The bound the program checks its threads against (neurons, or samples), read as
   * `uniforms.count` (a uniform the source must use: WebGPU drops unused bindings).
   */
  readonly count: number;
  /** The source: helper functions, workgroup variables, and `fn main(index : i32)`. */
  readonly code: string;
}

interface WebGPULike {
  runWebGPUProgram(
    program: object,
    inputs: tf.TensorInfo[],
    dtype: tf.DataType,
    uniforms?: { type: string; data: number[] }[],
  ): tf.TensorInfo;
  readonly device?: { readonly limits?: { readonly maxComputeWorkgroupStorageSize?: number } };
}

/** The kernel that runs a {@link WGSLProgram} (registered for webgpu by `register.ts`). */
export const wgslKernelFunc: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { program: p } = attrsOf(KERNELS.wgsl, attrs ?? {});
  const infos = p.inputs.map((name) => {
    const info = inputs[name];
    if (!info) throw new Error(`${KERNELS.wgsl} ${p.key}: missing input '${name}'.`);
    return info;
  });
  const program = {
    variableNames: [...p.inputs],
    outputShape: [p.size],
    shaderKey: `snn_${p.key}`,
    dispatchLayout: { x: [0] },
    dispatch: [p.workgroups, 1, 1],
    workgroupSize: [p.workgroupSize, 1, 1],
    uniforms: 'count : i32,',
    getUserCode: () => p.code,
  };
  return (backend as unknown as WebGPULike).runWebGPUProgram(program, infos, 'float32', [
    { type: 'int32', data: [p.count] },
  ]);
};

/** Runs a {@link WGSLProgram} on webgpu: its flat output `[size]`. */
export function runWGSL(program: WGSLProgram, inputs: Record<string, tf.Tensor>): tf.Tensor {
  return runKernel1(KERNELS.wgsl, inputs, { program });
}

/** Workgroup memory a webgpu program may use on this device (WebGPU guarantees 16 KiB). */
export function workgroupStorage(): number {
  return (tf.backend() as unknown as WebGPULike).device?.limits?.maxComputeWorkgroupStorageSize ?? 16384;
}

/** `gt(a, b)`: 1 where a > b, else 0, as the step programs use it. */
export const GT = 'fn gt(a : f32, b : f32) -> f32 { return select(0.0, 1.0, a > b); }';

/** A step program's statements as WGSL `let`s (its inputs must be in scope under their names). */
export function statements(p: StepProgram, indent = '      '): string {
  return p.body.map(([name, e]) => `let ${name} = ${e};`).join(`\n${indent}`);
}

/** The key of a step program's constants (its name carries them), for a program key. */
export const keyOf = (p: StepProgram): string => p.name;

/** Threads per workgroup for thread-per-neuron programs. */
export const THREADS = 64;
