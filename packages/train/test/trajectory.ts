/**
 * Training that follows Norse step for step: the harness of the trajectory tests (Node:
 * `trajectory.test.ts`, Chromium: `browser/trajectory.test.ts`). It rebuilds the initial weights of
 * the golden (`golden/trajectory-*.json`, recorded from Norse by `scripts/gen-trajectory.py`), trains
 * the tutorial's model through the public API on the same digits, and compares every step with
 * what Norse computed and with the spread of Norse's own float32 arithmetic (the golden's bands).
 */
import { type ImageSplit, makeBatch } from '@snn/datasets';
import { predictClasses } from '@snn/decoders';
import { ConstantCurrentLIFEncoder } from '@snn/encoders';
import type { Decoder, Network } from '@snn/train';
import { adam, batchGradients, convSNN, model, recurrentSNN } from '@snn/train';
import * as tf from '@tensorflow/tfjs-core';

// ---------------------------------------------------------------------------------------------
// The golden file
// ---------------------------------------------------------------------------------------------

/** One weight tensor of the generator, in PyTorch's layout. */
export interface InitSpec {
  readonly shape: number[];
  readonly kind: 'uniform' | 'normal';
  readonly scale: number;
  readonly stream: number;
  readonly zero_diagonal?: boolean;
  readonly sha256: string;
}

interface Band {
  readonly samples: number[];
  readonly max_abs_diff: number;
  readonly l2: number;
}
interface TensorRecord {
  readonly sum: number;
  readonly l2: number;
  readonly max_abs: number;
  readonly samples: number[];
  readonly band: Band;
}
interface SpikeRecord {
  readonly shape: number[];
  readonly count: number;
  readonly sha256: string;
  readonly sha256_channels_last?: string;
}

/** One training step as Norse took it (the forward pass before the update, the weights after). */
export interface GoldenStep {
  readonly step: number;
  readonly loss: number;
  readonly loss_band: number;
  readonly encoded: SpikeRecord;
  readonly spikes: SpikeRecord[];
  readonly spike_count_band: number[];
  /** Every float32 variant and the float64 run had Norse's spikes at this step. */
  readonly spikes_agree: boolean;
  /** ... at this step and every step before. */
  readonly all_agree_so_far: boolean;
  readonly predictions: number[];
  readonly predictions_band: number;
  readonly spikes_per_sample: number[];
  readonly label_log_probs?: number[];
  readonly log_probs_band?: number;
  readonly grads?: Record<string, TensorRecord>;
  readonly weights: Record<string, TensorRecord>;
}

/** A trajectory recorded from Norse (`schema: snn-trajectory/1`). */
export interface TrajectoryGolden {
  readonly schema: string;
  readonly model: 'recurrent' | 'conv';
  readonly source: Record<string, unknown>;
  readonly config: { T: number; batch: number; steps: number; learning_rate: number };
  readonly init: { generator: string; tensors: Record<string, InitSpec> };
  readonly variants: Record<string, { losses: number[]; spike_counts: number[][]; spikes_agree: boolean[] }>;
  readonly sample_indices: Record<string, number[]>;
  /** The conv net's batches at the initial weights (learning rate 0): step 2 without the drift. */
  readonly fixed_weight_steps?: GoldenStep[];
  readonly steps: GoldenStep[];
}

// ---------------------------------------------------------------------------------------------
// Initial weights: the generator of gen-trajectory.py, bit for bit
// ---------------------------------------------------------------------------------------------

/** MurmurHash3's 32-bit finaliser. */
function fmix32(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b) >>> 0;
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

/** `u(stream, i) = (fmix32((i·0x9E3779B9 + fmix32(stream)) mod 2³²) >> 8) / 2²⁴`, exact in doubles; `mix = fmix32(stream)`. */
function uniform01(mix: number, i: number): number {
  return (fmix32((Math.imul(i, 0x9e3779b9) + mix) >>> 0) >>> 8) / 16777216;
}

