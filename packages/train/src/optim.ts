import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensor } from '@tensorflow/tfjs-core/dist/tensor_types';

/** Options of {@link adam}; the defaults are PyTorch's (`torch.optim.Adam`). */
export interface AdamOptions {
  /** Decay of the first moment. Default 0.9. */
  readonly beta1?: number;
  /** Decay of the second moment. Default 0.999. */
  readonly beta2?: number;
  /**
   * Added to the root of the second moment before dividing. Default 1e-8 (PyTorch's), raised to the
   * backend's own epsilon on 16-bit float backends (WebGL without float32 render targets, or with
   * `WEBGL_FORCE_F16_TEXTURES`), where 1e-8 is zero.
   */
  readonly epsilon?: number;
}

/** Names of the bias-correction powers in {@link Adam.getWeights}. */
const POWER_NAMES = ['adam/beta1_power', 'adam/beta2_power'] as const;

/** The powers `beta^(steps + 1)` as a running float32 product, the way a running optimizer builds them. */
function runningPower(beta: number, steps: number): number {
  const b = Math.fround(beta);
  let p = b;
  // The product of two float32 values is exact in float64; fround rounds it once, as float32 hardware does.
  for (let k = 0; k < steps; k++) p = Math.fround(p * b);
  return p;
}

/**
 * Adam with bias correction, step for step the arithmetic of `tf.train.adam` (so the same weights
 * for the same gradients), whose saved state also holds the bias-correction powers `beta1^t`,
 * `beta2^t`: a restored optimizer continues with the exact float32 values a running one has, where
 * `tf.train.adam` recomputes them as `pow(beta, t)` on restore and drifts from an uninterrupted run
 * in the last bits. Moments are kept per variable name.
 */
export class Adam extends tf.Optimizer {
  /** The name tfjs's serialization registry knows this class by. */
  static get className(): string {
    return 'Adam';
  }
  /** The step size; {@link fit} and the schedules set it between epochs. */
  learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private powers: [tf.Variable, tf.Variable];
  private moments = new Map<string, { m: tf.Variable; v: tf.Variable }>();

  constructor(learningRate: number, beta1: number, beta2: number, epsilon: number) {
    super();
    this.learningRate = learningRate;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.powers = tf.tidy(() => [tf.variable(tf.scalar(beta1), false), tf.variable(tf.scalar(beta2), false)]);
  }

