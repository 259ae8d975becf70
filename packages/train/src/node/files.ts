import { randomBytes } from 'node:crypto';
import { constants, existsSync } from 'node:fs';
import { lstat, mkdir, open, readdir, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { CheckpointError, isRelativeInside } from '../checkpoint.js';

/** The suffix of a temporary file or folder: `.tmp-<pid>-<8 hex digits>`. */
const TMP = /\.tmp-(\d+)-[0-9a-f]{8}$/;

/** A fresh temporary name beside `path`, carrying this process's id. */
export const tmpName = (path: string): string =>
  `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;

/** Writes a file atomically: a temporary file beside it, flushed, then renamed into place. */
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

/** True when a process with this id runs on this machine. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files and folders (`*.tmp-<pid>-<hex>`) in `dir` that a killed process
 * left: those of processes no longer running (never this process's own). Returns their names.
 */
export async function removeStaleTemporaries(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = Number(TMP.exec(name)?.[1]);
    if (!pid || pid === process.pid || processAlive(pid)) continue;
    await rm(join(dir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** Options of {@link readFileInside}. */
export interface ReadInsideOptions {
  /** The most bytes the file may have (checked before reading). */
  readonly maxBytes: number;
  /** The exact size the file must have, when known (checked before reading). */
  readonly bytes?: number;
  /** How the file is named in errors. Default its path relative to `root`. */
  readonly label?: string;
}

/**
 * Resolves `path` (relative to `root`, or absolute) and checks that it stays inside `root` after
 * following every symbolic link, and that it is a regular file. Returns the resolved path.
 * @throws CheckpointError naming the file: outside `root`, missing, or not a regular file.
 */
export async function resolveInside(root: string, path: string, label?: string): Promise<string> {
  const realRoot = await realpath(resolve(root)).catch(() => {
    throw new CheckpointError(`${root}: the folder does not exist`, { file: root });
  });
  const target = resolve(realRoot, path);
  const name = label ?? relative(realRoot, target);
  const inside = (p: string) =>
    p === realRoot || p.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep);
  if (!inside(target))
    throw new CheckpointError(`${name}: the path leads outside ${realRoot}; refusing to read it`, {
      file: name,
    });
  let real: string;
  try {
    real = await realpath(target);
  } catch {
    throw new CheckpointError(`${name}: missing`, { file: name });
  }
  if (!inside(real))
    throw new CheckpointError(`${name}: a link that leads outside ${realRoot}; refusing to read it`, {
      file: name,
    });
  return real;
}

/**
 * Reads a file of a run directory, model folder or checkpoint that others may have written:
 * confined to `root` (see {@link resolveInside}), a regular file (never a device or a pipe), its
 * size checked before a byte is read.
 * @throws CheckpointError naming the file and what is wrong.
 */
export async function readFileInside(
  root: string,
  path: string,
  options: ReadInsideOptions,
): Promise<Buffer> {
  const real = await resolveInside(root, path, options.label);
  const name = options.label ?? relative(await realpath(resolve(root)), resolve(root, path));
  // Non-blocking: opening a pipe must not wait for a writer; the checks below refuse it.
  const handle = await open(real, constants.O_RDONLY | constants.O_NONBLOCK).catch((error: Error) => {
    throw new CheckpointError(`${name}: unreadable (${error.message})`, { file: name });
  });
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new CheckpointError(`${name}: not a regular file`, { file: name });
    if (stat.size > options.maxBytes)
      throw new CheckpointError(
        `${name}: ${stat.size} bytes, more than the ${options.maxBytes} such a file may have`,
        {
          file: name,
        },
      );
    if (options.bytes !== undefined && stat.size !== options.bytes)
      throw new CheckpointError(
        `${name}: ${stat.size} bytes where ${options.bytes} are expected (truncated or corrupt)`,
        {
          file: name,
        },
      );
    const out = Buffer.alloc(stat.size);
    let read = 0;
    while (read < stat.size) {
      const { bytesRead } = await handle.read(out, read, stat.size - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    if (read !== stat.size)
      throw new CheckpointError(`${name}: changed while it was read (${read} of ${stat.size} bytes)`, {
        file: name,
      });
    return out;
  } finally {
    await handle.close();
  }
}

/** Reads and parses a JSON file with {@link readFileInside}. @throws CheckpointError for bad JSON too. */
export async function readJsonInside(
  root: string,
  path: string,
  options: ReadInsideOptions,
): Promise<unknown> {
  const text = (await readFileInside(root, path, options)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    const name = options.label ?? path;
    throw new CheckpointError(`${name}: not valid JSON (${(error as Error).message})`, { file: name });
  }
}

/**
 * Checks that `path` inside `root` may be written: absent, or a regular file or folder itself (not
 * a symbolic link, which could point anywhere).
 * @throws CheckpointError naming the file.
 */
export async function checkWritableInside(root: string, path: string, label?: string): Promise<void> {
  const name = label ?? path;
  if (!isRelativeInside(path)) throw new CheckpointError(`${name}: outside the folder`, { file: name });
  let here = resolve(root);
  for (const part of path.split('/')) {
    here = join(here, part);
    const stat = await lstat(here).catch(() => undefined);
    if (stat === undefined) return;
    if (stat.isSymbolicLink())
      throw new CheckpointError(
        `${name}: ${relative(resolve(root), here)} is a symbolic link; refusing to write through it`,
        {
          file: name,
        },
      );
    if (!stat.isFile() && !stat.isDirectory())
      throw new CheckpointError(`${name}: not a regular file`, { file: name });
  }
}

/** Fills a fresh temporary folder, then swaps it in for `dir` (the old one is removed afterwards). */
export async function replaceDir(dir: string, fill: (tmp: string) => Promise<void>): Promise<void> {
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
