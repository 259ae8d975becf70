import type { LIConstants, LIFConstants } from '../names.js';
import { lit, type StepProgram } from './step-program.js';

/**
 * The step programs of the GPU sequence kernels: Norse's LIF and LI steps and their backward steps,
 * in the order of operations of the host kernels, each writing a neuron's whole state in one launch.
 */

/** A short hash of a string (for shader cache keys that include a surrogate's expression). */
function hash(text: string): string {
  let h = 2166136261;
  for (let k = 0; k < text.length; k++) h = Math.imul(h ^ text.charCodeAt(k), 16777619);
  return (h >>> 0).toString(36);
}

const num = (x: number) =>
  Math.fround(x)
    .toExponential(8)
    .replace(/[^A-Za-z0-9]/g, 'x');

/** A program-name suffix that identifies the LIF constants (part of the shader source). */
function lifKey(a: LIFConstants): string {
  const shader = hash(a.surrogate.shader!('x', 'a'));
  return `${[a.A, a.C, a.vL, a.vTh, a.vR, a.alpha].map(num).join('_')}_${shader}`;
}

/** The surrogate derivative at `d` as a shader expression. */
const surrogateAt = (a: LIFConstants, d: string) =>
  a.surrogate.shader!(`(${d} - ${lit(a.vTh)})`, lit(a.alpha));

const decayed = (a: LIFConstants, v: string) => `${v} + ${lit(a.A)} * ((${lit(a.vL)} - ${v}) + jump)`;

/** The rest of a LIF step after the decayed voltage `d`: the next current and the spike. */
const afterDecay = (a: LIFConstants): [string, string][] => [
  ['cn', `jump + ${lit(a.C)} * jump`],
  ['z', `gt(d, ${lit(a.vTh)})`],
];

/**
 * Norse's LIF step as step programs. The state is `[d, cur, z]`: the decayed voltage (the voltage
 * after reset is `vR` where it spiked, else `d`, so the reset needs no launch of its own), the
 * synaptic current and the spikes, all written in one launch.
 */
export function lifPrograms(a: LIFConstants) {
  const k = lifKey(a);
  return {
    /** The first step, from `v0`, `i0` and the recurrent input `rec0` (0 for a feed-forward layer). */
    start: {
      name: `lif_start_${k}`,
      same: ['v0', 'i0', 'rec0'],
      atStep: ['i'],
      body: [['jump', '(i0 + i) + rec0'], ['d', decayed(a, 'v0')], ...afterDecay(a)],
      outputs: ['d', 'cn', 'z'],
    },
    /** A later step of the recurrent layer: the recurrent input is the third part of the previous state's product. */
    next: {
      name: `lif_next_${k}`,
      same: ['rec'],
      parts: { rec: 2 },
      atStep: ['i'],
      pairs: ['s'],
      body: [
        ['zPrev', `gt(s0, ${lit(a.vTh)})`],
        ['v', `zPrev * ${lit(a.vR)} + (1.0 - zPrev) * s0`],
        ['jump', '(s1 + i) + rec'],
        ['d', decayed(a, 'v')],
        ...afterDecay(a),
      ],
      outputs: ['d', 'cn', 'z'],
    },
    /** A later step of the feed-forward layer (no recurrent input). */
    nextFF: {
      name: `lif_nextff_${k}`,
      same: [],
      atStep: ['i'],
      pairs: ['s'],
      body: [
        ['zPrev', `gt(s0, ${lit(a.vTh)})`],
        ['v', `zPrev * ${lit(a.vR)} + (1.0 - zPrev) * s0`],
        ['jump', 's1 + i'],
        ['d', decayed(a, 'v')],
        ...afterDecay(a),
      ],
      outputs: ['d', 'cn', 'z'],
    },
    /** The final state `[v, i, z]` from the last `[d, cur, z]`. */
    final: {
      name: `lif_final_${k}`,
      same: ['sd', 'sc', 'sz'],
      parts: { sc: 1, sz: 2 },
      atStep: [],
      body: [['v', `sz * ${lit(a.vR)} + (1.0 - sz) * sd`]],
      outputs: ['v', 'sc', 'sz'],
    },
    /**
     * Backward of the recurrent step (reset detached), state `[gj, gv]`: `gz = dy + gzRec` (through
     * the next step's recurrent input); `gj` = dL/d(jump), the input current's gradient.
     */
    back: {
      name: `lif_back_${k}`,
      same: ['gzRec'],
      atStep: ['g', 'd'],
      pairs: ['gs'],
      body: [
        ['sg', surrogateAt(a, 'd')],
        ['gd', `gs1 * (1.0 - gt(d, ${lit(a.vTh)})) + (g + gzRec) * sg`],
        ['gj', `gd * ${lit(a.A)} + gs0 * (1.0 + ${lit(a.C)})`],
        ['gvn', `gd * (1.0 - ${lit(a.A)})`],
      ],
      outputs: ['gj', 'gvn'],
    },
    /** Backward of the feed-forward step, whose reset is not detached: `gz = dy + gv (vR - d)`. */
    backFF: {
      name: `lif_backff_${k}`,
      same: [],
      atStep: ['g', 'd'],
      pairs: ['gs'],
      body: [
        ['sg', surrogateAt(a, 'd')],
        ['gzt', `g + gs1 * (${lit(a.vR)} - d)`],
        ['gd', `gs1 * (1.0 - gt(d, ${lit(a.vTh)})) + gzt * sg`],
        ['gj', `gd * ${lit(a.A)} + gs0 * (1.0 + ${lit(a.C)})`],
        ['gvn', `gd * (1.0 - ${lit(a.A)})`],
      ],
      outputs: ['gj', 'gvn'],
    },
  } satisfies Record<string, StepProgram>;
}

