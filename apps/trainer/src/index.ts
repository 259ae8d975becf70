/**
 * The trainer's building blocks, for tests and embedding: `main` runs the CLI.
 * @packageDocumentation
 */

export { makeModel } from './build.js';
export { type BenchResult, benchTable, type InfoReport, runBench, runEval, runInfo } from './commands.js';
export type { BackendReport, TensorflowGpuReport } from './gpu.js';
export { TrainingStalledError } from './health.js';
export type { LaunchReport, LaunchUnit } from './launches.js';
export { main, program, VERSION } from './main.js';
export {
  checkSavedOptions,
  DEFAULTS,
  PRESETS,
  RULES,
  resolveOptions,
  type TrainOptions,
  UsageError,
} from './options.js';
export { type LineChart, lineChartSvg, mostActive, rasterSvg, type Series, svgToPng } from './plots.js';
export { humanReporter, jsonReporter, type Reporter } from './report.js';
export { type ResumeRequest, type RunResult, resumeOptions, runTrain } from './run.js';
export { type RunConfig, readRunConfig } from './run-dir.js';
export { autoThreads, startThreads } from './threads.js';
