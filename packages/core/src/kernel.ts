import * as tf from '@tensorflow/tfjs-core';

/**
 * Backends whose tensors live in CPU memory, where a host kernel reads and writes them in place:
 * the JS arrays of `cpu` and the heap of `wasm`.
 */
export const HOST_BACKENDS: readonly string[] = ['cpu', 'wasm'];

/** A matrix for {@link HostKernelArgs.matMul}: data of its own, or one of the kernel's inputs (no copy). */
export type HostMatrix =
  | { readonly data: Float32Array; readonly rows: number; readonly cols: number }
  | { readonly input: number; readonly rows: number; readonly cols: number };

/** The row-major float32 data of a host kernel's inputs and outputs, with their shapes. */
export interface HostKernelArgs<A> {
  /** The inputs' data; on wasm, views of the heap that {@link matMul} may move (then call {@link views}). */
  readonly inputs: readonly Float32Array[];
  readonly inputShapes: readonly (readonly number[])[];
  /** Zero-filled outputs, to be written by the kernel (views like {@link inputs}). */
  readonly outputs: readonly Float32Array[];
  readonly outputShapes: readonly (readonly number[])[];
  readonly attrs: A;
  /** Registers a function called with the outputs' tensor infos once they exist (e.g. to remember something about an output by its `dataId`). */
  readonly withOutputs: (then: (outputs: readonly tf.TensorInfo[]) => void) => void;
  /**
   * `op(a) @ op(b)` on the backend's own matrix product (XNNPACK on wasm), as a new array: for the
   * dense products inside a kernel's loop (e.g. a recurrent layer's backward step). On wasm it
   * allocates on the heap, which may move it: read {@link views} again before touching
   * `inputs`/`outputs` afterwards.
   */
  readonly matMul: (a: HostMatrix, b: HostMatrix, transposeA?: boolean, transposeB?: boolean) => Float32Array;
  /** The inputs' and outputs' data again (on wasm, fresh views of the heap; see {@link matMul}). */
  readonly views: () => { inputs: readonly Float32Array[]; outputs: readonly Float32Array[] };
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
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}
interface CpuLike {
  readSync(dataId: tf.DataId): ArrayLike<number>;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

/** What a host kernel needs of its backend: arrays in and out of its memory. */
interface HostMemory {
  read(t: tf.TensorInfo): Float32Array;
  make(shape: number[], data?: Float32Array): tf.TensorInfo;
  free(t: tf.TensorInfo): void;
}

function hostMemory(backendName: string, backend: object): HostMemory {
  if (backendName === 'wasm') {
    const wasm = backend as WasmLike;
    return {
      read: (t) => wasm.typedArrayFromHeap(t),
      make: (shape, data) => {
        const t = wasm.makeOutput(shape, 'float32');
        const view = wasm.typedArrayFromHeap(t);
        if (data) view.set(data);
        else view.fill(0);
        return t;
      },
      free: (t) => {
        wasm.disposeData(t.dataId);
      },
    };
  }
  const cpu = backend as CpuLike;
  return {
    read: (t) => cpu.readSync(t.dataId) as Float32Array,
    make: (shape, data) =>
      cpu.makeTensorInfo(shape, 'float32', data ?? new Float32Array(shape.reduce((p, d) => p * d, 1))),
    free: (t) => {
      cpu.disposeData(t.dataId);
    },
  };
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
    const a = attrs as unknown as A;
    const outputShapes = config.outputShapes(inputShapes, a);
    const memory = hostMemory(backendName, backend);
    // Allocate first: on wasm the views below stay valid only while the heap does not grow.
    const outs = outputShapes.map((s) => memory.make(s));
    const views = () => ({ inputs: infos.map(memory.read), outputs: outs.map(memory.read) });
    const matMul = (x: HostMatrix, y: HostMatrix, transposeA = false, transposeB = false) => {
      const batchMatMul = tf.getKernel('BatchMatMul', backendName);
      if (!batchMatMul) throw new Error(`${config.kernelName}: backend '${backendName}' has no BatchMatMul.`);
      const owned: tf.TensorInfo[] = [];
      const info = (m: HostMatrix): tf.TensorInfo => {
        if ('input' in m) {
          const t = infos[m.input]!;
          return { dataId: t.dataId, shape: [1, m.rows, m.cols], dtype: 'float32' };
        }
        const t = memory.make([1, m.rows, m.cols], m.data);
        owned.push(t);
        return t;
      };
      const product = batchMatMul.kernelFunc({
        inputs: { a: info(x), b: info(y) },
        backend,
        attrs: { transposeA, transposeB },
      }) as tf.TensorInfo;
      const result = memory.read(product).slice();
      for (const t of [...owned, product]) memory.free(t);
      return result;
    };
    const { inputs: inputArrays, outputs } = views();
    config.compute({
      inputs: inputArrays,
      inputShapes,
      outputs,
      outputShapes,
      attrs: a,
      withOutputs: (then) => {
        after = then;
      },
      matMul,
      views,
    });
    after?.(outs);
    return outs.length === 1 ? outs[0]! : outs;
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