/** The leaky integrator's step (state `[v, i]`) and its backward (state `[gj, gv]`). */
export function liPrograms(c: LIConstants) {
  const { A, S, vL } = c;
  const k = [A, S, vL].map(num).join('_');
  return {
    step: {
      name: `li_step_${k}`,
      same: [],
      atStep: ['x'],
      pairs: ['s'],
      body: [
        ['jump', 's1 + x'],
        ['vn', `s0 + ${lit(A)} * ((${lit(vL)} - s0) + jump)`],
        ['inext', `jump - ${lit(S)} * jump`],
      ],
      outputs: ['vn', 'inext'],
    },
    back: {
      name: `li_back_${k}`,
      same: [],
      atStep: ['gy'],
      pairs: ['gs'],
      body: [
        ['gvt', 'gy + gs1'],
        ['gj', `gvt * ${lit(A)} + gs0 * (1.0 - ${lit(S)})`],
        ['gvn', `gvt * (1.0 - ${lit(A)})`],
      ],
      outputs: ['gj', 'gvn'],
    },
  } satisfies Record<string, StepProgram>;
}

/** The constant-current LIF encoder's step (reset as `d - (d - vR)`, not detached) and its backward. */
export function encoderPrograms(a: LIFConstants) {
  const k = lifKey(a);
  const decayedX: [string, string] = ['d', `v + ${lit(a.A)} * ((${lit(a.vL)} - v) + x)`];
  return {
    // The first step from v = 0; later ones from the previous decayed voltage (after its reset).
    first: { name: `enc_d0_${k}`, same: ['x'], atStep: [], body: [['v', '0.0'], decayedX], outputs: ['d'] },
    next: {
      name: `enc_d_${k}`,
      same: ['dPrev', 'x'],
      atStep: [],
      body: [['v', `dPrev - gt(dPrev, ${lit(a.vTh)}) * (dPrev - ${lit(a.vR)})`], decayedX],
      outputs: ['d'],
    },
    z: { name: `enc_z_${k}`, same: ['d'], atStep: [], body: [['z', `gt(d, ${lit(a.vTh)})`]], outputs: ['z'] },
    // Backward, state [gx, gv]: the input's gradient accumulates over the steps.
    back: {
      name: `enc_back_${k}`,
      same: [],
      atStep: ['g', 'd'],
      pairs: ['gs'],
      body: [
        ['sg', surrogateAt(a, 'd')],
        ['gd', `gs1 * (1.0 - gt(d, ${lit(a.vTh)})) + (g - gs1 * (d - ${lit(a.vR)})) * sg`],
        ['gxn', `gs0 + gd * ${lit(a.A)}`],
        ['gvn', `gd * (1.0 - ${lit(a.A)})`],
      ],
      outputs: ['gxn', 'gvn'],
    },
  } satisfies Record<string, StepProgram>;
}
