import { KERNELS_WASM_BASE64 } from './wasm-kernels.js';

/**
 * A stride-1 'valid' convolution driven by the events of its input `x [F, H, W, C]` (indices `ev`,
 * values `vals`, `count` of them): `convScatter` adds kernel patches of `w` into `y`, `convGather`
 * accumulates the filter gradient into `w` from `y` (= dy). Pointers into the module's memory.
 */
type ConvEvents = (
  ev: number,
  vals: number,
  count: number,
  H: number,
  W: number,
  C: number,
  k: number,
  OH: number,
  OW: number,
  w: number,
  o4: number,
  y: number,
) => void;

/** The exports of `wasm/kernels.wat` (pointers are byte offsets into `memory`). */
export interface SimdKernels {
  readonly memory: WebAssembly.Memory;
  spmm(x: number, rows: number, n: number, wT: number, o4: number, y: number): void;
  spmmT(x: number, rows: number, n: number, dy: number, o4: number, g: number): void;
  countNonzero(x: number, len: number): number;
  events(x: number, len: number, ev: number, vals: number): void;
  scatterRows(ev: number, vals: number, count: number, n: number, wT: number, o4: number, y: number): void;
  gatherRows(ev: number, vals: number, count: number, n: number, dy: number, o4: number, g: number): void;
  lifStep(
    input: number,
    rec: number,
    v: number,
    cur: number,
    z: number,
    d: number,
    n: number,
    A: number,
    C: number,
    vL: number,
    vTh: number,
    vR: number,
    ev: number,
  ): number;
  lifBackStep(
    gzOut: number,
    gzRec: number,
    z: number,
    sg: number,
    gv: number,
    gi: number,
    gI: number,
    n: number,
    A: number,
    C: number,
  ): void;
  superSpikeGrad(d: number, n: number, vTh: number, alpha: number, sg: number): void;
  maxPool(x: number, F: number, H: number, W: number, C: number, k: number, y: number, arg: number): void;
  convScatter: ConvEvents;
  convGather: ConvEvents;
  lifFFBackStep(
    gzOut: number,
    z: number,
    d: number,
    sg: number,
    gv: number,
    gi: number,
    gI: number,
    n: number,
    A: number,
    C: number,
    vR: number,
  ): void;
}

/** The instantiated module, `null` where WebAssembly SIMD is unavailable, `undefined` before the first try. */
let instance: SimdKernels | null | undefined;

let enabled = true;

/**
 * Turns the SIMD kernels off (and on again), so tests can check the plain-JavaScript fallback
 * that engines without WebAssembly SIMD run. Not exported from the package.
 */
export function setSimdKernelsEnabled(on: boolean): void {
  enabled = on;
}

/**
 * Whether the event-driven kernels run their inner loops in WebAssembly SIMD here (else in plain
 * JavaScript, with the same results). Reported by `snn-train info`.
 */
export function hasSimdKernels(): boolean {
  return simdKernels() !== null;
}

/** The WebAssembly SIMD kernels, compiled on first use; `null` where the engine lacks SIMD. */
export function simdKernels(): SimdKernels | null {
  if (!enabled) return null;
  if (instance !== undefined) return instance;
  try {
    const bytes = Uint8Array.from(atob(KERNELS_WASM_BASE64), (c) => c.charCodeAt(0));
    instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as unknown as SimdKernels;
  } catch {
    instance = null;
  }
  return instance;
}

/**
 * Blocks of the kernels' memory for one call: `alloc` every block first, then `grow`, then take
 * views (growing the memory detaches earlier views).
 */
export class Arena {
  private end = 0;
  constructor(readonly k: SimdKernels) {}
  /** Reserves `length` 4-byte elements, 16-byte aligned; returns the byte offset. */
  alloc(length: number): number {
    const at = this.end;
    this.end += (length * 4 + 15) & ~15;
    return at;
  }
  /** Grows the memory to hold every block reserved so far. */
  grow(): this {
    const have = this.k.memory.buffer.byteLength;
    if (this.end > have) this.k.memory.grow(Math.ceil((this.end - have) / 65536));
    return this;
  }
  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.k.memory.buffer, ptr, length);
  }
  i32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.k.memory.buffer, ptr, length);
  }
}

/** `m [rows, cols]` copied into `dst` with rows `stride` floats apart. */
export function putPadded(
  dst: Float32Array,
  m: ArrayLike<number>,
  rows: number,
  cols: number,
  stride: number,
) {
  if (stride === cols) dst.set(m);
  else for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) dst[r * stride + c] = m[r * cols + c]!;
}

/** `src`'s rows (`stride` floats apart) copied into `out [rows, cols]`. */
export function takePadded(out: Float32Array, src: Float32Array, rows: number, cols: number, stride: number) {
  if (stride === cols) out.set(src.subarray(0, rows * cols));
  else for (let r = 0; r < rows; r++) out.set(src.subarray(r * stride, r * stride + cols), r * cols);
}
