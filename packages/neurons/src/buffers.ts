/**
 * Reused scratch arrays for the fused kernels' forward results, which live until their gradient has
 * run. A conv net's LIF layer keeps two 35 MB arrays per chunk of 16 samples; allocated afresh each
 * time, the operating system zeroes their pages again and again (a third of a training batch's time
 * went to page faults). Arrays handed back are reused by the next kernel that asks for the same
 * length; their contents are then stale, so callers write every element before reading any.
 */

type Kind = 'f32' | 'i32';
const KEEP_PER_SIZE = 4;
const free = new Map<string, (Float32Array | Int32Array)[]>();

function borrow<A extends Float32Array | Int32Array>(kind: Kind, n: number, make: (n: number) => A): A {
  return (free.get(`${kind}:${n}`)?.pop() as A | undefined) ?? make(n);
}

/** A float32 array of length `n`, reused when one was handed back (contents unspecified). */
export const borrowF32 = (n: number): Float32Array => borrow('f32', n, (k) => new Float32Array(k));

/** An int32 array of length `n`, reused when one was handed back (contents unspecified). */
export const borrowI32 = (n: number): Int32Array => borrow('i32', n, (k) => new Int32Array(k));

/** Hands arrays back for reuse; the caller must not touch them afterwards. */
export function handBack(...arrays: (Float32Array | Int32Array)[]): void {
  for (const a of arrays) {
    const key = `${a instanceof Float32Array ? 'f32' : 'i32'}:${a.length}`;
    const list = free.get(key) ?? [];
    if (list.length < KEEP_PER_SIZE && !list.includes(a)) list.push(a);
    free.set(key, list);
  }
}
