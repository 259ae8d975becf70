import { f32, type SurrogateMethod, tidy } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_LIF_PARAMS, type LIFParams } from './lif.js';
import { prefersExplicitTranspose } from './ops.js';

/** Scalar surrogate derivatives of the built-in methods, for the fused CPU kernel. */
const SCALAR_SURROGATES: Readonly<Record<string, (x: number, a: number) => number>> = {
  super: (x, a) => 1 / (a * Math.abs(x) + 1) ** 2,
  fastSigmoid: (x, a) => 1 / (a * Math.abs(x) + 1) ** 2,
  triangle: (x, a) => a * Math.max(0, 1 - Math.abs(x)),
  tanh: (x, a) => 1 - Math.tanh(a * x) ** 2,
  circ: (x, a) => a ** 3 / (a * a + x * x) ** 1.5,
  heavi_erfc: (x, a) => (2 * Math.exp(-((a * x) ** 2))) / Math.sqrt(Math.PI),
  heaviErfc: (x, a) => (2 * Math.exp(-((a * x) ** 2))) / Math.sqrt(Math.PI),
  heaviside: () => 0,
  atan: (x, a) => a / 2 / (1 + ((Math.PI / 2) * a * x) ** 2),
};
const DEFAULT_ALPHA: Readonly<Record<string, number>> = {
  super: 100,
  fastSigmoid: 25,
  triangle: 0.3,
  tanh: 100,
  circ: 100,
  heavi_erfc: 100,
  heaviErfc: 100,
  heaviside: 0,
  atan: 2,
};

/** Backends whose tensors live in CPU memory, where the fused loop reads and writes them directly. */
export const FUSED_BACKENDS: readonly string[] = ['cpu', 'wasm'];

/**
 * Whether {@link lifRecurrentSequence} can run here: a CPU-memory backend, every parameter a number
 * and a built-in surrogate. Otherwise use the composition of {@link lifRecurrentStep} (the reference).
 */
export function canFuseLIFRecurrent(params: LIFParams = DEFAULT_LIF_PARAMS): boolean {
  const numeric = [
    params.tauSynInv,
    params.tauMemInv,
    params.vLeak,
    params.vTh,
    params.vReset,
    params.alpha,
  ].every((p) => typeof p === 'number');
  return (
    numeric &&
    typeof params.method === 'string' &&
    params.method in SCALAR_SURROGATES &&
    FUSED_BACKENDS.includes(tf.getBackend())
  );
}

/**
 * Whether {@link lifCurrentEncoderSequence} can run here (same conditions as the recurrent kernel).
 */
export const canFuseLIFEncoder = canFuseLIFRecurrent;

function surrogateOf(method: SurrogateMethod): (x: number, a: number) => number {
  const s = typeof method === 'string' ? SCALAR_SURROGATES[method] : undefined;
  if (!s)
    throw new Error(
      'lifRecurrentSequence: only built-in surrogates are fused (use lifRecurrentStep for custom ones).',
    );
  return s;
}

/**
 * A whole sequence of Norse's recurrent LIF (`lifRecurrentStep` from the zero state, `v = vLeak`),
 * fused into one op with a hand-written BPTT backward: `currents [T, B, H]` are the input currents
 * `x_t @ Win^T` (compute them for all steps with one matrix product), `recurrentWeights [H, H]`.
 * Returns the spikes `[T, B, H]`.
 *
 * Spikes are binary and sparse, so the recurrent input adds the weight rows of the neurons that
 * fired (and the weight gradient accumulates only at spikes). Every operation is rounded to float32
 * as the reference computes it; tests check values and gradients against the composition of
 * {@link lifRecurrentStep} on cpu and wasm. Only for CPU-memory backends ({@link canFuseLIFRecurrent}).
 */
