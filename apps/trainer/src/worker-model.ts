// The model factory of the trainer's gradient threads (`DataParallel` of @snn/train/node imports
// it in every worker): the run's backend and model, a generator of its own per worker.
import type { BackendName, RandomState } from '@snn/core';
import type { Model } from '@snn/train';
import { startBackend } from './backend.js';
import { encoderRngState, makeModel } from './build.js';
import { composedModel } from './composed.js';
import type { TrainOptions } from './options.js';

/** What the trainer sends each worker. */
export interface WorkerArgs {
  readonly options: TrainOptions;
  readonly classes: number;
  readonly backend: BackendName;
  /** Each worker's encoder generator saved in a checkpoint (worker k at k - 1), to resume identically. */
  readonly rngStates?: readonly (RandomState | undefined)[];
  /** The model as composed from the public layers (`snn-train bench`), not the preset. */
  readonly composed?: boolean;
}

/** Starts the run's backend and builds its model; a Poisson encoder draws from `seed + worker` (or its saved state). */
export async function createModel(args: WorkerArgs, context: { worker: number }): Promise<Model> {
  await startBackend(args.backend);
  const saved = args.rngStates?.[context.worker - 1];
  if (args.composed) return composedModel(args.options, args.classes);
  return makeModel({ ...args.options, seed: args.options.seed + context.worker }, args.classes, saved);
}

/** The worker's encoder generator, for checkpoints. */
export function saveState(m: Model): RandomState | undefined {
  return encoderRngState(m);
}