/** The weights of one tensor in PyTorch's row-major layout (float32, one rounding per value). */
export function initTensor(spec: InitSpec): Float32Array {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const mix = fmix32(spec.stream);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (spec.kind === 'uniform') out[i] = (2 * uniform01(mix, i) - 1) * spec.scale;
    else {
      let z = 0;
      for (let j = 0; j < 12; j++) z += uniform01(mix, 12 * i + j);
      out[i] = (z - 6) * spec.scale;
    }
  }
  if (spec.zero_diagonal) for (let r = 0; r < spec.shape[0]!; r++) out[r * spec.shape[1]! + r] = 0;
  return out;
}

/** SHA-256 of bytes, hex (Web Crypto: Node 20 and browsers). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

// ---------------------------------------------------------------------------------------------
// Our variables in PyTorch's layout and back
// ---------------------------------------------------------------------------------------------

/**
 * How a golden tensor (PyTorch's name and layout) maps to a variable of our network
 * (`namedVariables()`): its name, and the permutation taking PyTorch's layout to ours.
 */
interface Mapping {
  readonly ours: string;
  /** Converts a tensor in PyTorch's layout to ours and back; identity when the layouts agree. */
  readonly toOurs: (t: tf.Tensor) => tf.Tensor;
  readonly toTorch: (t: tf.Tensor) => tf.Tensor;
}

const same = (t: tf.Tensor) => t;

/**
 * The names and layouts of `recurrentSNN` and `convSNN` (channels-last convolutions: kernels
 * `[k, k, in, out]`, `fc1`'s inputs flattened as `[h, w, c]` where PyTorch flattens `[c, h, w]`).
 * The shapes are checked before anything is loaded, so a network whose layout changed fails here
 * with both shapes named.
 */
function mappings(kind: 'recurrent' | 'conv'): Record<string, Mapping> {
  if (kind === 'recurrent') {
    return {
      'l1.input_weights': { ours: 'lif0.inputWeights', toOurs: same, toTorch: same },
      'l1.recurrent_weights': { ours: 'lif0.recurrentWeights', toOurs: same, toTorch: same },
      'fc_out.weight': { ours: 'fc_out.weight', toOurs: same, toTorch: same },
    };
  }
  const kernel: Pick<Mapping, 'toOurs' | 'toTorch'> = {
    toOurs: (t) => tf.transpose(t, [2, 3, 1, 0]),
    toTorch: (t) => tf.transpose(t, [3, 2, 0, 1]),
  };
  // fc1.weight [500, 800]: PyTorch's column c·16 + h·4 + w is our column (h·4 + w)·50 + c.
  const fc1: Pick<Mapping, 'toOurs' | 'toTorch'> = {
    toOurs: (t) => tf.reshape(tf.transpose(tf.reshape(t, [500, 50, 4, 4]), [0, 2, 3, 1]), [500, 800]),
    toTorch: (t) => tf.reshape(tf.transpose(tf.reshape(t, [500, 4, 4, 50]), [0, 3, 1, 2]), [500, 800]),
  };
  return {
    'conv1.weight': { ours: 'conv1.weight', ...kernel },
    'conv1.bias': { ours: 'conv1.bias', toOurs: same, toTorch: same },
    'conv2.weight': { ours: 'conv2.weight', ...kernel },
    'conv2.bias': { ours: 'conv2.bias', toOurs: same, toTorch: same },
    'fc1.weight': { ours: 'fc1.weight', ...fc1 },
    'fc1.bias': { ours: 'fc1.bias', toOurs: same, toTorch: same },
    'out.input_weights': { ours: 'out.weights', toOurs: same, toTorch: same },
  };
}

