/**
 * The input panel's three encoders on the CPU, in plain JavaScript, whatever tfjs backend the
 * page runs: the same arithmetic as `@snn/encoders` (Norse's `lif_current_encoder`, Poisson with
 * @snn/core's seeded generator, first-spike latency), checked equal in `test/encode.test.ts`.
 * One 28×28 image over a few dozen steps is tens of thousands of scalar updates: a millisecond here,
 * against a round of kernel launches and a read-back on a GPU backend.
 */
import { Random } from '@snn/core';

const f = Math.fround;

/** LIF parameters the current encoder reads (Norse's names, 1/s). */
export interface EncoderLIF {
  readonly tauMemInv: number;
  readonly vLeak: number;
  readonly vTh: number;
  readonly vReset: number;
}

/** Norse's LIF defaults, as `ConstantCurrentLIFEncoder` uses them. */
export const ENCODER_LIF: EncoderLIF = { tauMemInv: 100, vLeak: 0, vTh: 1, vReset: 0 };

/**
 * Constant-current LIF encoding of `x` (one current per input) over `T` steps: `[T × n]` spikes,
 * time-major. `v` starts at 0; `v ← v + dt·τ_mem⁻¹·((v_leak − v) + x)`, a spike when `v > v_th`, then `v ← v_reset`.
 */
export function constantCurrentSpikes(
  x: Float32Array,
  T: number,
  p: EncoderLIF = ENCODER_LIF,
  dt = 1e-3,
): Uint8Array {
  const n = x.length;
  const out = new Uint8Array(T * n);
  const k = f(f(dt) * f(p.tauMemInv));
  for (let j = 0; j < n; j++) {
    let v = 0;
    const xj = f(x[j]!);
    for (let t = 0; t < T; t++) {
      const vDec = f(v + f(k * f(f(f(p.vLeak) - v) + xj)));
      const z = f(vDec - f(p.vTh)) > 0 ? 1 : 0;
      out[t * n + j] = z;
      v = z ? f(vDec - f(vDec - f(p.vReset))) : vDec;
    }
  }
  return out;
}

/** Only each input's first spike of a `[T × n]` raster (latency coding). */
export function firstSpikesOnly(spikes: Uint8Array, T: number, n: number): Uint8Array {
  const out = new Uint8Array(T * n);
  for (let j = 0; j < n; j++)
    for (let t = 0; t < T; t++)
      if (spikes[t * n + j]) {
        out[t * n + j] = 1;
        break;
      }
  return out;
}

/**
 * Poisson encoding of intensities `x` in [0, 1]: a spike where a uniform sample from @snn/core's
 * `Random(seed)` is below `dt·fMax·x` (the same draws, in the same order, as `poissonEncode`).
 */
export function poissonSpikes(x: Float32Array, T: number, fMax: number, seed: number, dt = 1e-3): Uint8Array {
  const n = x.length;
  const p = f(dt * fMax);
  const rate = Float32Array.from(x, (v) => p * v);
  const u = new Random(seed).uniformArray(T * n);
  const out = new Uint8Array(T * n);
  for (let k = 0; k < T * n; k++) out[k] = u[k]! < rate[k % n]! ? 1 : 0;
  return out;
}
