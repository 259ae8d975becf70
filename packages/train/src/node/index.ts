/**
 * `@snn/train/node`: checkpoints and models on the file system (tfjs-node's `file://` handler is
 * not available without tfjs-node), and data parallelism over worker threads. Every write is
 * atomic (a temporary file or folder, then a rename); every read of a file others may have written
 * is confined to its folder and size-checked first.
 * @packageDocumentation
 */
import { relative, resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { loadModelArtifacts, modelArtifacts } from '../checkpoint.js';
import type { Model } from '../model.js';
import { readArtifactsInside, writeArtifacts } from './artifacts.js';
import { replaceDir } from './files.js';

export {
  type CheckpointMeta,
  checkpointName,
  hasCheckpoint,
  type LoadCheckpointOptions,
  listCheckpoints,
  loadCheckpoint,
  saveCheckpoint,
} from './checkpoints.js';
export {
  checkWritableInside,
  processAlive,
  type ReadInsideOptions,
  readFileInside,
  readJsonInside,
  removeStaleTemporaries,
  resolveInside,
  writeFileAtomic,
} from './files.js';
export {
  DataParallel,
  type DataParallelOptions,
  type ModelFactoryModule,
  type WorkerReply,
  type WorkerRequest,
} from './parallel.js';

/**
 * A tfjs IO handler on a folder: `save` writes `model.json` + `weights.bin` atomically (into a
 * temporary folder renamed into place), `load` reads them confined to the folder (weight paths
 * that lead out, links out, devices and wrong sizes are refused with a `CheckpointError`). Use it
 * wherever tfjs takes a handler.
 */
export function fileSystem(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts) {
      await replaceDir(dir, (tmp) => writeArtifacts(tmp, artifacts));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
    load: () => readArtifactsInside(dir, '.'),
  };
}

/** Saves a model's weights in the tfjs format (`model.json` + `weights.bin`). */
export async function saveModel(m: Model, dir: string): Promise<void> {
  await fileSystem(dir).save!(await modelArtifacts(m));
}

/**
 * Loads weights saved by {@link saveModel} into a model of the same architecture. With `root` (a
 * run directory holding `dir`), every file read must stay inside `root` rather than `dir`.
 * @throws CheckpointError naming the file: missing, unsafe, corrupt or of another architecture.
 */
export async function loadModel(m: Model, dir: string, options: { root?: string } = {}): Promise<void> {
  const root = options.root ?? dir;
  const folder = relative(resolve(root), resolve(dir)) || '.';
  loadModelArtifacts(m, await readArtifactsInside(root, folder));
}
