#!/usr/bin/env node
// `npm test`: every test of the monorepo on a fresh machine with only Node and npm.
// Installs pnpm and the workspace when needed, runs every package's tests through turbo (Node tests,
// then browser tests where a Chromium is installed), and ends with one summary line for all packages.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const PNPM = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' };

function pnpmCommand() {
  try {
    const v = execFileSync('pnpm', ['--version'], { encoding: 'utf8', env }).trim();
    if (v === PNPM) return ['pnpm', []];
  } catch {}
  console.log(`[test] using pnpm ${PNPM} through npx (install it with: npm i -g pnpm@${PNPM})`);
  return ['npx', ['--yes', `pnpm@${PNPM}`]];
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  return r.status ?? 1;
}

const [pnpm, pre] = pnpmCommand();
const marker = join(root, 'node_modules', '.modules.yaml');
const lock = join(root, 'pnpm-lock.yaml');
if (!existsSync(marker) || statSync(lock).mtimeMs > statSync(marker).mtimeMs) {
  console.log('[test] installing the workspace (pnpm install --frozen-lockfile)');
  if (run(pnpm, [...pre, 'install', '--frozen-lockfile']) !== 0) process.exit(1);
}

// Fresh result files, so the summary counts this run only (turbo restores them on cache hits).
for (const dir of ['packages', 'apps']) {
  if (!existsSync(join(root, dir))) continue;
  for (const name of readdirSync(join(root, dir)))
    rmSync(join(root, dir, name, 'test-results'), { recursive: true, force: true });
}

let status = run(pnpm, [...pre, 'exec', 'turbo', 'run', 'test']);

const chromium =
  ['CHROMIUM_PATH', 'CHROME_PATH'].map((k) => process.env[k]).find(Boolean) ??
  ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
if (chromium) {
  env.CHROMIUM_PATH = chromium;
  status = run(pnpm, [...pre, 'exec', 'turbo', 'run', 'test:browser']) || status;
} else {
  console.log(
    '[test] browser tests skipped: no Chromium found (apt-get install -y chromium, or set CHROMIUM_PATH).',
  );
}

const totals = { passed: 0, failed: 0, skipped: 0, files: 0 };
for (const dir of ['packages', 'apps']) {
  if (!existsSync(join(root, dir))) continue;
  for (const name of readdirSync(join(root, dir))) {
    const results = join(root, dir, name, 'test-results');
    if (!existsSync(results)) continue;
    for (const file of readdirSync(results).filter((f) => f.endsWith('.json'))) {
      const r = JSON.parse(readFileSync(join(results, file), 'utf8'));
      totals.files++;
      totals.passed += r.numPassedTests ?? 0;
      totals.failed += r.numFailedTests ?? 0;
      totals.skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    }
  }
}
console.log(`\n[test] ${totals.files} result files; exit status ${status}`);
if (totals.files === 0 && status === 0) status = 1;
if (status !== 0 && totals.failed === 0)
  console.log('[test] a task failed before or outside its tests: see the output above.');
console.log(`Tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(status);
