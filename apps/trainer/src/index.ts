/**
 * The trainer's building blocks, for tests and embedding: `main` runs the CLI.
 * @packageDocumentation
 */

export { makeModel } from './build.js';
export { benchTable, runBench, runEval, runInfo } from './commands.js';
export { TrainingStalledError } from './health.js';
export { main, program } from './main.js';
export {
  checkSavedOptions,
  DEFAULTS,
  PRESETS,
  RULES,
  resolveOptions,
  type TrainOptions,
  UsageError,
} from './options.js';
export { lineChartSvg, mostActive, rasterSvg, svgToPng } from './plots.js';
export { humanReporter, jsonReporter, type Reporter } from './report.js';
export { type ResumeRequest, resumeOptions, runTrain } from './run.js';
export { readRunConfig } from './run-dir.js';
export { autoThreads, startThreads } from './threads.js';
