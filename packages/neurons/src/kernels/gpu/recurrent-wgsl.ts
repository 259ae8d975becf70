import type { LIFConstants } from '../names.js';
import { lifPrograms } from './programs.js';
import { GT, keyOf, statements, type WGSLProgram } from './wgsl.js';

/**
 * The recurrent LIF layer over a whole sequence in one launch on webgpu: one workgroup per sample,
 * one thread per hidden neuron (or a few, for more than 256), the previous step's spikes (forward)
 * or current gradients (backward) shared in workgroup memory, a barrier between steps. The
 * recurrent weights sit in workgroup memory too where they fit (`(H² + H) · 4` bytes within the
 * device's limit: 48 KiB on NVIDIA's Vulkan driver holds the tutorial's 100 × 100; WebGPU
 * guarantees only 16 KiB, SwiftShader has 32 KiB), else they are read from storage (cached).
 * Each step runs the per-step kernels' own statements (`lifPrograms`), so the values are theirs;
 * the recurrent input sums the weights of the neurons that fired, in neuron order.
 */

/** How a recurrent program is laid out for `H` hidden neurons. */
export interface RecurrentLayout {
  /** Threads per workgroup, and hidden neurons per thread. */
  readonly threads: number;
  readonly perThread: number;
  /** Whether the `H × H` weights are copied into workgroup memory. */
  readonly sharedWeights: boolean;
}

/**
 * The layout for `H` neurons within `storage` bytes of workgroup memory, or `undefined` when not
 * even one step's spikes fit (then the per-step kernels run).
 */
export function recurrentLayout(H: number, storage: number): RecurrentLayout | undefined {
  if (4 * H > storage) return undefined;
  const threads = Math.min(256, 32 * Math.ceil(H / 32));
  return { threads, perThread: Math.ceil(H / threads), sharedWeights: 4 * (H * H + H) <= storage };
}

/** The workgroup's sample (tfjs may fold a long dispatch into two or three dimensions). */
const SAMPLE =
  'let b = i32(workgroupId.x + workgroupId.y * numWorkgroups.x + workgroupId.z * numWorkgroups.x * numWorkgroups.y);';

/** Shared declarations, the copy of `source` into workgroup memory, and the weight read `w(e)`. */
/** `body` for each neuron `h` this thread owns (`k`-th of its share) in sample `b`. */
function eachNeuron(H: number, L: RecurrentLayout, body: string): string {
  return `
      for (var k = 0; k < ${L.perThread}; k++) {
        let h = lid + k * ${L.threads};
        if (h < ${H} && b < uniforms.count) {
          ${body}
        }
      }`;
}

function weights(source: string, H: number, L: RecurrentLayout) {
  return L.sharedWeights
    ? {
        decl: `var<workgroup> ws : array<f32, ${H * H}>;`,
        load: `for (var e = lid; e < ${H * H}; e = e + ${L.threads}) { ws[e] = f32(${source}[e]); }`,
        at: (e: string) => `ws[${e}]`,
      }
    : { decl: '', load: '', at: (e: string) => `f32(${source}[${e}])` };
}

/**
 * Forward from `Z0`, `V0`, `I0` `[B·H]`, driven by `Currents [T·B·H]`, with `WT` the transposed
 * recurrent weights (`WT[j·H + h] = W[h, j]`: threads read consecutive elements). Output
 * `[d (T·B·H) | z (T·B·H) | v_T (B·H) | i_T (B·H)]`.
 */
