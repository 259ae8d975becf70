import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import {
  CheckpointError,
  checkWeightSpecs,
  loadModelArtifacts,
  loadOptimizerArtifacts,
  modelArtifacts,
  optimizerArtifacts,
  type WeightSpec,
} from '../checkpoint.js';
import type { EpochLog, TrainingProgress } from '../fit.js';
import type { Model } from '../model.js';
import { readArtifactsInside, writeArtifacts } from './artifacts.js';
import {
  checkWritableInside,
  readFileInside,
  readJsonInside,
  removeStaleTemporaries,
  replaceDir,
  writeFileAtomic,
} from './files.js';

/** What a checkpoint holds besides the weights. */
export interface CheckpointMeta {
  readonly progress: TrainingProgress;
  /** Free-form run configuration (the trainer keeps its options here). */
  readonly config: Readonly<Record<string, unknown>>;
  /** Generator states and the like, to continue identically. */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** A checkpoint's `training.json`. */
interface TrainingJson extends CheckpointMeta {
  readonly version: 1;
  readonly optimizer: { readonly learningRate: number; readonly weightSpecs: WeightSpec[] };
}

const LATEST = 'latest.json';
/** The name of a checkpoint folder: `epoch-0001-batch-000064`. */
const NAME = /^epoch-(\d{4,})-batch-(\d{6,})$/;
const KiB = 1024;
const MiB = 1024 * KiB;

/** The folder name of the checkpoint of a progress. */
export const checkpointName = (p: Pick<TrainingProgress, 'epoch' | 'nextBatch'>): string =>
  `epoch-${String(p.epoch + 1).padStart(4, '0')}-batch-${String(p.nextBatch).padStart(6, '0')}`;

/**
 * Saves a checkpoint under `dir/checkpoints/<epoch>-<batch>/` (model, optimizer state, progress,
 * config), written in a temporary folder then renamed, and points `latest.json` at it atomically,
 * so a kill at any moment leaves the previous checkpoint loadable. Keeps the newest `keep` (2) and
 * removes what killed processes left half-written. Refuses to write through a symbolic link.
 */
export async function saveCheckpoint(
  dir: string,
  m: Model,
  optimizer: tf.Optimizer,
  meta: CheckpointMeta,
  keep = 2,
): Promise<string> {
  await checkWritableInside(dir, 'checkpoints');
  const root = join(resolve(dir), 'checkpoints');
  await mkdir(root, { recursive: true });
  await removeStaleTemporaries(root);
  const name = checkpointName(meta.progress);
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
  const all = (await readdir(root)).filter((f) => NAME.test(f)).sort();
  for (const old of all.slice(0, Math.max(0, all.length - keep)))
    if (old !== name) await rm(join(root, old), { recursive: true, force: true });
  return target;
}

/** True when `dir` has a checkpoint to resume from (its `checkpoints/latest.json` exists). */
export function hasCheckpoint(dir: string): boolean {
  return existsSync(join(resolve(dir), 'checkpoints', LATEST));
}

const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);
const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;
const isFiniteNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** Checks a parsed `training.json`, naming the first field that is wrong. */
function checkTrainingJson(json: unknown, file: string): TrainingJson {
  const fail = (field: string, problem: string): never => {
    throw new CheckpointError(`${file}: "${field}" ${problem}`, { file });
  };
  if (!isRecord(json)) return fail('(top level)', 'is not a JSON object');
  if (json.version !== 1) fail('version', `is ${JSON.stringify(json.version)}, this version reads 1`);
  const p = json.progress;
  if (!isRecord(p)) return fail('progress', 'is missing or not an object');
  if (!isCount(p.epoch)) fail('progress.epoch', 'must be a whole number ≥ 0');
  if (!isCount(p.nextBatch)) fail('progress.nextBatch', 'must be a whole number ≥ 0');
  const r = p.running;
  if (!isRecord(r)) return fail('progress.running', 'is missing or not an object');
  for (const k of ['loss', 'correct', 'samples'] as const)
    if (!isFiniteNumber(r[k]) || r[k] < 0) fail(`progress.running.${k}`, 'must be a finite number ≥ 0');
  if (r.seconds !== undefined && (!isFiniteNumber(r.seconds) || r.seconds < 0))
    fail('progress.running.seconds', 'must be a finite number ≥ 0');
  if (!Array.isArray(p.history)) return fail('progress.history', 'must be a list');
  for (const [k, h] of (p.history as unknown[]).entries()) {
    if (!isRecord(h)) return fail(`progress.history[${k}]`, 'is not an object');
    if (!isCount(h.epoch)) fail(`progress.history[${k}].epoch`, 'must be a whole number ≥ 0');
    for (const f of ['trainLoss', 'trainAccuracy', 'duration', 'samplesPerSecond', 'learningRate'])
      if (!isFiniteNumber(h[f])) fail(`progress.history[${k}].${f}`, 'must be a finite number');
    for (const f of ['testLoss', 'testAccuracy'])
      if (h[f] !== undefined && !isFiniteNumber(h[f]))
        fail(`progress.history[${k}].${f}`, 'must be a finite number');
  }
  if (!isRecord(json.config)) fail('config', 'is missing or not an object');
  if (json.extra !== undefined && !isRecord(json.extra)) fail('extra', 'must be an object');
  const o = json.optimizer;
  if (!isRecord(o)) return fail('optimizer', 'is missing or not an object');
  if (!isFiniteNumber(o.learningRate) || o.learningRate <= 0)
    fail('optimizer.learningRate', 'must be a positive number');
  checkWeightSpecs(o.weightSpecs, `${file}: "optimizer.weightSpecs"`);
  return json as unknown as TrainingJson;
}

