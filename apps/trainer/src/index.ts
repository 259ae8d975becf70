/**
 * The trainer's building blocks, for tests and embedding: `main` runs the CLI.
 * @packageDocumentation
 */

export { makeModel } from './build.js';
export { type BenchResult, benchTable, type InfoReport, runBench, runEval, runInfo } from './commands.js';
export { main, program, VERSION } from './main.js';
export { DEFAULTS, PRESETS, resolveOptions, type TrainOptions, UsageError } from './options.js';
export { autoThreads, DataParallel, splitBatch } from './parallel.js';
export { type LineChart, lineChartSvg, mostActive, rasterSvg, type Series, svgToPng } from './plots.js';
export { humanReporter, jsonReporter, type Reporter } from './report.js';
export { type RunResult, runTrain } from './run.js';
