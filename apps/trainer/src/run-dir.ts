// A run directory: created fresh or refused, locked while a process trains in it, its files read
// confined to it (no path or link leads out, sizes checked first) and written atomically or
// appended without following links.
import { constants } from 'node:fs';
import { type FileHandle, lstat, mkdir, open, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { CheckpointError } from '@snn/train';
import {
  checkWritableInside,
  processAlive,
  readFileInside,
  readJsonInside,
  removeStaleTemporaries,
  writeFileAtomic,
} from '@snn/train/node';
import { checkSavedOptions, type TrainOptions, UsageError } from './options.js';

/** The most bytes a run's `config.json` may have. */
const MAX_CONFIG = 1024 * 1024;
/** The most bytes of `metrics.jsonl` a run reads back (for plots and on resume). */
const MAX_METRICS = 512 * 1024 * 1024;

/** What a run's `config.json` holds (its options checked by the command line's rules). */
export interface RunConfig extends Record<string, unknown> {
  readonly options: TrainOptions;
}

/**
 * Reads and checks a run's `config.json`.
 * @throws UsageError when `runDir` is not a run directory (no `config.json`).
 * @throws CheckpointError naming `config.json` and the field when it is unsafe, not JSON or breaks a rule.
 */
export async function readRunConfig(runDir: string): Promise<RunConfig> {
  const exists = await lstat(join(runDir, 'config.json')).then(
    () => true,
    () => false,
  );
  if (!exists) throw new UsageError(`${runDir} is not a run directory (no config.json)`);
  const json = await readJsonInside(runDir, 'config.json', { maxBytes: MAX_CONFIG, label: 'config.json' });
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new CheckpointError('config.json: not a JSON object', { file: 'config.json' });
  const checked = checkSavedOptions((json as Record<string, unknown>).options);
  if ('problem' in checked)
    throw new CheckpointError(`config.json: "${checked.field}" ${checked.problem}`, { file: 'config.json' });
  return { ...(json as Record<string, unknown>), options: checked.options };
}

/**
 * Checks that a new run may use `dir`: absent or empty, or (with `overwrite`) holding an old run
 * that {@link createRunDir} moves aside. Writes nothing.
 * @throws UsageError when it holds files and `overwrite` is not given.
 */
export async function checkNewRunDir(dir: string, overwrite: boolean): Promise<void> {
  const names = await readdir(dir).catch(() => undefined);
  if (names === undefined || names.length === 0 || overwrite) return;
  throw new UsageError(
    `${dir} already holds files (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}): a new run ` +
      `would mix with them. Continue that run with --resume ${dir}, choose another --out, or add --overwrite to move it aside.`,
    'out',
  );
}

/** Creates a new run's directory; a non-empty one (with `overwrite`) is renamed to `<dir>.old-<time>` first. */
export async function createRunDir(dir: string, overwrite: boolean): Promise<string | undefined> {
  await checkNewRunDir(dir, overwrite);
  const names = await readdir(dir).catch(() => undefined);
  let movedTo: string | undefined;
  if (names !== undefined && names.length > 0) {
    movedTo = `${dir}.old-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`;
    await rename(dir, movedTo);
  }
  await mkdir(dir, { recursive: true });
  return movedTo;
}

/** The lock a process holds on a run directory while it trains in it (`run.lock`). */
export interface RunLock {
  release(): Promise<void>;
}

/**
 * Locks a run directory for this process (`run.lock`: host, pid, time), so two processes never
 * train into one run. A lock left by a process of this host that no longer runs (killed) is taken over.
 * @throws UsageError naming the holder when another live process (or another host) holds it.
 */
export async function lockRunDir(dir: string): Promise<RunLock> {
  const path = join(dir, 'run.lock');
  await checkWritableInside(dir, 'run.lock');
  const mine = `${JSON.stringify({ host: hostname(), pid: process.pid, since: new Date().toISOString() })}\n`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, mine, { flag: 'wx' });
      return { release: () => rm(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder: { host?: unknown; pid?: unknown; since?: unknown } = {};
    try {
      holder = JSON.parse((await readFileInside(dir, 'run.lock', { maxBytes: 4096 })).toString('utf8'));
    } catch {
      // Unreadable: left half-written by a killed process.
    }
    const pid = Number(holder.pid);
    if (
      holder.host === hostname() &&
      Number.isInteger(pid) &&
      pid > 0 &&
      processAlive(pid) &&
      pid !== process.pid
    )
      throw new UsageError(
        `${dir} is in use: process ${pid} has been training in it since ${String(holder.since)} (run.lock). Wait for it, or stop it first.`,
      );
    if (holder.host !== undefined && holder.host !== hostname())
      throw new UsageError(
        `${dir} is in use by host ${String(holder.host)} (process ${String(holder.pid)}, since ${String(holder.since)}). ` +
          `If that process is gone, delete ${path} and try again.`,
      );
    await rm(path, { force: true });
  }
  throw new UsageError(`${dir}: could not take run.lock`);
}

/** Removes what killed processes left half-written in a run directory (`*.tmp-<pid>-<hex>`). */
export async function removeRunTemporaries(dir: string): Promise<string[]> {
  return [
    ...(await removeStaleTemporaries(dir)),
    ...(await removeStaleTemporaries(join(dir, 'checkpoints'))).map((n) => `checkpoints/${n}`),
  ];
}

/** Writes a file of a run directory atomically, refusing to replace a symbolic link. */
export async function writeRunFile(dir: string, name: string, data: string | Uint8Array): Promise<void> {
  await checkWritableInside(dir, name);
  await writeFileAtomic(join(dir, name), data);
}

const CSV_HEADER =
  'kind,epoch,batch,loss,accuracy,test_loss,test_accuracy,samples_per_second,elapsed_s,learning_rate,spike_rate_hz,syn_ops,dense_macs\n';
const CSV_COLUMNS = [
  'kind',
  'epoch',
  'batch',
  'loss',
  'accuracy',
  'testLoss',
  'testAccuracy',
  'samplesPerSecond',
  'elapsed',
  'learningRate',
  'spikeRateHz',
  'synOps',
  'denseMacs',
];
const csvLine = (row: Record<string, unknown>) =>
  `${CSV_COLUMNS.map((c) => (row[c] === undefined ? '' : String(row[c]))).join(',')}\n`;

/** One line of `metrics.jsonl` (epochs and batches counted from 1). */
export interface MetricsRow extends Record<string, unknown> {
  readonly kind: 'batch' | 'epoch';
  readonly epoch: number;
  readonly batch?: number;
}

/**
 * Reads a run's `metrics.jsonl` (confined, size-checked); lines that do not parse, or are not a
 * batch or epoch row counted from 1, are skipped.
 */
export async function readMetrics(dir: string): Promise<MetricsRow[]> {
  const text = (await readFileInside(dir, 'metrics.jsonl', { maxBytes: MAX_METRICS })).toString('utf8');
  const rows: MetricsRow[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const row = JSON.parse(line) as MetricsRow;
      const counted = (x: unknown) => Number.isSafeInteger(x) && (x as number) >= 1;
      if (row === null || typeof row !== 'object' || !counted(row.epoch)) continue;
      if (row.kind === 'epoch' || (row.kind === 'batch' && counted(row.batch))) rows.push(row);
    } catch {
      // A line cut by a kill: the checkpoint's position decides what is kept.
    }
  }
  return rows;
}