export function recurrentForwardWGSL(
  a: LIFConstants,
  T: number,
  B: number,
  H: number,
  L: RecurrentLayout,
): WGSLProgram {
  const P = lifPrograms(a);
  const TBH = T * B * H;
  const BH = B * H;
  const W = weights('WT', H, L);
  const each = (body: string) => eachNeuron(H, L, body);
  return {
    key: `lifrec_${keyOf(P.next)}_${T}_${B}_${H}_${L.threads}_${L.sharedWeights}`,
    inputs: ['Currents', 'WT', 'Z0', 'V0', 'I0'],
    size: 2 * TBH + 2 * BH,
    workgroupSize: L.threads,
    workgroups: B,
    count: B,
    code: `
    ${GT}
    var<workgroup> zs : array<f32, ${H}>;
    ${W.decl}
    fn main(index : i32) {
      ${SAMPLE}
      let lid = i32(localIndex);
      var st0 : array<f32, ${L.perThread}>;
      var st1 : array<f32, ${L.perThread}>;
      var zn : array<f32, ${L.perThread}>;
      ${each(`zs[h] = f32(Z0[b * ${H} + h]);`)}
      ${W.load}
      workgroupBarrier();
      for (var t = 0; t < ${T}; t++) {
        ${each(`
          var rec = 0.0;
          for (var j = 0; j < ${H}; j++) {
            let zj = zs[j];
            if (zj != 0.0) { rec = rec + zj * ${W.at(`j * ${H} + h`)}; }
          }
          let ix = (t * ${B} + b) * ${H} + h;
          let i = f32(Currents[ix]);
          if (t == 0) {
            let v0 = f32(V0[b * ${H} + h]);
            let i0 = f32(I0[b * ${H} + h]);
            let rec0 = rec;
            ${statements(P.start, '            ')}
            st0[k] = d; st1[k] = cn; zn[k] = z;
            result[ix] = d;
            result[${TBH} + ix] = z;
          } else {
            let s0 = st0[k];
            let s1 = st1[k];
            ${statements(P.next, '            ')}
            st0[k] = d; st1[k] = cn; zn[k] = z;
            result[ix] = d;
            result[${TBH} + ix] = z;
          }`)}
        workgroupBarrier();
        ${each('zs[h] = zn[k];')}
        workgroupBarrier();
      }
      ${each(`
          let sd = st0[k];
          let sc = st1[k];
          let sz = zn[k];
          ${statements(P.final, '          ')}
          result[${2 * TBH} + b * ${H} + h] = v;
          result[${2 * TBH + BH} + b * ${H} + h] = sc;`)}
    }`,
  };
}

/**
 * BPTT of {@link recurrentForwardWGSL} (reset detached) from `Dz [T·B·H]`, `DzT`, `Dv`, `Di`
 * `[B·H]`, the weights `W` and the forward's output `Saved`: each step's `gj W` from the step after
 * it (in workgroup memory). Output `[gI (T·B·H) | gz0 (B·H) | gv0 (B·H) | gi0 (B·H)]`.
 */
export function recurrentBackwardWGSL(
  a: LIFConstants,
  T: number,
  B: number,
  H: number,
  L: RecurrentLayout,
): WGSLProgram {
  const P = lifPrograms(a);
  const TBH = T * B * H;
  const BH = B * H;
  const W = weights('W', H, L);
  const each = (body: string) => eachNeuron(H, L, body);
  const gjW = (into: string) =>
    `for (var q = 0; q < ${H}; q++) { ${into} = ${into} + gjs[q] * ${W.at(`q * ${H} + h`)}; }`;
  return {
    key: `lifrecback_${keyOf(P.back)}_${T}_${B}_${H}_${L.threads}_${L.sharedWeights}`,
    inputs: ['Dz', 'DzT', 'Dv', 'Di', 'W', 'Saved'],
    size: TBH + 3 * BH,
    workgroupSize: L.threads,
    workgroups: B,
    count: B,
    code: `
    ${GT}
    var<workgroup> gjs : array<f32, ${H}>;
    ${W.decl}
    fn main(index : i32) {
      ${SAMPLE}
      let lid = i32(localIndex);
      var a0 : array<f32, ${L.perThread}>;
      var a1 : array<f32, ${L.perThread}>;
      var gjn : array<f32, ${L.perThread}>;
      ${each(`a0[k] = f32(Di[b * ${H} + h]); a1[k] = f32(Dv[b * ${H} + h]);`)}
      ${W.load}
      workgroupBarrier();
      for (var t = ${T - 1}; t >= 0; t--) {
        ${each(`
          var gzRec = 0.0;
          if (t == ${T - 1}) { gzRec = f32(DzT[b * ${H} + h]); } else { ${gjW('gzRec')} }
          let ix = (t * ${B} + b) * ${H} + h;
          let g = f32(Dz[ix]);
          let d = f32(Saved[ix]);
          let gs0 = a0[k];
          let gs1 = a1[k];
          ${statements(P.back, '          ')}
          a0[k] = gj; a1[k] = gvn; gjn[k] = gj;
          result[ix] = gj;`)}
        workgroupBarrier();
        ${each('gjs[h] = gjn[k];')}
        workgroupBarrier();
      }
      ${each(`
          var gz = 0.0;
          ${gjW('gz')}
          result[${TBH} + b * ${H} + h] = gz;
          result[${TBH + BH} + b * ${H} + h] = a1[k];
          result[${TBH + 2 * BH} + b * ${H} + h] = a0[k];`)}
    }`,
  };
}