  /** Applies one Adam step for every variable named in `variableGradients`. */
  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const list = Array.isArray(variableGradients)
      ? variableGradients
      : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    const [p1, p2] = this.powers;
    tf.tidy(() => {
      const oneMinusP1 = tf.sub(1, p1);
      const oneMinusP2 = tf.sub(1, p2);
      for (const { name, tensor: gradient } of list) {
        const value = tf.engine().registeredVariables[name];
        if (value === undefined) throw new Error(`Adam: no variable named "${name}" to update.`);
        let state = this.moments.get(name);
        if (state === undefined) {
          state = tf.tidy(() => ({
            m: tf.variable(tf.zerosLike(value), false),
            v: tf.variable(tf.zerosLike(value), false),
          }));
          this.moments.set(name, state);
        }
        if (gradient == null) continue;
        // The same operations in the same order as tf.train.adam.
        const m = tf.add(tf.mul(state.m, this.beta1), tf.mul(gradient, 1 - this.beta1));
        const v = tf.add(tf.mul(state.v, this.beta2), tf.mul(tf.square(gradient), 1 - this.beta2));
        const mHat = tf.div(m, oneMinusP1);
        const vHat = tf.div(v, oneMinusP2);
        state.m.assign(m);
        state.v.assign(v);
        value.assign(
          tf.add(tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), this.epsilon)), -this.learningRate), value),
        );
      }
      p1.assign(tf.mul(p1, this.beta1));
      p2.assign(tf.mul(p2, this.beta2));
    });
    this.incrementIterations();
  }

  /**
   * The state: the step count (a new int32 scalar the caller disposes), the two powers, then every
   * first moment (`<variable>/m`) and every second moment (`<variable>/v`), tfjs's order.
   */
  override async getWeights(): Promise<NamedTensor[]> {
    const entries = [...this.moments.entries()];
    return [
      await this.saveIterations(),
      { name: POWER_NAMES[0], tensor: this.powers[0] },
      { name: POWER_NAMES[1], tensor: this.powers[1] },
      ...entries.map(([name, s]) => ({ name: `${name}/m`, tensor: s.m })),
      ...entries.map(([name, s]) => ({ name: `${name}/v`, tensor: s.v })),
    ];
  }

  /**
   * Restores a state from {@link getWeights} (or from `tf.train.adam`'s, which has no powers: they
   * are then rebuilt as the running float32 product). The caller keeps (and disposes) its tensors.
   */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    const power = (k: 0 | 1) => rest.find((w) => w.name === POWER_NAMES[k])?.tensor;
    const moments = rest.filter((w) => !(POWER_NAMES as readonly string[]).includes(w.name));
    if (moments.length % 2 !== 0)
      throw new Error(`Adam: ${moments.length} moment tensors cannot be pairs of first and second moments.`);
    const half = moments.length / 2;
    const next = new Map<string, { m: tf.Variable; v: tf.Variable }>();
    for (let k = 0; k < half; k++) {
      const first = moments[k]!;
      const second = moments[half + k]!;
      const name = first.name.replace(/\/m$/, '');
      if (second.name.replace(/\/v$/, '') !== name)
        throw new Error(`Adam: the moments "${first.name}" and "${second.name}" do not belong together.`);
      // A variable shares its tensor's data (the caller may dispose its tensors afterwards).
      next.set(name, { m: tf.variable(first.tensor, false), v: tf.variable(second.tensor, false) });
    }
    for (const s of this.moments.values()) tf.dispose([s.m, s.v]);
    this.moments = next;
    const steps = this.iterations;
    tf.tidy(() => {
      for (const k of [0, 1] as const) {
        const saved = power(k);
        this.powers[k].assign(
          saved ? tf.reshape(saved, []) : tf.scalar(runningPower(k === 0 ? this.beta1 : this.beta2, steps)),
        );
      }
    });
  }

  override dispose(): void {
    tf.dispose(this.powers);
    for (const s of this.moments.values()) tf.dispose([s.m, s.v]);
    this.moments.clear();
  }

  getConfig(): tf.serialization.ConfigDict {
    return {
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
    };
  }
}

/**
 * Whether the active backend computes in 16-bit floats. tfjs-webgl's `floatPrecision()` says 16
 * whenever the device can render to float32 textures (its check only runs without them), so there
 * the texture flags decide: float32 textures mean float32 arithmetic.
 */
function halfPrecision(): boolean {
  if (tf.backend().floatPrecision() === 32) return false;
  if (tf.getBackend() !== 'webgl') return true;
  const env = tf.env();
  return !env.getBool('WEBGL_RENDER_FLOAT32_ENABLED') || env.getBool('WEBGL_FORCE_F16_TEXTURES');
}

/**
 * Adam with PyTorch's defaults, the optimizer of Norse's tutorial. `tf.train.adam` uses the
 * backend's epsilon (1e-7) where PyTorch uses 1e-8; with rarely active weights (a spiking net's),
 * `sqrt(v)` is small enough for that to change the step size. The update is otherwise the same:
 * `w -= lr * m̂ / (sqrt(v̂) + epsilon)` with bias-corrected moments. Its saved state restores
 * exactly (see {@link Adam}).
 *
 * @example
 * ```ts
 * const optimizer = adam(1e-3); // torch.optim.Adam(model.parameters(), lr=1e-3)
 * ```
 */
export function adam(learningRate: number, options: AdamOptions = {}): Adam {
  if (!(learningRate > 0) || !Number.isFinite(learningRate)) {
    throw new RangeError(`adam: learningRate must be a positive finite number, got ${learningRate}`);
  }
  const epsilon = options.epsilon ?? (halfPrecision() ? tf.backend().epsilon() : 1e-8);
  return new Adam(learningRate, options.beta1 ?? 0.9, options.beta2 ?? 0.999, epsilon);
}