/** Everything a checkpoint's files hold, read and checked, nothing loaded yet. */
interface CheckpointFiles {
  readonly name: string;
  readonly training: TrainingJson;
  readonly artifacts: tf.io.ModelArtifacts;
  readonly optimizer: Uint8Array;
}

/** Reads and checks the files of `checkpoints/<name>` of the run in `dir`, confined to `dir`. */
async function readCheckpointFiles(dir: string, name: string): Promise<CheckpointFiles> {
  const base = `checkpoints/${name}`;
  const json = await readJsonInside(dir, `${base}/training.json`, { maxBytes: 64 * MiB });
  const training = checkTrainingJson(json, `${base}/training.json`);
  const bytes = checkWeightSpecs(training.optimizer.weightSpecs, `${base}/training.json`);
  const optimizer = await readFileInside(dir, `${base}/optimizer.bin`, { maxBytes: bytes, bytes });
  const artifacts = await readArtifactsInside(dir, base);
  return { name, training, artifacts, optimizer };
}

/** The checkpoint folders of a run, newest first. */
export async function listCheckpoints(dir: string): Promise<string[]> {
  const names = await readdir(join(resolve(dir), 'checkpoints')).catch(() => [] as string[]);
  return names
    .filter((n) => NAME.test(n))
    .sort()
    .reverse();
}

/** The other checkpoints whose files read and check cleanly (newest first), for error messages. */
async function intactCheckpoints(dir: string, except: string | undefined): Promise<string[]> {
  const out: string[] = [];
  for (const name of await listCheckpoints(dir)) {
    if (name === except) continue;
    if (
      await readCheckpointFiles(dir, name).then(
        () => true,
        () => false,
      )
    )
      out.push(name);
  }
  return out;
}

/** Options of {@link loadCheckpoint}. */
export interface LoadCheckpointOptions {
  /** A checkpoint folder name (`epoch-0001-batch-000032`) instead of the one `latest.json` names. */
  readonly checkpoint?: string;
}

/**
 * Loads the latest checkpoint of `dir` (or the one named) into the model and optimizer, and
 * returns its progress and config. Every file is read confined to `dir` (no path or link leads
 * out), its size checked before reading, `training.json` checked field by field, and nothing is
 * loaded until all of it is sound.
 * @throws CheckpointError naming the file and field at fault, with the other checkpoints that are
 *   intact (`intact`), for a missing, corrupt, unsafe or wrong-architecture checkpoint.
 */
export async function loadCheckpoint(
  dir: string,
  m: Model,
  optimizer: tf.Optimizer,
  options: LoadCheckpointOptions = {},
): Promise<CheckpointMeta> {
  let name = options.checkpoint;
  let files: CheckpointFiles;
  try {
    if (name !== undefined) {
      if (!NAME.test(name))
        throw new CheckpointError(`checkpoint "${name}" is not a checkpoint name (epoch-NNNN-batch-NNNNNN)`);
    } else {
      const latest = await readJsonInside(dir, `checkpoints/${LATEST}`, { maxBytes: 64 * KiB }).catch(
        (error: unknown) => {
          if (error instanceof CheckpointError && /: missing$/.test(error.message))
            throw new CheckpointError(
              `${dir}: no checkpoint to resume from (checkpoints/${LATEST} is missing)`,
              {
                file: `checkpoints/${LATEST}`,
              },
            );
          throw error;
        },
      );
      const named = isRecord(latest) ? latest.checkpoint : undefined;
      if (typeof named !== 'string' || !NAME.test(named))
        throw new CheckpointError(
          `checkpoints/${LATEST}: "checkpoint" must name a folder of checkpoints/ (epoch-NNNN-batch-NNNNNN), got ${JSON.stringify(named ?? null)}`,
          { file: `checkpoints/${LATEST}` },
        );
      name = named;
    }
    files = await readCheckpointFiles(dir, name);
  } catch (error) {
    if (!(error instanceof CheckpointError)) throw error;
    const intact = await intactCheckpoints(dir, name);
    const offer = intact.length ? `; intact checkpoints of this run: ${intact.join(', ')}` : '';
    throw new CheckpointError(`${error.message}${offer}`, {
      ...(error.file === undefined ? {} : { file: error.file }),
      intact,
    });
  }
  const { training } = files;
  loadModelArtifacts(m, files.artifacts);
  const optData = files.optimizer;
  await loadOptimizerArtifacts(
    optimizer,
    m,
    training.optimizer.weightSpecs,
    optData.buffer.slice(optData.byteOffset, optData.byteOffset + optData.byteLength) as ArrayBuffer,
  );
  (optimizer as unknown as { learningRate: number }).learningRate = training.optimizer.learningRate;
  const { progress, config, extra } = training;
  const meta = {
    progress: { ...progress, history: progress.history as EpochLog[] },
    config,
  };
  return extra === undefined ? meta : { ...meta, extra };
}
