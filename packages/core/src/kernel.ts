import * as tf from '@tensorflow/tfjs-core';

/**
 * Backends whose tensors live in CPU memory, where a host kernel reads and writes them in place:
 * the JS arrays of `cpu` and the heap of `wasm`.
 */
export const HOST_BACKENDS: readonly string[] = ['cpu', 'wasm'];

/** The row-major float32 data of a host kernel's inputs and outputs, with their shapes. */
export interface HostKernelArgs<A> {
  readonly inputs: readonly Float32Array[];
  readonly inputShapes: readonly (readonly number[])[];
  /** Zero-filled outputs, to be written by the kernel. */
  readonly outputs: readonly Float32Array[];
  readonly outputShapes: readonly (readonly number[])[];
  readonly attrs: A;
  /** Registers a function called with the outputs' tensor infos once they exist (e.g. to remember something about an output by its `dataId`). */
  readonly withOutputs: (then: (outputs: readonly tf.TensorInfo[]) => void) => void;
}

/** A kernel written as a loop over float32 arrays, for the CPU-memory backends. */
export interface HostKernelConfig<A> {
  /** The tfjs kernel name; prefix it with your package (`Snn…`) so it cannot clash. */
  readonly kernelName: string;
  /** Names of the inputs, in the order `compute` receives them. */
  readonly inputNames: readonly string[];
  /** The output shapes, from the input shapes and attributes (before any data is read). */
  outputShapes(inputShapes: readonly (readonly number[])[], attrs: A): number[][];
  /**
   * Fills `outputs` from `inputs`. Must not keep or change the input arrays, and must not create
   * tensors: on wasm the arrays are views of the heap, which any allocation may move.
   */
  compute(args: HostKernelArgs<A>): void;
}

interface WasmLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}
interface CpuLike {
  readSync(dataId: tf.DataId): ArrayLike<number>;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

function kernelFunc<A>(config: HostKernelConfig<A>, backendName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const infos = config.inputNames.map((name) => {
      const t = inputs[name];
      if (!t) throw new Error(`${config.kernelName}: missing input '${name}'.`);
      if (t.dtype !== 'float32')
        throw new Error(`${config.kernelName}: input '${name}' must be float32, got ${t.dtype}.`);
      return t;
    });
    const inputShapes = infos.map((t) => t.shape);
    let after: ((outputs: readonly tf.TensorInfo[]) => void) | undefined;
    const withOutputs = (then: (outputs: readonly tf.TensorInfo[]) => void) => {
      after = then;
    };
    const done = (outs: tf.TensorInfo[]) => {
      after?.(outs);
      return outs.length === 1 ? outs[0]! : outs;
    };
    const a = attrs as unknown as A;
    const outputShapes = config.outputShapes(inputShapes, a);
    if (backendName === 'wasm') {
      const wasm = backend as unknown as WasmLike;
      // Allocate first: the views below stay valid only while the heap does not grow.
      const outs = outputShapes.map((s) => wasm.makeOutput(s, 'float32'));
      const outputs = outs.map((o) => wasm.typedArrayFromHeap(o).fill(0));
      config.compute({
        inputs: infos.map((t) => wasm.typedArrayFromHeap(t)),
        inputShapes,
        outputs,
        outputShapes,
        attrs: a,
        withOutputs,
      });
      return done(outs);
    }
    const cpu = backend as unknown as CpuLike;
    const outputs = outputShapes.map((s) => new Float32Array(s.reduce((p, d) => p * d, 1)));
    config.compute({
      inputs: infos.map((t) => cpu.readSync(t.dataId) as Float32Array),
      inputShapes,
      outputs,
      outputShapes,
      attrs: a,
      withOutputs,
    });
    return done(outputs.map((o, k) => cpu.makeTensorInfo(outputShapes[k]!, 'float32', o)));
  };
}

/**
 * Registers a kernel written as a plain loop over float32 arrays for the `cpu` and `wasm` backends
 * (idempotent; registering does not select a backend). Pair it with `tf.registerGradient` and run it
 * with `tf.engine().runKernel`, where {@link hasHostKernel} says it can run; elsewhere use the
 * composition of tfjs ops it replaces.
 */
export function registerHostKernel<A>(config: HostKernelConfig<A>): void {
  for (const backendName of HOST_BACKENDS) {
    if (tf.getKernel(config.kernelName, backendName)) continue;
    tf.registerKernel({
      kernelName: config.kernelName,
      backendName,
      kernelFunc: kernelFunc(config, backendName),
    });
  }
}

/** Whether the active backend has the kernel `kernelName` (registered by {@link registerHostKernel} or otherwise). */
export function hasHostKernel(kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined;
}

/** Registers a kernel's gradient once (tfjs warns when one is registered twice). */
export function registerGradientOnce(config: tf.GradConfig): void {
  if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
}
