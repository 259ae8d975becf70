import * as tf from '@tensorflow/tfjs-core';

/**
 * Kernel launches of a training step, for `snn-train bench`: on webgl and webgpu the shader
 * programs the backend dispatches (each a launch: what a GPU pays per step of a sequence); on the
 * other backends the kernels that compute (tfjs's profile, less the ones that only relabel data).
 */

/** What a count counts. */
export type LaunchUnit = 'gpu programs' | 'kernels';

interface ProgramRunner {
  runWebGPUProgram?: (...args: unknown[]) => unknown;
  runWebGLProgram?: (...args: unknown[]) => unknown;
}

/** Kernels that only relabel a tensor's data (no program runs on any backend). */
const RELABELS = ['Reshape', 'Identity', 'unnamed scope'];

/** The launches `run` makes on the active backend, and what was counted. */
export async function countLaunches(run: () => Promise<void>): Promise<{ count: number; unit: LaunchUnit }> {
  const backend = tf.backend() as unknown as ProgramRunner;
  const method = backend.runWebGPUProgram
    ? 'runWebGPUProgram'
    : backend.runWebGLProgram
      ? 'runWebGLProgram'
      : undefined;
  if (!method) {
    const profile = await tf.profile(run);
    return { count: profile.kernels.filter((k) => !RELABELS.includes(k.name)).length, unit: 'kernels' };
  }
  const original = backend[method]!;
  let count = 0;
  backend[method] = function (this: unknown, ...args: unknown[]) {
    count++;
    return original.apply(this, args);
  };
  try {
    await run();
  } finally {
    backend[method] = original;
  }
  return { count, unit: 'gpu programs' };
}

/** Launches of one training step at `T` and at `T / 2` steps: the total, and what each time step adds. */
export interface LaunchReport {
  readonly unit: LaunchUnit;
  /** One training step (forward, backward, optimizer) at the bench's `T`. */
  readonly perTrainStep: number;
  /** What one more time step adds: `(L(T) - L(T/2)) / (T - T/2)`. */
  readonly perTimeStep: number;
}

/** A training step of a model built for `T` steps, and how to free that model. */
export interface StepAt {
  run(): Promise<void>;
  dispose(): void;
}

/**
 * Counts a training step's launches at two sequence lengths (each model warmed up by one step
 * first, so one-off work such as uploading its weights is not counted).
 */
export async function launchReport(T: number, stepAt: (T: number) => StepAt): Promise<LaunchReport> {
  const half = Math.max(1, Math.floor(T / 2));
  const at = async (t: number) => {
    const s = stepAt(t);
    try {
      await s.run();
      return await countLaunches(() => s.run());
    } finally {
      s.dispose();
    }
  };
  const full = await at(T);
  const short = T === half ? full : await at(half);
  return {
    unit: full.unit,
    perTrainStep: full.count,
    perTimeStep: T === half ? 0 : (full.count - short.count) / (T - half),
  };
}
