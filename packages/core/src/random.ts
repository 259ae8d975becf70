import * as tf from '@tensorflow/tfjs-core';

/** The serialisable state of a {@link Random} generator: four 32-bit words of xoshiro128**. */
export interface RandomState {
  readonly algorithm: 'xoshiro128**';
  readonly s: readonly [number, number, number, number];
}

/** Something that can seed a generator: a number, a string, or an existing state. */
export type SeedLike = number | string | RandomState;

function splitmix32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x9e3779b9) >>> 0;
    let z = a;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function hashString(text: string): number {
  // FNV-1a, 32 bit: stable across platforms.
  let h = 0x811c9dc5;
  for (let k = 0; k < text.length; k++) {
    h ^= text.charCodeAt(k);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

/**
 * A seeded pseudo-random generator (xoshiro128**), independent of the tfjs backend: the same seed
 * gives the same numbers in Node and every browser. It is an explicit object you pass around,
 * never a hidden global; its {@link Random.state} can be saved in a checkpoint and restored.
 *
 * @example
 * ```ts
 * const rng = new Random(42);
 * const w = rng.normal([100, 784], 0, Math.sqrt(2 / 100)); // a tensor, reproducible
 * const saved = rng.state;          // store it
 * const again = new Random(saved);  // continue the same stream later
 * ```
 */
export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | undefined;

  constructor(seed: SeedLike = 0) {
    if (typeof seed === 'object') {
      if (seed.algorithm !== 'xoshiro128**' || seed.s.length !== 4) {
        throw new TypeError('Random: a state must come from `random.state` (xoshiro128**, four words).');
      }
      [this.s0, this.s1, this.s2, this.s3] = seed.s.map((w) => w >>> 0) as [number, number, number, number];
    } else {
      if (typeof seed === 'number' && !Number.isFinite(seed)) {
        throw new RangeError(`Random: the seed must be a finite number or a string, got ${seed}.`);
      }
      const base =
        typeof seed === 'string' ? hashString(seed) : (Math.trunc(seed) ^ Math.trunc(seed / 2 ** 32)) >>> 0;
      const next = splitmix32(base);
      this.s0 = next();
      this.s1 = next();
      this.s2 = next();
      this.s3 = next();
      if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    }
    this.spareNormal = undefined;
  }

  /** The current state; `new Random(state)` continues the same stream. */
  get state(): RandomState {
    return { algorithm: 'xoshiro128**', s: [this.s0, this.s1, this.s2, this.s3] };
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    return result;
  }

  /** A float in `[0, 1)` with 24 random bits (exactly representable in float32). */
  next(): number {
    return (this.nextUint32() >>> 8) * 2 ** -24;
  }

  /** A standard normal sample (Box–Muller). */
  nextNormal(): number {
    if (this.spareNormal !== undefined) {
      const s = this.spareNormal;
      this.spareNormal = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** An integer in `[0, n)`. */
  nextInt(n: number): number {
    if (!(Number.isInteger(n) && n > 0 && n <= 2 ** 32)) {
      throw new RangeError(`Random.nextInt: n must be an integer in [1, 2^32], got ${n}.`);
    }
    // Rejection sampling: no modulo bias.
    const limit = 2 ** 32 - (2 ** 32 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /**
   * Fills a new `Float32Array` of `size` uniform samples in `[low, high)`: the same numbers as
   * `size` calls of {@link Random.next}, generated with the state in local variables (a Poisson
   * encoding of an MNIST batch draws 6.4 million).
   */
  uniformArray(size: number, low = 0, high = 1): Float32Array {
    const out = new Float32Array(size);
    const span = high - low;
    // xoshiro128** as in nextUint32, on int32 values (V8 keeps them unboxed); `>>> 8` of the
    // result is the same 24 bits either way.
    let s0 = this.s0 | 0;
    let s1 = this.s1 | 0;
    let s2 = this.s2 | 0;
    let s3 = this.s3 | 0;
    for (let k = 0; k < size; k++) {
      const m = Math.imul(s1, 5);
      const result = Math.imul((m << 7) | (m >>> 25), 9);
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      out[k] = low + span * ((result >>> 8) * 2 ** -24);
    }
    this.s0 = s0 >>> 0;
    this.s1 = s1 >>> 0;
    this.s2 = s2 >>> 0;
    this.s3 = s3 >>> 0;
    return out;
  }

  /** Fills a new `Float32Array` of `size` normal samples. */
  normalArray(size: number, mean = 0, std = 1): Float32Array {
    const out = new Float32Array(size);
    for (let k = 0; k < size; k++) out[k] = mean + std * this.nextNormal();
    return out;
  }

  /** A float32 tensor of uniform samples in `[low, high)`. */
  uniform(shape: readonly number[], low = 0, high = 1): tf.Tensor {
    return tf.tensor(this.uniformArray(sizeOf(shape), low, high), shape.slice(), 'float32');
  }

  /** A float32 tensor of normal samples. */
  normal(shape: readonly number[], mean = 0, std = 1): tf.Tensor {
    return tf.tensor(this.normalArray(sizeOf(shape), mean, std), shape.slice(), 'float32');
  }

  /** A random permutation of `0 .. n-1` (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let k = 0; k < n; k++) out[k] = k;
    for (let k = n - 1; k > 0; k--) {
      const j = this.nextInt(k + 1);
      const tmp = out[k]!;
      out[k] = out[j]!;
      out[j] = tmp;
    }
    return out;
  }

  /** A new, independent generator seeded from this one (advances this one). */
  fork(): Random {
    return new Random({
      algorithm: 'xoshiro128**',
      s: [this.nextUint32(), this.nextUint32(), this.nextUint32(), this.nextUint32() | 1],
    });
  }
}

function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!(Number.isInteger(d) && d >= 0)) throw new RangeError(`Random: bad shape [${shape.join(', ')}].`);
    n *= d;
  }
  return n;
}

/** Shorthand for `new Random(seed)`. */
export function seed(value: SeedLike = 0): Random {
  return new Random(value);
}
