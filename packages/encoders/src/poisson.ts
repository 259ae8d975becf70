import { checkDt, Random, tidy } from '@snn/core';
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
  return tidy(() => {
    const u = rng.uniform([seqLength, ...x.shape]);
    return tf.cast(tf.less(u, tf.mul(p, x)), 'float32');
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
