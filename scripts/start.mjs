#!/usr/bin/env node
// `npm start`: the main job on a fresh machine with only Node and npm. Installs the workspace,
// builds the trainer, then runs `snn-train train` (the tutorial's recurrent model, 1 epoch on
// MNIST). What follows `--` is passed on: options alone are train's (`npm start -- --epochs 5`;
// snn-train takes options without a command as train's), or a command (`npm start -- eval runs/…`).
import { ensureInstalled, root, run, runPnpm } from './bootstrap.mjs';

ensureInstalled();
if (
  runPnpm([
    'exec',
    'turbo',
    'run',
    'build',
    '--filter',
    '@snn/trainer...',
    '--output-logs',
    'errors-only',
  ]) !== 0
)
  process.exit(1);
const args = process.argv.slice(2);
process.exit(
  run(process.execPath, [`${root}/apps/trainer/dist/cli.js`, ...(args.length ? args : ['train'])], {
    cwd: process.cwd(),
  }),
);