export function lifRecurrentSequence(
  currents: tf.Tensor,
  recurrentWeights: tf.Tensor,
  params: LIFParams = DEFAULT_LIF_PARAMS,
  dt = 1e-3,
): tf.Tensor {
  if (currents.rank !== 3)
    throw new Error(`lifRecurrentSequence: currents must be [T, B, H], got [${currents.shape.join(', ')}].`);
  const [T, B, H] = currents.shape as [number, number, number];
  if (recurrentWeights.shape[0] !== H || recurrentWeights.shape[1] !== H) {
    throw new Error(
      `lifRecurrentSequence: recurrentWeights must be [${H}, ${H}], got [${recurrentWeights.shape.join(', ')}].`,
    );
  }
  const p = params as LIFParams &
    Record<'tauSynInv' | 'tauMemInv' | 'vLeak' | 'vTh' | 'vReset' | 'alpha', number>;
  const sur = surrogateOf(p.method);
  const alpha = (p.alpha as number | undefined) ?? DEFAULT_ALPHA[p.method as string]!;
  const A = f32(f32(dt) * f32(p.tauMemInv));
  const C = -f32(f32(dt) * f32(p.tauSynInv));
  const vL = f32(p.vLeak);
  const vTh = f32(p.vTh);
  const vR = f32(p.vReset);
  const r = Math.fround;
  const N = B * H;

  /**
   * `a [B, H] @ m [H, H]` (or `@ m^T`) on the active backend, read back: one plain product per step.
   * Not `linear()`: inside this op's forward its custom gradient would be recorded again per step
   * (measured 0.36 vs 0.28 s per training batch on wasm).
   */
  const product = (a: Float32Array, m: tf.Tensor, transposeM = false): Float32Array => {
    const out = tf.tidy(() => tf.matMul(tf.tensor2d(a, [B, H]), m, false, transposeM));
    const data = out.dataSync() as Float32Array;
    out.dispose();
    return data;
  };

  const op = tf.customGrad((cIn, wIn, save) => {
    const I = (cIn as tf.Tensor).dataSync() as Float32Array;
    const w = wIn as tf.Tensor;
    (save as tf.GradSaveFunc)([w]);
    // z_{t-1} @ W^T, computed exactly as the reference's `linear` does on this backend.
    const wT = tf.transpose(w);
    const z = new Float32Array(T * N);
    const d = new Float32Array(T * N); // vDec, for the surrogate in backward
    const v = new Float32Array(N).fill(vL);
    const i = new Float32Array(N);
    let rec: Float32Array = new Float32Array(N);
    for (let t = 0; t < T; t++) {
      const base = t * N;
      if (t > 0) {
        const prev = z.subarray((t - 1) * N, t * N);
        rec = prev.some((x) => x !== 0)
          ? prefersExplicitTranspose()
            ? product(prev, wT)
            : product(prev, w, true)
          : new Float32Array(N);
      }
      for (let n = 0; n < N; n++) {
        const j = r(r(i[n]! + I[base + n]!) + rec[n]!);
        const vd = r(v[n]! + r(A * r(r(vL - v[n]!) + j)));
        const spike = vd > vTh ? 1 : 0;
        d[base + n] = vd;
        z[base + n] = spike;
        v[n] = spike ? vR : vd;
        i[n] = r(j + r(C * j));
      }
    }
    wT.dispose();
    return {
      value: tf.tensor3d(z, [T, B, H]),
      gradFunc: (dyIn, saved) => {
        const gzOut = (dyIn as tf.Tensor).dataSync() as Float32Array;
        const wSaved = saved[0] as tf.Tensor;
        const gI = new Float32Array(T * N);
        const gv = new Float32Array(N); // dL/dv_t (after reset)
        const gi = new Float32Array(N); // dL/di_t (after decay)
        let gzRec: Float32Array = new Float32Array(N); // dL/dz_t through the next step's recurrent input
        const gj = new Float32Array(N);
        for (let t = T - 1; t >= 0; t--) {
          const base = t * N;
          for (let n = 0; n < N; n++) {
            const zt = z[base + n]!;
            const gz = gzOut[base + n]! + gzRec[n]!;
            // v = (1 - z) d + z vR, z detached; z = H(d - vTh) with the surrogate.
            const gd = gv[n]! * (1 - zt) + gz * sur(d[base + n]! - vTh, alpha);
            // d = v_prev + A((vL - v_prev) + j); i = j + C j.
            const gjn = gd * A + gi[n]! * (1 + C);
            gj[n] = gjn;
            gv[n] = gd * (1 - A);
            gi[n] = gjn;
            gI[base + n] = gjn;
          }
          // dL/dz_{t-1} = gj_t @ W.
          gzRec = t > 0 ? product(gj, wSaved) : gzRec;
        }
        // dL/dW = Σ_t gj_t^T z_{t-1}: one product over all steps (gj_t is gI_t).
        const gW = tf.tidy(() => {
          const g = tf.tensor2d(gI.subarray(N), [(T - 1) * B, H]);
          const zp = tf.tensor2d(z.subarray(0, (T - 1) * N), [(T - 1) * B, H]);
          return T > 1 ? tf.matMul(tf.transpose(g), zp) : tf.zeros([H, H]);
        });
        return [tf.tensor3d(gI, [T, B, H]), gW];
      },
    };
  });

  return tidy(() => op(currents, recurrentWeights));
}

