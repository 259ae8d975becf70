/**
 * The side channels between our kernels: what a forward kernel leaves for its gradient, what one
 * kernel tells the next about a tensor it produced, and the scratch arrays they reuse. Everything a
 * kernel keeps beyond one call lives here, in three documented places, with {@link resetSideChannels}
 * for tests. None of it changes a result: dropping any of it costs time, not correctness.
 */

/** The non-zero entries of a row-major `[rows, n]` matrix: flat indices (ascending) and values. */
export interface Events {
  readonly index: Int32Array;
  readonly value: Float32Array;
}

// 1. Stashes: a forward kernel's results for its gradient.

/**
 * What a forward kernel leaves for its gradient kernel. tfjs hands a kernel's attributes, unchanged,
 * to its gradient function, so a fresh stash per call (in the attributes) carries compact forward
 * results (spike events, decayed voltages) to the backward pass instead of saved tensors, which
 * tfjs would copy (on wasm, every saved tensor is cloned into new heap memory).
 */
export interface Stash<T> {
  value?: T;
}

/**
 * The forward result a gradient kernel consumes, once: taken out of the stash so that its arrays
 * can be handed back for reuse (a second gradient of the same forward pass would read them reused).
 */
export function takeStash<T>(stash: Stash<T>, kernel: string): T {
  const value = stash.value;
  if (value === undefined)
    throw new Error(
      `${kernel}: its forward result was already used by a gradient; compute each gradient once per forward pass (call the op again under the new tape).`,
    );
  delete stash.value;
  return value;
}

// 2. Known events: spikes that a kernel produced, for the event-driven kernels that read them next.

/**
 * The spike events of tensors that our kernels produced, by their data (tfjs tensor data is
 * immutable and a reshape shares it), so an event-driven consumer skips scanning them. Entries go
 * when their tensors' data is collected.
 */
let knownEvents = new WeakMap<object, Events>();

/** Remembers the events of the tensor whose data is `dataId`. */
export function rememberEvents(dataId: object, events: Events): void {
  knownEvents.set(dataId, events);
}

/** The events of the tensor whose data is `dataId`, when a kernel remembered them. */
export function recallEvents(dataId: object): Events | undefined {
  return knownEvents.get(dataId);
}

// 3. Scratch arrays: reused forward results.

/*
 * A conv net's LIF layer keeps two 35 MB arrays per chunk of 16 samples until its gradient has run;
 * allocated afresh each time, the operating system zeroes their pages again and again (a third of a
 * training batch's time went to page faults). Arrays handed back are reused by the next kernel that
 * asks for the same length; their contents are then stale, so callers write every element before
 * reading any.
 */
type Kind = 'f32' | 'i32';
const KEEP_PER_SIZE = 4;
let free = new Map<string, (Float32Array | Int32Array)[]>();

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

/** Forgets every remembered event list and scratch array (tests; never needed for correctness). */
export function resetSideChannels(): void {
  knownEvents = new WeakMap();
  free = new Map();
}
