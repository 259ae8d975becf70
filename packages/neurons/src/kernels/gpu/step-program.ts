import { shaderFloat } from '@snn/core';
import type * as tf from '@tensorflow/tfjs-core';
import { attrsOf, KERNELS, runKernel1 } from '../names.js';

/**
 * Elementwise step programs for the GPU backends (webgl, webgpu): one shader launch computes what
 * the step composition of tfjs ops spreads over a dozen launches (each op is a launch there).
 * A program is written once, in the subset of GLSL and WGSL the two share (arithmetic, `abs`,
 * `max`, `exp`, `pow`, `tanh`, and `gt(a, b)`, which is 1 where a > b, else 0). Each of the `N`
 * neurons `n` reads element `n` of its inputs (or of one part of them), the first two parts of
 * state inputs (`[2N]` or more: variables side by side), and row `t` of `[T, N]` sequences (`t` is
 * a uniform, so one compiled shader serves every step); it writes up to three values side by side
 * (`[N]`, `[2N]`, `[3N]`: a neuron's whole state and its spike in one launch). Libraries stay
 * backend-agnostic: the programs are plain objects handed to the active backend's own program
 * runner, and nothing here imports a backend.
 */
export interface StepProgram {
  /** Identifies the program (with its constants, which are part of the source) in shader caches. */
  readonly name: string;
  /** Inputs read at element `n`, or at `part · N + n` for those named in `parts`. */
  readonly same: readonly string[];
  /** Which part of a `same` input to read (default 0): e.g. 2 for the third `N` of a `[3N]` input. */
  readonly parts?: Readonly<Record<string, number>>;
  /** Inputs `[T, ≥N]`, read at row `t`, column `n`. */
  readonly atStep: readonly string[];
  /** Inputs holding variables side by side (`[2N]` or more), read as `<name>0` (at n) and `<name>1` (at N + n). */
  readonly pairs?: readonly string[];
  /**
   * Statements `[name, expression]` in order. Names must be valid in both languages and reserved
   * in neither (not `out`, `in`, `input`, `sample`, …).
   */
  readonly body: readonly (readonly [string, string])[];
  /** The statements whose values are written side by side: `[N]`, `[2N]` or `[3N]`. */
  readonly outputs: readonly [string] | readonly [string, string] | readonly [string, string, string];
}

/** The backends whose kernels run step programs. */
export const GPU_BACKENDS: readonly string[] = ['webgl', 'webgpu'];

/** A float32 constant as a literal both shading languages read exactly. */
export const lit = shaderFloat;

interface WebGLLike {
  runWebGLProgram(
    program: object,
    inputs: tf.TensorInfo[],
    dtype: tf.DataType,
    customUniformValues?: number[][],
  ): tf.TensorInfo;
}
interface WebGPULike {
  runWebGPUProgram(
    program: object,
    inputs: tf.TensorInfo[],
    dtype: tf.DataType,
    uniforms?: { type: string; data: number[] }[],
  ): tf.TensorInfo;
}

/** Words one of the two languages reserves (or tfjs's shader prelude defines) that a name could hit. */
const RESERVED = new Set(
  'out in inout input output sample filter active common partition buffer shared resource attribute varying uniform texture var let fn loop target index n t k'.split(
    ' ',
  ),
);

function inputNames(p: StepProgram): string[] {
  const pairs = p.pairs ?? [];
  const names = [...p.same, ...p.atStep, ...pairs, ...pairs.flatMap((v) => [`${v}0`, `${v}1`])];
  for (const name of [...names, ...p.body.map(([k]) => k)])
    if (RESERVED.has(name))
      throw new Error(
        `step program ${p.name}: '${name}' is reserved in GLSL or WGSL (or used by the runner); rename it.`,
      );
  return [...p.same, ...p.atStep, ...pairs];
}

/** The reads of a program's inputs for neuron `n`, as `decl name = getter(args);` lines. */
function reads(p: StepProgram, N: number, decl: string, t: string): string[] {
  return [
    ...p.same.map((v) => `${decl} ${v} = get${cap(v)}(n${p.parts?.[v] ? ` + ${p.parts[v]! * N}` : ''});`),
    ...p.atStep.map((v) => `${decl} ${v} = get${cap(v)}(${t}, n);`),
    ...(p.pairs ?? []).flatMap((v) => [
      `${decl} ${v}0 = get${cap(v)}(n);`,
      `${decl} ${v}1 = get${cap(v)}(n + ${N});`,
    ]),
  ];
}

