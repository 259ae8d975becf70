/**
 * The trainer's building blocks, for tests and embedding: `main` runs the CLI.
 * @packageDocumentation
 */

export { makeModel } from './build.js';
export { benchTable, runBench, runEval, runInfo } from './commands.js';
export { main, program, VERSION } from './main.js';
export { DEFAULTS, PRESETS, resolveOptions, type TrainOptions, UsageError } from './options.js';
export { autoThreads, DataParallel, splitBatch } from './parallel.js';
export { lineChartSvg, mostActive, rasterSvg, svgToPng } from './plots.js';
export { humanReporter, jsonReporter, type Reporter } from './report.js';
export { runTrain } from './run.js';