/** Regenerates the golden's initial weights (checking their SHA-256) and loads them into `network`. */
export async function loadInitialWeights(network: Network, golden: TrajectoryGolden): Promise<void> {
  const vars = network.namedVariables();
  const map = mappings(golden.model);
  for (const [name, spec] of Object.entries(golden.init.tensors)) {
    const w = initTensor(spec);
    const digest = await sha256Hex(new Uint8Array(w.buffer));
    if (digest !== spec.sha256) {
      throw new Error(
        `initial ${name}: the generator gives sha256 ${digest}, Norse's run had ${spec.sha256}.`,
      );
    }
    const m = map[name]!;
    const target = vars[m.ours];
    if (!target) throw new Error(`the network has no variable '${m.ours}' (for Norse's ${name}).`);
    const value = tf.tidy(() => m.toOurs(tf.tensor(w, spec.shape)));
    if (value.shape.join() !== target.shape.join()) {
      value.dispose();
      throw new Error(
        `${m.ours} is [${target.shape}], the mapping of Norse's ${name} [${spec.shape}] gives another layout: update mappings().`,
      );
    }
    target.assign(value);
    value.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// A training run through the public API
// ---------------------------------------------------------------------------------------------

/** What we computed at one step, in the golden's terms. */
export interface MeasuredStep {
  readonly loss: number;
  readonly encoded: { count: number; sha256: string };
  readonly spikes: { count: number; sha256: string; shape: number[] }[];
  readonly predictions: number[];
  readonly labelLogProbs: number[];
  readonly spikesPerSample: number[];
  /** Gradient (steps with golden gradients) and weights after the step, in PyTorch's layout. */
  readonly grads?: Record<string, Float32Array>;
  readonly weights: Record<string, Float32Array>;
}

/** Options of {@link trainLikeNorse}. */
export interface RunOptions {
  /** Training digits, at least `steps · batch` of them in file order. */
  readonly data: ImageSplit;
  readonly steps: number;
  /** Replaces `decode` (the negative control runs tf.max's tie rule). */
  readonly decoder?: Decoder;
  /** Never update the weights: every batch at the initial weights (the golden's `fixed_weight_steps`). */
  readonly fixedWeights?: boolean;
  /** The first batch (1-based; earlier ones are skipped, so use it with `fixedWeights`). Default 1. */
  readonly firstStep?: number;
}

async function spikeDigest(t: tf.Tensor): Promise<{ count: number; sha256: string; shape: number[] }> {
  const values = await t.data();
  const bytes = Uint8Array.from(values, (v) => (v !== 0 ? 1 : 0));
  return { count: bytes.reduce((a, b) => a + b, 0), sha256: await sha256Hex(bytes), shape: t.shape };
}

/**
 * Trains the golden's model from its initial weights for `steps` batches of the digits in file
 * order (the tutorial's encoder, `decode`, NLL, `adam` with PyTorch's epsilon), recording each step.
 */
export async function trainLikeNorse(golden: TrajectoryGolden, options: RunOptions): Promise<MeasuredStep[]> {
  const { T, batch, learning_rate: lr } = golden.config;
  const network = golden.model === 'recurrent' ? recurrentSNN() : convSNN();
  await loadInitialWeights(network, golden);
  const m = model({
    encoder: new ConstantCurrentLIFEncoder(T),
    network,
    ...(options.decoder ? { decoder: options.decoder } : {}),
  });
  const optimizer: tf.Optimizer = adam(lr);
  const vars = network.namedVariables();
  const map = mappings(golden.model);
  const torchLayout = async (name: string, t: tf.Tensor) => {
    const v = tf.tidy(() => map[name]!.toTorch(t));
    const out = (await v.data()) as Float32Array;
    if (v !== t) v.dispose();
    return out;
  };
  const steps: MeasuredStep[] = [];
  try {
    const first = (options.firstStep ?? 1) - 1;
    for (let k = first; k < first + options.steps; k++) {
      const indices = Int32Array.from({ length: batch }, (_, j) => k * batch + j);
      const data = makeBatch(options.data, indices);
      const labels = Array.from(options.data.labels.subarray(k * batch, (k + 1) * batch));
      // The forward pass Norse recorded (the same weights as the gradient's).
      const out = m.forward(data.images);
      const predicted = predictClasses(out.logProbs);
      const lp = (await out.logProbs.array()) as number[][];
      const spikeTensors = out.spikes;
      const spikes = await Promise.all(spikeTensors.map(spikeDigest));
      const encodedDigest = await spikeDigest(out.encoded);
      const last = spikeTensors[spikeTensors.length - 1]!;
      const perSample = tf.tidy(() => tf.sum(tf.reshape(tf.sum(last, 0), [batch, -1]), 1));
      const spikesPerSample = Array.from(await perSample.data());
      const predictions = Array.from(await predicted.data());
      tf.dispose([out.logProbs, out.readout, out.encoded, ...out.spikes, predicted, perSample]);

      const { grads, loss } = await batchGradients(m, data);
      const hasGrads =
        (options.fixedWeights ? golden.fixed_weight_steps : golden.steps)?.[k]?.grads !== undefined;
      const gradRecord: Record<string, Float32Array> = {};
      if (hasGrads) {
        for (const [name, mp] of Object.entries(map)) {
          gradRecord[name] = await torchLayout(name, grads[vars[mp.ours]!.name]!);
        }
      }
      if (!options.fixedWeights) optimizer.applyGradients(grads as tf.NamedTensorMap);
      tf.dispose([...Object.values(grads), data.images, data.labels]);
      const weights: Record<string, Float32Array> = {};
      for (const [name, mp] of Object.entries(map)) weights[name] = await torchLayout(name, vars[mp.ours]!);
      steps.push({
        loss,
        encoded: { count: encodedDigest.count, sha256: encodedDigest.sha256 },
        spikes,
        predictions,
        labelLogProbs: labels.map((c, b) => lp[b]![c]!),
        spikesPerSample,
        ...(hasGrads ? { grads: gradRecord } : {}),
        weights,
      });
    }
  } finally {
    optimizer.dispose();
    m.dispose();
  }
  return steps;
}

// ---------------------------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------------------------

/** Tolerances of {@link compareTrajectory}. */
export interface CompareOptions {
  /** How many times the golden's band a value may differ. Default 4. */
  readonly bandFactor?: number;
  /** Relative floor, in float32 epsilons of the value (rounding of our own order of sums). Default 8. */
  readonly ulps?: number;
  /** Only these steps (1-based, inclusive). Default all measured. */
  readonly lastStep?: number;
  /** Compare with the golden's `fixed_weight_steps` (a run with `fixedWeights`). Default the trajectory. */
  readonly fixedWeights?: boolean;
  /** The golden step of the first measured one (a run's `firstStep`). Default 1. */
  readonly firstStep?: number;
}

/** The measured differences of one step. */
export interface StepReport {
  readonly step: number;
  /** Norse's spikes matched exactly, every layer (and the encoded input). */
  readonly spikesEqual: boolean;
  readonly lossDiff: number;
  readonly lossBand: number;
  readonly spikeCountDiff: number[];
  readonly predictionsDiffering: number;
  /** Largest |ours − Norse| over the sampled entries, per tensor. */
  readonly gradDiff?: Record<string, number>;
  /** |L2(ours) − L2(Norse's)| of each whole gradient tensor. */
  readonly gradL2Diff?: Record<string, number>;
  readonly weightDiff: Record<string, number>;
}

const EPS32 = 2 ** -23;

/** The L2 norm, summed in doubles. */
function l2(a: Float32Array): number {
  let sq = 0;
  for (const v of a) sq += v * v;
  return Math.sqrt(sq);
}
/** The golden writes float32 values as the shortest decimal that reads back to them. */
const f32 = Math.fround;

/** The golden hash of a layer's spikes in our layout: PyTorch's (NCHW frames) or channels-last. */
function goldenHash(g: SpikeRecord, shape: readonly number[]): string {
  if (shape.join() === g.shape.join() || !g.sha256_channels_last) return g.sha256;
  const [T, B, C, H, W] = g.shape as [number, number, number, number, number];
  // Any other layout of the same spikes is a mismatch unless it is [T, B, H, W, C].
  return shape.join() === [T, B, H, W, C].join() ? g.sha256_channels_last : `layout [${g.shape}]`;
}

/**
 * Compares a run with the golden. Where every one of Norse's float32 variants and its float64 run
 * had the same spikes (the steps up to the first that one of them flipped), our spikes and
 * predictions must equal Norse's exactly; the loss, log-probabilities, gradients and weights must lie
 * within `bandFactor` times the golden's band (plus a few float32 epsilons) at every step; after the
 * first flip, spike counts and predictions only within the band too. Returns the problems found (empty: it follows Norse) and a report per step.
 */
export function compareTrajectory(
  golden: TrajectoryGolden,
  measured: readonly MeasuredStep[],
  options: CompareOptions = {},
): { problems: string[]; reports: StepReport[] } {
  const K = options.bandFactor ?? 4;
  const ulps = options.ulps ?? 8;
  const within = (diff: number, band: number, value: number) =>
    diff <= K * band + ulps * EPS32 * Math.abs(value);
  const problems: string[] = [];
  const reports: StepReport[] = [];
  const offset = (options.firstStep ?? 1) - 1;
  const last = Math.min((options.lastStep ?? offset + measured.length) - offset, measured.length);
  const steps = options.fixedWeights ? golden.fixed_weight_steps : golden.steps;
  if (!steps)
    throw new Error(`the ${golden.model} golden has no ${options.fixedWeights ? 'fixed-weight ' : ''}steps.`);
  for (let k = 0; k < last; k++) {
    const g = steps[offset + k]!;
    const m = measured[k]!;
    const at = `step ${g.step}`;
    const exact = g.all_agree_so_far;
    const spikesEqual =
      m.encoded.sha256 === g.encoded.sha256 &&
      m.spikes.every((s, j) => s.sha256 === goldenHash(g.spikes[j]!, s.shape));
    const lossDiff = Math.abs(m.loss - f32(g.loss));
    const spikeCountDiff = m.spikes.map((s, j) => Math.abs(s.count - g.spikes[j]!.count));
    const predictionsDiffering = m.predictions.filter((p, b) => p !== g.predictions[b]).length;
    const sampledDiff = (ours: Record<string, Float32Array>, theirs: Record<string, TensorRecord>) =>
      Object.fromEntries(
        Object.entries(theirs).map(([name, rec]) => {
          const idx = golden.sample_indices[name]!;
          return [name, Math.max(...idx.map((i, j) => Math.abs(ours[name]![i]! - f32(rec.samples[j]!))))];
        }),
      );
    const weightDiff = sampledDiff(m.weights, g.weights);
    const gradDiff = g.grads && m.grads ? sampledDiff(m.grads, g.grads) : undefined;
    const gradL2Diff =
      g.grads && m.grads
        ? Object.fromEntries(
            Object.entries(g.grads).map(([name, rec]) => [name, Math.abs(l2(m.grads![name]!) - rec.l2)]),
          )
        : undefined;
    reports.push({
      step: g.step,
      spikesEqual,
      lossDiff,
      lossBand: g.loss_band,
      spikeCountDiff,
      predictionsDiffering,
      ...(gradDiff ? { gradDiff } : {}),
      ...(gradL2Diff ? { gradL2Diff } : {}),
      weightDiff,
    });

    if (m.encoded.sha256 !== g.encoded.sha256) {
      problems.push(
        `${at}: the encoded input differs from Norse's (${m.encoded.count} vs ${g.encoded.count} spikes).`,
      );
    }
    if (!within(lossDiff, g.loss_band, g.loss)) {
      problems.push(
        `${at}: loss ${m.loss} vs Norse's ${g.loss} (|Δ| ${lossDiff.toExponential(2)}, band ${g.loss_band}).`,
      );
    }
    const tensorChecks = (
      kind: string,
      ours: Record<string, Float32Array>,
      theirs: Record<string, TensorRecord>,
    ) => {
      for (const [name, rec] of Object.entries(theirs)) {
        const idx = golden.sample_indices[name]!;
        const a = ours[name]!;
        // Each sampled entry within the tensor's band (its largest spread anywhere).
        idx.forEach((i, j) => {
          const expected = f32(rec.samples[j]!);
          const band = Math.max(rec.band.samples[j]!, rec.band.max_abs_diff);
          if (!within(Math.abs(a[i]! - expected), band, expected)) {
            problems.push(
              `${at}: ${kind} ${name}[${i}] ${a[i]} vs Norse's ${expected} (band ${band}, ×${K} allowed).`,
            );
          }
        });
        if (!within(Math.abs(l2(a) - rec.l2), rec.band.l2, rec.l2)) {
          problems.push(`${at}: ${kind} ${name} L2 ${l2(a)} vs Norse's ${rec.l2} (band ${rec.band.l2}).`);
        }
      }
    };
    tensorChecks('weight', m.weights, g.weights);
    if (g.grads && m.grads) tensorChecks('gradient', m.grads, g.grads);
    if (exact) {
      // Where Norse's own variants all agree, so must we: exactly.
      m.spikes.forEach((s, j) => {
        if (s.sha256 !== goldenHash(g.spikes[j]!, s.shape)) {
          problems.push(
            `${at}: layer ${j} spikes differ from Norse's (${s.count} vs ${g.spikes[j]!.count}).`,
          );
        }
      });
      if (predictionsDiffering > 0)
        problems.push(`${at}: ${predictionsDiffering} predictions differ from Norse's.`);
      if (m.spikesPerSample.some((c, b) => c !== g.spikes_per_sample[b])) {
        problems.push(`${at}: spikes per sample differ from Norse's.`);
      }
      if (g.label_log_probs) {
        const band = g.log_probs_band ?? 0;
        m.labelLogProbs.forEach((v, b) => {
          const e = f32(g.label_log_probs![b]!);
          if (!within(Math.abs(v - e), band, e)) {
            problems.push(`${at}: sample ${b}'s log-probability ${v} vs Norse's ${e} (band ${band}).`);
          }
        });
      }
    } else {
      // After the first flip anywhere in Norse's own variants: the band.
      spikeCountDiff.forEach((d, j) => {
        if (d > K * g.spike_count_band[j]! + 2) {
          problems.push(
            `${at}: layer ${j} has ${m.spikes[j]!.count} spikes, Norse ${g.spikes[j]!.count} (band ${g.spike_count_band[j]}).`,
          );
        }
      });
      if (predictionsDiffering > K * g.predictions_band + 1) {
        problems.push(`${at}: ${predictionsDiffering} predictions differ (band ${g.predictions_band}).`);
      }
    }
  }
  return { problems, reports };
}

/** A printable table of the reports (for the README's figures). */
export function formatReports(label: string, reports: readonly StepReport[]): string {
  const e = (v: number) => v.toExponential(1);
  const largest = (r?: Record<string, number>) => (r ? e(Math.max(...Object.values(r))) : '-');
  const rows = reports.map((r) =>
    [
      String(r.step).padStart(4),
      (r.spikesEqual ? 'same' : 'other').padEnd(6),
      e(r.lossDiff).padStart(7),
      e(r.lossBand).padStart(9),
      r.spikeCountDiff.join('/').padStart(7),
      String(r.predictionsDiffering).padStart(5),
      largest(r.gradDiff).padStart(10),
      largest(r.gradL2Diff).padStart(10),
      largest(r.weightDiff).padStart(12),
    ].join('  '),
  );
  return [
    `${label}: per step, ours vs Norse (gradient and weight entries: the sampled ones; ΔL2: whole tensors)`,
    'step  spikes  |Δloss|  loss band  Δspikes  Δpred  max|Δgrad|  max|ΔL2 g|  max|Δweight|',
    ...rows,
  ].join('\n');
}
