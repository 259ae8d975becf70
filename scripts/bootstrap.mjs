// Shared by `npm test` and `npm start`: on a machine with only Node and npm, find or fetch the
// pinned pnpm, install the workspace when needed, and run commands through it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const env = {
  ...process.env,
  TURBO_TELEMETRY_DISABLED: '1',
  DO_NOT_TRACK: '1',
  VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true',
};
const PNPM = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];

function pnpmCommand() {
  try {
    if (execFileSync('pnpm', ['--version'], { encoding: 'utf8', env }).trim() === PNPM) return ['pnpm', []];
  } catch {}
  console.log(`[snn] using pnpm ${PNPM} through npx (install it with: npm i -g pnpm@${PNPM})`);
  return ['npx', ['--yes', `pnpm@${PNPM}`]];
}

const [pnpm, pre] = pnpmCommand();

/** Runs a command in the repository root, inheriting stdio; returns its exit status. */
export function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env, ...options });
  return r.status ?? 1;
}

/** Runs `pnpm <args>` with the pinned pnpm. */
export function runPnpm(args, options = {}) {
  return run(pnpm, [...pre, ...args], options);
}

/** Installs the workspace unless node_modules is newer than the lockfile. */
export function ensureInstalled() {
  const marker = join(root, 'node_modules', '.modules.yaml');
  const lock = join(root, 'pnpm-lock.yaml');
  if (existsSync(marker) && statSync(lock).mtimeMs <= statSync(marker).mtimeMs) return;
  console.log('[snn] installing the workspace (pnpm install --frozen-lockfile)');
  if (runPnpm(['install', '--frozen-lockfile']) !== 0) process.exit(1);
}
