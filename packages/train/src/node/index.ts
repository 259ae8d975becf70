/**
 * `@snn/train/node`: checkpoints and models on the file system (tfjs-node's `file://` handler is
 * not available without tfjs-node). Every write is atomic: a temporary file or folder, then a rename.
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import {
  CheckpointError,
  loadModelArtifacts,
  loadOptimizerArtifacts,
  modelArtifacts,
  optimizerArtifacts,
  type WeightSpec,
} from '../checkpoint.js';
import type { TrainingProgress } from '../fit.js';
import type { Model } from '../model.js';

const tmpName = (path: string) => `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;

/** Writes a file atomically: a temporary file beside it, then a rename. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = tmpName(path);
  try {
    await writeFile(tmp, data, { flush: true });
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

function asBytes(data: tf.io.WeightData | ArrayBuffer | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  if (Array.isArray(data)) return Buffer.concat(data.map((b) => new Uint8Array(b)));
  return new Uint8Array(data as ArrayBuffer);
}

/** Writes `model.json` (tfjs layout: `weightsManifest` → `weights.bin`) and `weights.bin` into `dir`. */
async function writeArtifacts(dir: string, artifacts: tf.io.ModelArtifacts): Promise<void> {
  const { weightData, weightSpecs, ...rest } = artifacts;
  const modelJson = { ...rest, weightsManifest: [{ paths: ['weights.bin'], weights: weightSpecs ?? [] }] };
  await writeFile(join(dir, 'weights.bin'), asBytes(weightData));
  await writeFile(join(dir, 'model.json'), `${JSON.stringify(modelJson, null, 2)}\n`);
}

async function readArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  let json: { weightsManifest?: { paths: string[]; weights: WeightSpec[] }[] } & Record<string, unknown>;
  try {
    json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  } catch (error) {
    throw new CheckpointError(`${join(dir, 'model.json')}: unreadable (${(error as Error).message})`);
  }
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest)) throw new CheckpointError(`${join(dir, 'model.json')}: no weightsManifest`);
  const buffers = await Promise.all(manifest.flatMap((g) => g.paths).map((p) => readFile(join(dir, p))));
  const { weightsManifest: _, ...rest } = json;
  return {
    ...rest,
    weightSpecs: manifest.flatMap((g) => g.weights),
    weightData: new Uint8Array(Buffer.concat(buffers)).buffer,
  };
}

/**
 * A tfjs IO handler on a folder: `save` writes `model.json` + `weights.bin` atomically (into a
 * temporary folder renamed into place), `load` reads them. Use it wherever tfjs takes a handler.
 */
