import { availableParallelism } from 'node:os';
import type { BackendName, RandomState } from '@snn/core';
import { DataParallel } from '@snn/train/node';
import type { TrainOptions } from './options.js';
import type { Reporter } from './report.js';
import type { WorkerArgs } from './worker-model.js';

/** Backends that compute on one CPU thread, where worker threads add cores. */
const SINGLE_THREADED: readonly string[] = ['cpu', 'wasm'];

/**
 * How many threads `--threads auto` uses: for the conv net on the single-threaded CPU backends,
 * every core (at most 8); else one. tfjs-node uses the cores itself, a GPU is one device, and the
 * recurrent net's batch is too small to share: on 2 cores, wasm, 0.036 s per batch on one thread
 * against 0.052 s on two (the conv net's: 4.8 s against 2.6 s).
 */
export function autoThreads(backend: string, model: TrainOptions['model']): number {
  return model === 'conv' && SINGLE_THREADED.includes(backend) ? Math.min(availableParallelism(), 8) : 1;
}

/** The trainer's model factory for worker threads (built beside this module; from the sources, the built one). */
export function workerModelUrl(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('../dist/worker-model.js', import.meta.url)
    : new URL('./worker-model.js', import.meta.url);
}

/**
 * The run's gradient threads (`--threads`; `auto`: see {@link autoThreads}), or none for one. More
 * threads than this machine's cores are capped to the cores (each holds a copy of the model: the
 * extra ones would only cost memory), saying so. `auto` falls back to one thread, with a warning,
 * when workers cannot start. `rngStates`: the workers' generators from a checkpoint.
 */
export async function startThreads(
  o: TrainOptions,
  classes: number,
  backend: BackendName,
  report: Reporter,
  rngStates?: readonly (RandomState | undefined)[],
  worker: { url?: URL; execArgv?: string[]; composed?: boolean } = {},
): Promise<DataParallel | undefined> {
  const wanted = o.threads === 'auto' ? autoThreads(backend, o.model) : o.threads;
  const cores = availableParallelism();
  const threads = Math.min(wanted, cores);
  if (threads < wanted)
    report.info(`threads: ${wanted} asked, ${threads} used (this machine has ${cores} cores)`);
  if (threads <= 1) return undefined;
  try {
    const args: WorkerArgs = {
      options: o,
      classes,
      backend,
      ...(rngStates ? { rngStates } : {}),
      ...(worker.composed ? { composed: true } : {}),
    };
    const parallel = await DataParallel.start({
      threads,
      factory: worker.url ?? workerModelUrl(),
      args,
      ...(worker.execArgv ? { execArgv: worker.execArgv } : {}),
    });
    report.info(`threads: ${threads} (each batch's gradient split across worker threads)`);
    return parallel;
  } catch (e) {
    if (o.threads !== 'auto') throw e;
    report.warn(`training on one thread: ${(e as Error).message}`);
    return undefined;
  }
}