/** The value written at flat index `k` (part `k / N`), as nested choices in either language. */
function chooseOutput(
  p: StepProgram,
  N: number,
  k: string,
  choose: (c: string, a: string, b: string) => string,
) {
  const outs = p.outputs;
  let e = outs.at(-1)!;
  for (let j = outs.length - 2; j >= 0; j--) e = choose(`${k} < ${(j + 1) * N}`, outs[j]!, e);
  return e;
}

function webglProgram(p: StepProgram, N: number) {
  return {
    variableNames: inputNames(p).map(cap),
    outputShape: [N * p.outputs.length],
    customUniforms: [{ name: 't', type: 'int' }],
    userCode: `
      float gt(float a, float b) { return a > b ? 1.0 : 0.0; }
      void main() {
        int k = getOutputCoords();
        int n = k - (k / ${N}) * ${N};
        ${reads(p, N, 'float', 't').join('\n        ')}
        ${p.body.map(([name, e]) => `float ${name} = ${e};`).join('\n        ')}
        setOutput(${chooseOutput(p, N, 'k', (c, a, b) => `(${c} ? ${a} : ${b})`)});
      }`,
  };
}

function webgpuProgram(p: StepProgram, N: number) {
  const workgroup = 64;
  const size = N * p.outputs.length;
  return {
    variableNames: inputNames(p).map(cap),
    outputShape: [size],
    shaderKey: `snn_step_${p.name}_${N}`,
    dispatchLayout: { x: [0] },
    dispatch: [Math.ceil(size / workgroup), 1, 1],
    workgroupSize: [workgroup, 1, 1],
    size: true,
    uniforms: 't : i32,',
    getUserCode: () => `
      fn gt(a : f32, b : f32) -> f32 { return select(0.0, 1.0, a > b); }
      fn main(index : i32) {
        if (index < uniforms.size) {
          let n = index % ${N};
          ${reads(p, N, 'let', 'uniforms.t').join('\n          ')}
          ${p.body.map(([name, e]) => `let ${name} = ${e};`).join('\n          ')}
          setOutputAtIndex(index, ${chooseOutput(p, N, 'index', (c, a, b) => `select(${b}, ${a}, ${c})`)});
        }
      }`,
  };
}

/**
 * The program with its pairs read from separate inputs (`s0`, `s1` for the pair `s`, each flat
 * `[N]`, as every `same` input): for a
 * sequence's first step, whose state arrives as separate tensors (concatenating them would read
 * small CPU-resident tensors back on webgpu).
 */
export function splitPairs(p: StepProgram): StepProgram {
  const pairs = p.pairs ?? [];
  return {
    ...p,
    name: `${p.name}_split`,
    same: [...p.same, ...pairs.flatMap((v) => [`${v}0`, `${v}1`])],
    pairs: [],
  };
}

/** Shader variable names: tfjs derives `getX…` accessors from them, so they start upper-case. */
function cap(v: string): string {
  return v[0]!.toUpperCase() + v.slice(1);
}

/**
 * The kernel that runs a step program (registered for webgl and webgpu by `register.ts`): one
 * shader launch over `N` neurons, `t` the step (a uniform, so one compiled shader serves every step).
 */
export const gpuStepKernelFunc =
  (backendName: string): tf.KernelFunc =>
  ({ inputs, backend, attrs }) => {
    const { program, t, N } = attrsOf(KERNELS.gpuStep, attrs ?? {});
    const infos = inputNames(program).map((name) => {
      const info = inputs[name];
      if (!info) throw new Error(`${KERNELS.gpuStep} ${program.name}: missing input '${name}'.`);
      return info;
    });
    if (backendName === 'webgl')
      return (backend as unknown as WebGLLike).runWebGLProgram(webglProgram(program, N), infos, 'float32', [
        [t],
      ]);
    return (backend as unknown as WebGPULike).runWebGPUProgram(webgpuProgram(program, N), infos, 'float32', [
      { type: 'int32', data: [t] },
    ]);
  };

/**
 * Runs a step program over `N` neurons: `inputs` holds each `same` input (`≥ N` elements), each
 * `atStep` input (`[T, ≥N]`) and each pair (`≥ 2N`); returns `[N]` times the number of outputs.
 * Not differentiable by itself (the sequence kernels that use it have their own gradients).
 */
export function runStep(p: StepProgram, inputs: Record<string, tf.Tensor>, N: number, t = 0): tf.Tensor {
  return runKernel1(KERNELS.gpuStep, inputs, { program: p, t, N });
}