/**
 * `seqLength` steps of Norse's LIF current encoder (`lifCurrentEncoderStep` from `v = 0`, the input
 * a constant current) fused into one op with its BPTT backward, for CPU-memory backends. Values
 * are computed with the reference's float32 operations in its order (identical spikes); the
 * gradient with respect to the input matches the composition's (reset not detached, as Norse).
 * Measured on wasm: it needs less memory (peak RSS 0.44 vs 0.72 GiB for the tutorial's training
 * batch) but is slower than the composition (0.28 vs 0.255 s per batch), so the encoders do not
 * use it by default; call it directly where memory matters.
 *
 * @returns spikes `[seqLength, ...x.shape]`
 */
export function lifCurrentEncoderSequence(
  x: tf.Tensor,
  seqLength: number,
  params: LIFParams = DEFAULT_LIF_PARAMS,
  dt = 1e-3,
): tf.Tensor {
  const p = params as LIFParams & Record<'tauMemInv' | 'vLeak' | 'vTh' | 'vReset' | 'alpha', number>;
  const sur = surrogateOf(p.method);
  const alpha = (p.alpha as number | undefined) ?? DEFAULT_ALPHA[p.method as string]!;
  const A = f32(f32(dt) * f32(p.tauMemInv));
  const vL = f32(p.vLeak);
  const vTh = f32(p.vTh);
  const vR = f32(p.vReset);
  const r = Math.fround;
  const T = seqLength;
  const op = tf.customGrad((xIn) => {
    const xs = (xIn as tf.Tensor).dataSync() as Float32Array;
    const N = xs.length;
    const z = new Float32Array(T * N);
    const d = new Float32Array(T * N);
    const v = new Float32Array(N);
    for (let t = 0; t < T; t++) {
      const base = t * N;
      for (let n = 0; n < N; n++) {
        const vd = r(v[n]! + r(A * r(r(vL - v[n]!) + xs[n]!)));
        const spike = vd > vTh ? 1 : 0;
        d[base + n] = vd;
        z[base + n] = spike;
        v[n] = spike ? r(vd - r(vd - vR)) : vd;
      }
    }
    return {
      value: tf.tensor(z, [T, ...(xIn as tf.Tensor).shape]),
      gradFunc: (dyIn) => {
        const gz = (dyIn as tf.Tensor).dataSync() as Float32Array;
        const gx = new Float64Array(N);
        const gv = new Float64Array(N); // dL/dv after step t
        for (let t = T - 1; t >= 0; t--) {
          const base = t * N;
          for (let n = 0; n < N; n++) {
            const vd = d[base + n]!;
            const zt = z[base + n]!;
            // vNew = vd - z (vd - vR), z = H(vd - vTh) with the surrogate (not detached).
            const gzTotal = gz[base + n]! - gv[n]! * (vd - vR);
            const gd = gv[n]! * (1 - zt) + gzTotal * sur(vd - vTh, alpha);
            gx[n] = gx[n]! + gd * A;
            gv[n] = gd * (1 - A);
          }
        }
        return tf.tensor(Float32Array.from(gx), (xIn as tf.Tensor).shape);
      },
    };
  });
  return tidy(() => op(x));
}