/** Appends rows to `metrics.jsonl` and `metrics.csv` as they come (never through a link). */
export class MetricsLog {
  private constructor(private readonly files: { jsonl: FileHandle; csv: FileHandle }) {}

  /**
   * Opens a run's metrics files. Fresh: new files with the CSV header. On resume from a
   * checkpoint at (`epoch`, `nextBatch`, the epochs `done`): both files rewritten to the rows
   * before that point, so batches a killed process ran past its last checkpoint are not repeated.
   */
  static async open(
    dir: string,
    resumeAt?: { epoch: number; nextBatch: number; done: readonly number[] },
  ): Promise<MetricsLog> {
    for (const name of ['metrics.jsonl', 'metrics.csv']) await checkWritableInside(dir, name);
    let rows: MetricsRow[] = [];
    if (resumeAt) {
      const exists = await lstat(join(dir, 'metrics.jsonl')).then(
        () => true,
        () => false,
      );
      if (exists) rows = await readMetrics(dir);
      const epoch = resumeAt.epoch + 1;
      rows = rows.filter((r) =>
        r.kind === 'epoch'
          ? resumeAt.done.includes(r.epoch - 1)
          : r.epoch < epoch || (r.epoch === epoch && (r.batch ?? 0) <= resumeAt.nextBatch),
      );
    }
    await writeFileAtomic(join(dir, 'metrics.jsonl'), rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
    await writeFileAtomic(join(dir, 'metrics.csv'), CSV_HEADER + rows.map(csvLine).join(''));
    const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW;
    const jsonl = await open(join(dir, 'metrics.jsonl'), flags);
    const csv = await open(join(dir, 'metrics.csv'), flags).catch(async (e) => {
      await jsonl.close();
      throw e;
    });
    return new MetricsLog({ jsonl, csv });
  }

  async append(row: MetricsRow): Promise<void> {
    await this.files.jsonl.write(`${JSON.stringify(row)}\n`);
    await this.files.csv.write(csvLine(row));
  }

  async close(): Promise<void> {
    await Promise.all([this.files.jsonl.close(), this.files.csv.close()]);
  }
}

/** Where a new run goes by default: `runs/<date>-<model>-<encoder>`. */
export function defaultRunDir(o: Pick<TrainOptions, 'model' | 'encoder'>): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return resolve('runs', `${stamp}-${o.model}-${o.encoder}`);
}
