#!/usr/bin/env node
// `npm test`: every test of the monorepo on a fresh machine with only Node and npm.
// Installs pnpm and the workspace when needed, runs every package's tests through turbo (Node tests,
// then browser tests where a Chromium is installed), and ends with one summary line for all packages.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureInstalled, env, root, runPnpm } from './bootstrap.mjs';

ensureInstalled();

// Fresh result files, so the summary counts this run only (turbo restores them on cache hits).
for (const dir of ['packages', 'apps']) {
  if (!existsSync(join(root, dir))) continue;
  for (const name of readdirSync(join(root, dir)))
    rmSync(join(root, dir, name, 'test-results'), { recursive: true, force: true });
}

let status = runPnpm(['exec', 'turbo', 'run', 'test']);

const chromium =
  ['CHROMIUM_PATH', 'CHROME_PATH'].map((k) => process.env[k]).find(Boolean) ??
  ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
if (chromium) {
  env.CHROMIUM_PATH = chromium;
  status = runPnpm(['exec', 'turbo', 'run', 'test:browser']) || status;
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
