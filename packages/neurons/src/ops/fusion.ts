import { f32, hasScalarForm, hasShaderForm, type Param, type SurrogateMethod, surrogate } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import type { LIConstants, LIFConstants } from '../kernels/names.js';

/**
 * When the fused kernels apply: their constants are numbers (a tensor parameter, e.g. one time
 * constant per neuron, runs the step composition) and the surrogate has the form the backend's
 * kernels need (a scalar form on cpu/wasm, a shader form on webgl/webgpu).
 */

/** The parameters the LIF kernels read (those of `LIFParams`). */
export interface LIFLike {
  readonly tauSynInv: Param;
  readonly tauMemInv: Param;
  readonly vLeak: Param;
  readonly vTh: Param;
  readonly vReset: Param;
  readonly method: SurrogateMethod;
  readonly alpha: Param;
}

/** Where the kernels run: on the host (cpu, wasm) or in GPU step programs (webgl, webgpu). */
export type KernelPlace = 'host' | 'gpu';

/** The place of the active backend's kernels, if it has ours. */
export function kernelPlace(): KernelPlace | undefined {
  const b = tf.getBackend();
  if (b === 'cpu' || b === 'wasm') return 'host';
  if (b === 'webgl' || b === 'webgpu') return 'gpu';
  return undefined;
}

const isNumber = (p: Param): p is number => typeof p === 'number';

/**
 * The LIF constants of the kernels, each rounded to float32 as torch rounds `dt * param`, or
 * `undefined` where they cannot run these parameters (a tensor parameter, or a surrogate without the
 * form this place needs).
 */
export function lifConstants(params: LIFLike, dt: number, place: KernelPlace): LIFConstants | undefined {
  const p = params;
  if (![p.tauSynInv, p.tauMemInv, p.vLeak, p.vTh, p.vReset].every(isNumber)) return undefined;
  if (p.alpha !== undefined && !isNumber(p.alpha)) return undefined;
  let s: ReturnType<typeof surrogate>;
  try {
    s = surrogate(p.method);
  } catch {
    return undefined;
  }
  if (place === 'host' ? !hasScalarForm(s) : !hasShaderForm(s)) return undefined;
  return {
    A: f32(f32(dt) * f32(p.tauMemInv as number)),
    C: -f32(f32(dt) * f32(p.tauSynInv as number)),
    vL: f32(p.vLeak as number),
    vTh: f32(p.vTh as number),
    vR: f32(p.vReset as number),
    surrogate: s,
    alpha: (p.alpha as number | undefined) ?? s.defaultAlpha,
  };
}

/** The leaky integrator's kernel constants, or `undefined` for tensor parameters. */
export function liConstants(
  params: { readonly tauSynInv: Param; readonly tauMemInv: Param; readonly vLeak: Param },
  dt: number,
): LIConstants | undefined {
  const { tauSynInv, tauMemInv, vLeak } = params;
  if (![tauSynInv, tauMemInv, vLeak].every(isNumber)) return undefined;
  return {
    A: f32(f32(dt) * f32(tauMemInv as number)),
    S: f32(f32(dt) * f32(tauSynInv as number)),
    vL: f32(vLeak as number),
  };
}

/** `x` as float32 (the kernels read float32). */
export function asFloat32<T extends tf.Tensor>(x: T): T {
  return x.dtype === 'float32' ? x : (tf.cast(x, 'float32') as T);
}
