import { checkDt, floatMask, HOST_BACKENDS, Random, tidy } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { checkSeqLength, type Encoder } from './encoder.js';

/** Options of the Poisson encoders. */
export interface PoissonOptions {
  /** Maximum firing rate (Hz), reached at `x = 1`. Default 100. */
  readonly fMax?: number;
  /** Time step (s). Default 1e-3. */
  readonly dt?: number;
  /** The generator to draw from (advanced by each call). */
  readonly rng?: Random;
  /** A seed for a fresh generator when no `rng` is given: same seed, same spikes. */
  readonly seed?: number;
}

function resolve(options: PoissonOptions): { p: number; rng: Random } {
  const dt = checkDt(options.dt ?? 1e-3, 'poisson encoder');
  const fMax = options.fMax ?? 100;
  if (!(Number.isFinite(fMax) && fMax >= 0))
    throw new RangeError(`poisson encoder: fMax must be a rate in Hz >= 0, got ${fMax}.`);
  const rng = options.rng ?? new Random(options.seed ?? Math.floor(Math.random() * 2 ** 32));
  // Norse: `dt * f_max` in double precision, then a float32 tensor product with x.
  return { p: Math.fround(dt * fMax), rng };
}

/** On cpu and wasm the spikes are drawn on the host, where the uniforms come from anyway. */
function onHost(x: tf.Tensor): boolean {
  return x.dtype === 'float32' && HOST_BACKENDS.includes(tf.getBackend());
}

/**
 * The same spikes as the tensor ops (`U < p * x` in float32: the uniforms have 24 bits, so the
 * comparison is exact), written into the uniforms' own array: no uniform tensor, product,
 * comparison or cast per call (a batch of MNIST at T 32 is 6.4 million elements).
 */
function hostSpikes(x: tf.Tensor, seqLength: number, p: number, rng: Random, signed: boolean): tf.Tensor {
  const xs = x.dataSync() as Float32Array;
  const n = xs.length;
  const rate = new Float32Array(n);
  for (let j = 0; j < n; j++) rate[j] = p * (signed ? Math.abs(xs[j]!) : xs[j]!);
  const out = rng.uniformArray(seqLength * n);
  const value = signed ? Float32Array.from(xs, Math.sign) : new Float32Array(n).fill(1);
  for (let t = 0; t < seqLength; t++) {
    const step = out.subarray(t * n, (t + 1) * n);
    for (let j = 0; j < n; j++) step[j] = step[j]! < rate[j]! ? value[j]! : 0;
  }
  return tf.tensor(out, [seqLength, ...x.shape], 'float32');
}

/**
 * Poisson (Bernoulli) spike trains (Norse `poisson_encode`): `out[t] = U[0,1) < dt*fMax*x`,
 * independent for every step and element. `x` is a rate in `[0, 1]` (relative to `fMax`).
 * Reproducible from `seed`/`rng` on every backend (the uniforms come from @snn/core's `Random`).
 *
 * @returns spikes `[seqLength, ...x.shape]`
 */
export function poissonEncode(x: tf.Tensor, seqLength: number, options: PoissonOptions = {}): tf.Tensor {
  checkSeqLength('poissonEncode', seqLength);
  const { p, rng } = resolve(options);
  if (onHost(x)) return hostSpikes(x, seqLength, p, rng, false);
  return tidy(() => {
    const u = rng.uniform([seqLength, ...x.shape]);
    return floatMask(tf.less(u, tf.mul(p, x)));
  });
}

/**
 * Signed Poisson spike trains (Norse `signed_poisson_encode`): the rate is `|x|`, each spike
 * carries the sign of `x` (−1, 0 or +1).
 */
export function signedPoissonEncode(
  x: tf.Tensor,
  seqLength: number,
  options: PoissonOptions = {},
): tf.Tensor {
  checkSeqLength('signedPoissonEncode', seqLength);
  const { p, rng } = resolve(options);
  if (onHost(x)) return hostSpikes(x, seqLength, p, rng, true);
  return tidy(() => {
    const u = rng.uniform([seqLength, ...x.shape]);
    return tf.mul(tf.sign(x), tf.cast(tf.less(u, tf.mul(p, tf.abs(x))), 'float32'));
  });
}

/** Poisson encoder (Norse `PoissonEncoder`); each call draws new spikes from its own generator. */
export class PoissonEncoder implements Encoder {
  readonly name: string = 'PoissonEncoder';
  readonly fMax: number;
  readonly dt: number;
  /** The generator this encoder draws from; its `state` can be saved and restored. */
  readonly rng: Random;
  constructor(
    readonly seqLength: number,
    options: PoissonOptions = {},
  ) {
    checkSeqLength(this.name, seqLength);
    this.fMax = options.fMax ?? 100;
    this.dt = options.dt ?? 1e-3;
    this.rng = options.rng ?? new Random(options.seed ?? Math.floor(Math.random() * 2 ** 32));
  }
  encode(x: tf.Tensor): tf.Tensor {
    return poissonEncode(x, this.seqLength, { fMax: this.fMax, dt: this.dt, rng: this.rng });
  }
}

/** Signed Poisson encoder (Norse `SignedPoissonEncoder`). */
export class SignedPoissonEncoder extends PoissonEncoder {
  override readonly name = 'SignedPoissonEncoder';
  override encode(x: tf.Tensor): tf.Tensor {
    return signedPoissonEncode(x, this.seqLength, { fMax: this.fMax, dt: this.dt, rng: this.rng });
  }
}