export function fileSystem(dir: string): tf.io.IOHandler {
  const target = resolve(dir);
  return {
    async save(artifacts) {
      await replaceDir(target, (tmp) => writeArtifacts(tmp, artifacts));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
    load: () => readArtifacts(target),
  };
}

/** Fills a fresh temporary folder, then swaps it in for `dir` (the old one is removed afterwards). */
async function replaceDir(dir: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = tmpName(dir);
  await mkdir(tmp, { recursive: true });
  try {
    await fill(tmp);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  const old = existsSync(dir) ? tmpName(`${dir}.old`) : undefined;
  if (old) await rename(dir, old);
  await rename(tmp, dir);
  if (old) await rm(old, { recursive: true, force: true });
}

/** Saves a model's weights in the tfjs format (`model.json` + `weights.bin`). */
export async function saveModel(m: Model, dir: string): Promise<void> {
  await fileSystem(dir).save!(await modelArtifacts(m));
}

/** Loads weights saved by {@link saveModel} into a model of the same architecture. */
export async function loadModel(m: Model, dir: string): Promise<void> {
  if (!existsSync(join(dir, 'model.json')))
    throw new CheckpointError(`${dir}: no model.json here (not a saved @snn model)`);
  loadModelArtifacts(m, await fileSystem(dir).load!());
}

/** What a checkpoint holds besides the weights. */
export interface CheckpointMeta {
  readonly progress: TrainingProgress;
  /** Free-form run configuration (the trainer keeps its options here). */
  readonly config: Readonly<Record<string, unknown>>;
  /** Generator states and the like, to continue identically. */
  readonly extra?: Readonly<Record<string, unknown>>;
}

interface TrainingJson extends CheckpointMeta {
  readonly version: 1;
  readonly optimizer: { readonly learningRate: number; readonly weightSpecs: WeightSpec[] };
}

const LATEST = 'latest.json';

/**
 * Saves a checkpoint under `dir/checkpoints/<epoch>-<batch>/` (model, optimizer state, progress,
 * config), written in a temporary folder then renamed, and points `latest.json` at it atomically,
 * so a kill at any moment leaves the previous checkpoint loadable. Keeps the newest `keep` (2).
 */
export async function saveCheckpoint(
  dir: string,
  m: Model,
  optimizer: tf.Optimizer,
  meta: CheckpointMeta,
  keep = 2,
): Promise<string> {
  const root = join(resolve(dir), 'checkpoints');
  await mkdir(root, { recursive: true });
  const name = `epoch-${String(meta.progress.epoch + 1).padStart(4, '0')}-batch-${String(meta.progress.nextBatch).padStart(6, '0')}`;
  const target = join(root, name);
  const [artifacts, opt] = await Promise.all([modelArtifacts(m), optimizerArtifacts(optimizer, m)]);
  await replaceDir(target, async (tmp) => {
    await writeArtifacts(tmp, artifacts);
    await writeFile(join(tmp, 'optimizer.bin'), new Uint8Array(opt.data));
    const training: TrainingJson = {
      version: 1,
      ...meta,
      optimizer: {
        learningRate: (optimizer as unknown as { learningRate: number }).learningRate,
        weightSpecs: opt.specs,
      },
    };
    await writeFile(join(tmp, 'training.json'), `${JSON.stringify(training, null, 2)}\n`);
  });
  await writeFileAtomic(
    join(root, LATEST),
    `${JSON.stringify({ checkpoint: name, savedAt: new Date().toISOString() })}\n`,
  );
  const all = (await readdir(root)).filter((f) => /^epoch-\d+-batch-\d+$/.test(f)).sort();
  for (const old of all.slice(0, Math.max(0, all.length - keep)))
    if (old !== name) await rm(join(root, old), { recursive: true, force: true });
  return target;
}

/** True when `dir` has a checkpoint to resume from. */
export function hasCheckpoint(dir: string): boolean {
  return existsSync(join(resolve(dir), 'checkpoints', LATEST));
}

/**
 * Loads the latest checkpoint of `dir` into the model and optimizer, and returns its progress and
 * config. @throws CheckpointError for a missing, corrupt or wrong-architecture checkpoint.
 */
export async function loadCheckpoint(
  dir: string,
  m: Model,
  optimizer: tf.Optimizer,
): Promise<CheckpointMeta> {
  const root = join(resolve(dir), 'checkpoints');
  let latest: { checkpoint: string };
  try {
    latest = JSON.parse(await readFile(join(root, LATEST), 'utf8'));
  } catch {
    throw new CheckpointError(
      `${dir}: no checkpoint to resume from (checkpoints/${LATEST} is missing or unreadable)`,
    );
  }
  const cp = join(root, latest.checkpoint);
  let training: TrainingJson;
  try {
    training = JSON.parse(await readFile(join(cp, 'training.json'), 'utf8'));
  } catch (error) {
    throw new CheckpointError(`${cp}/training.json: unreadable (${(error as Error).message})`);
  }
  if (training.version !== 1)
    throw new CheckpointError(`${cp}: unknown checkpoint version ${String(training.version)}`);
  loadModelArtifacts(m, await readArtifacts(cp));
  const optData = await readFile(join(cp, 'optimizer.bin'));
  const needed = training.optimizer.weightSpecs.reduce(
    (a, s) => a + s.shape.reduce((x, y) => x * y, 1) * 4,
    0,
  );
  if (optData.byteLength !== needed)
    throw new CheckpointError(
      `${cp}/optimizer.bin: ${optData.byteLength} bytes, expected ${needed} (corrupt)`,
    );
  await loadOptimizerArtifacts(optimizer, m, training.optimizer.weightSpecs, new Uint8Array(optData).buffer);
  (optimizer as unknown as { learningRate: number }).learningRate = training.optimizer.learningRate;
  const { progress, config, extra } = training;
  return extra === undefined ? { progress, config } : { progress, config, extra };
}
