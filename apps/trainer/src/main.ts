import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { BackendUnavailableError } from '@snn/core';
import { DatasetFileError } from '@snn/datasets';
import { DatasetUnavailableError } from '@snn/datasets/node';
import { NIRFormatError } from '@snn/nir';
import { CheckpointError, TrainingDivergedError } from '@snn/train';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { BACKEND_CHOICES } from './backend.js';
import { benchTable, runBench, runEval, runInfo } from './commands.js';
import { TrainingStalledError } from './health.js';
import { evalNIRAction, registerNIRCommands } from './nir-cli.js';
import { DEFAULTS, PRESETS, resolveOptions, type TrainOptions, UsageError } from './options.js';
import { humanReporter, jsonReporter, type Reporter } from './report.js';
import { type ResumeRequest, resumeOptions, runTrain } from './run.js';
import { readRunConfig } from './run-dir.js';

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n))
    throw new InvalidArgumentError(`${name} must be a whole number.`);
  return n;
};
const num = (name: string) => (v: string) => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number.`);
  return n;
};

const threadsArg = (v: string): number | 'auto' => (v.trim() === 'auto' ? 'auto' : int('--threads')(v));

/** The version of `@snn/trainer` (its package.json: `../package.json` from `src/` and from `dist/`). */
export const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

function reporter(flags: { json?: boolean; quiet?: boolean }): Reporter {
  return flags.json ? jsonReporter() : humanReporter({ quiet: flags.quiet ?? false });
}

/** Builds the `snn-train` command line. `exit` ends the process (tests pass their own). */
export function program(exit: (code: number) => never = (c) => process.exit(c)): Command {
  const cli = new Command('snn-train')
    .description('Train spiking neural networks with @snn: the Norse MNIST tutorial in TypeScript.')
    .version(VERSION, '-V, --version', 'print the version of @snn/trainer')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride((err: CommanderError) => {
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      )
        exit(0);
      exit(2);
      throw err;
    });

  cli
    .command('train')
    .description('train a model; with no options, the tutorial recurrent model for 1 epoch on MNIST')
    .option('--preset <name>', `a tutorial experiment: ${Object.keys(PRESETS).join(', ')}`)
    .addOption(new Option('--model <kind>', 'network').choices(['recurrent', 'conv']))
    .addOption(
      new Option('--encoder <kind>', 'input encoder').choices(['constant-current', 'poisson', 'latency']),
    )
    .option('--seq-length <T>', `time steps per sample (default ${DEFAULTS.seqLength})`, int('--seq-length'))
    .option(
      '--hidden <n>',
      `hidden neurons of the recurrent model (default ${DEFAULTS.hidden})`,
      int('--hidden'),
    )
    .option('--epochs <n>', `epochs (default ${DEFAULTS.epochs})`, int('--epochs'))
    .option('--batch-size <n>', `batch size (default ${DEFAULTS.batchSize})`, int('--batch-size'))
    .option('--lr <rate>', `Adam learning rate (default ${DEFAULTS.lr})`, num('--lr'))
    .option('--seed <n>', 'seed of weights and shuffling (default 0)', int('--seed'))
    .option('--f-max <hz>', 'Poisson encoder maximum rate (default 100)', num('--f-max'))
    .addOption(new Option('--dataset <name>', 'dataset').choices(['mnist', 'fashion-mnist', 'kmnist']))
    .option(
      '--data-dir <dir>',
      'folder with the four IDX files (else SNN_<DATASET>_DIR, the cache, a download)',
    )
    .option('--limit-train <n>', 'use only the first n training samples', int('--limit-train'))
    .option('--limit-test <n>', 'use only the first n test samples', int('--limit-test'))
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(BACKEND_CHOICES))
    .option('--out <dir>', 'run directory (default runs/<date>-<model>-<encoder>)')
    .option('--resume <dir>', 'continue the run in <dir> from its latest checkpoint (bit for bit)')
    .option(
      '--checkpoint <name>',
      'with --resume: continue from this checkpoint folder instead of the latest',
    )
    .option(
      '--overwrite',
      'let --out name a folder that holds files: they are moved to <dir>.old-<time> first',
    )
    .option(
      '--allow-unverified',
      'train on dataset files whose MD5s are not the official ones (recorded as unverified)',
    )
    .option(
      '--checkpoint-every <n>',
      'also checkpoint every n batches (default 50)',
      int('--checkpoint-every'),
    )
    .option('--no-offline-subset', 'never fall back to the offline MNIST subset')
    .option(
      '--micro-batch <n>',
      "compute each batch's gradient in slices of n samples: same update, less memory (tutorial-conv: 16)",
      int('--micro-batch'),
    )
    .option(
      '--epoch-size <n>',
      'train each epoch on n samples drawn afresh from the train split (shorter epochs over all of it)',
      int('--epoch-size'),
    )
    .option(
      '--threads <n|auto>',
      "threads computing each batch's gradients, each with a copy of the model (default auto: every core for conv on wasm/cpu, else 1)",
      threadsArg,
    )
    .option('--json', 'machine-readable JSON lines on stdout')
    .option('--quiet', 'print only the result and errors')
    .action(async (flags) => {
      const report = reporter(flags);
      const cliFlags: Partial<TrainOptions> = {
        model: flags.model,
        encoder: flags.encoder,
        seqLength: flags.seqLength,
        hidden: flags.hidden,
        epochs: flags.epochs,
        batchSize: flags.batchSize,
        lr: flags.lr,
        seed: flags.seed,
        fMax: flags.fMax,
        dataset: flags.dataset,
        dataDir: flags.dataDir,
        limitTrain: flags.limitTrain,
        limitTest: flags.limitTest,
        backend: flags.backend,
        out: flags.out,
        checkpointEvery: flags.checkpointEvery,
        offlineSubset: flags.offlineSubset,
        microBatch: flags.microBatch,
        epochSize: flags.epochSize,
        threads: flags.threads,
        allowUnverified: flags.allowUnverified,
      };
      let options: TrainOptions;
      let resume: ResumeRequest | undefined;
      if (flags.checkpoint !== undefined && !flags.resume)
        throw new UsageError('--checkpoint needs --resume <run dir> (it names a checkpoint of that run)');
      if (flags.resume) {
        if (flags.preset !== undefined) throw new UsageError('--preset cannot be used with --resume');
        if (flags.out !== undefined)
          throw new UsageError('--out cannot be used with --resume (the run stays in its directory)');
        const dir = resolve(flags.resume);
        const config = await readRunConfig(dir);
        // The no- flag is always set by commander: given only when it turns the subset off.
        const given = Object.fromEntries(
          Object.entries(cliFlags).filter(
            ([k, v]) => v !== undefined && !(k === 'offlineSubset' && v === true),
          ),
        ) as Partial<TrainOptions>;
        options = resolveOptions(resumeOptions(config.options, given));
        resume = { dir, config, given, ...(flags.checkpoint ? { checkpoint: flags.checkpoint } : {}) };
      } else options = resolveOptions(cliFlags, flags.preset);
      const ac = new AbortController();
      const onSignal = () => {
        if (ac.signal.aborted) exit(130);
        report.warn('stopping after the current batch (Ctrl-C again to quit now)');
        ac.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const r = await runTrain(options, report, {
          signal: ac.signal,
          ...(resume ? { resume } : {}),
          overwrite: flags.overwrite === true,
        });
        const human = r.aborted
          ? `stopped; run directory: ${r.runDir}`
          : `test accuracy: ${(100 * r.testAccuracy!).toFixed(2)}% (${r.dataset})\nrun directory: ${r.runDir}`;
        report.result(
          {
            runDir: r.runDir,
            testAccuracy: r.testAccuracy,
            testLoss: r.testLoss,
            aborted: r.aborted,
            backend: r.backend,
            dataset: r.dataset,
          },
          human,
        );
        if (r.aborted) exit(130);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });

  cli
    .command('eval [runDir]')
    .description('evaluate the model of a run directory on its test set (or a NIR file: --nir)')
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(BACKEND_CHOICES))
    .option('--data-dir <dir>', 'folder with the dataset files')
    .option('--checkpoint <name>', 'evaluate this checkpoint folder of the run instead of its model')
    .option('--allow-unverified', 'accept dataset files whose MD5s are not the official ones')
    .option('--json', 'machine-readable JSON on stdout')
    .action(async (runDir: string | undefined, flags) => {
      const report = reporter({ ...flags, quiet: false });
      if (flags.nir) return evalNIRAction(flags, report);
      if (!runDir) throw new UsageError('eval needs a run directory (or --nir <file>)');
      const r = await runEval(runDir, flags, report);
      report.result(
        { ...r, runDir: resolve(runDir) },
        `test accuracy: ${(100 * r.accuracy).toFixed(2)}% (${r.samples} images), loss ${r.loss.toFixed(4)}`,
      );
    });

  registerNIRCommands(cli, reporter);

  cli
    .command('info')
    .description('Node version, the backends that load here and why the others do not, dataset caches')
    .option('--json', 'machine-readable JSON on stdout')
    .action(async (flags) => {
      const info = await runInfo();
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(info)}\n`);
        return;
      }
      const lines = [
        `Node ${info.node} on ${info.platform}, ${info.cpus} CPUs, ${info.memoryGiB} GiB`,
        'backends:',
        ...info.backends.map((b) => `  ${b.available ? '✓' : '✗'} ${b.name}: ${b.detail}`),
        `event-driven kernels (cpu, wasm): ${info.simdKernels ? 'WebAssembly SIMD' : 'plain JavaScript (no WebAssembly SIMD here)'}`,
        'datasets:',
        ...info.datasets.map(
          (d) =>
            `  ${d.id}: ${d.env ? `${d.envVar}=${d.env}` : `${d.envVar} not set`}; cache ${d.cache} ${d.cached ? '(complete)' : '(empty)'}`,
        ),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  cli
    .command('bench')
    .description(
      "time training and test batches of the tutorial's models (median after warm-up), peak RSS, tensors",
    )
    .option('--models <list>', 'comma-separated: recurrent,conv', 'recurrent,conv')
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(BACKEND_CHOICES).default('auto'))
    .option('--batch-size <n>', 'batch size', int('--batch-size'), 256)
    .option('--repeats <n>', 'timed repetitions', int('--repeats'), 5)
    .option('--warmup <n>', 'untimed warm-up repetitions', int('--warmup'), 1)
    .option('--seq-length <T>', 'time steps (default 32 recurrent, 48 conv)', int('--seq-length'))
    .option('--hidden <n>', 'hidden neurons of the recurrent model', int('--hidden'), 100)
    .option('--no-fused', 'time the reference composition instead of the fused kernels')
    .option('--no-composed', 'skip the models composed from the public layers (timed next to the presets)')
    .option(
      '--data-dir <dir>',
      'folder with the MNIST files (else SNN_MNIST_DIR, the cache, the offline subset)',
    )
    .option(
      '--micro-batch <n>',
      'gradient in slices of n samples (default: conv 16, recurrent whole batches)',
      int('--micro-batch'),
    )
    .option(
      '--threads <n|auto>',
      'threads computing gradients (default auto: every core for conv on wasm/cpu, else 1)',
      threadsArg,
    )
    .option(
      '--launches',
      'count kernel launches per training step and per time step (always on webgl/webgpu)',
    )
    .option('--json', 'one JSON object on stdout')
    .action(async (flags) => {
      if (flags.repeats < 1) throw new UsageError(`--repeats must be at least 1 (got ${flags.repeats})`);
      if (flags.batchSize < 1)
        throw new UsageError(`--batch-size must be at least 1 (got ${flags.batchSize})`);
      if (flags.seqLength !== undefined && !(flags.seqLength >= 1 && flags.seqLength <= 10_000))
        throw new UsageError(`--seq-length must be a whole number from 1 to 10000 (got ${flags.seqLength})`);
      if (!(flags.hidden >= 1 && flags.hidden <= 10_000))
        throw new UsageError(`--hidden must be a whole number from 1 to 10000 (got ${flags.hidden})`);
      if (flags.microBatch !== undefined && flags.microBatch < 1)
        throw new UsageError(`--micro-batch must be at least 1 (got ${flags.microBatch})`);
      if (
        flags.threads !== undefined &&
        flags.threads !== 'auto' &&
        !(flags.threads >= 1 && flags.threads <= 64)
      )
        throw new UsageError(`--threads must be auto or a whole number from 1 to 64 (got ${flags.threads})`);
      const models = String(flags.models)
        .split(',')
        .map((s) => s.trim());
      for (const m of models)
        if (m !== 'recurrent' && m !== 'conv')
          throw new UsageError(`--models: unknown model "${m}" (use recurrent, conv)`);
      const report = flags.json ? humanReporter({ quiet: true }) : humanReporter();
      const results = await runBench({ ...flags, models }, report);
      if (flags.json) process.stdout.write(`${JSON.stringify({ results })}\n`);
      else process.stdout.write(`${benchTable(results)}\n`);
    });

  return cli;
}

/** Runs the CLI; maps our errors to clear one-line messages and exit codes. */
export async function main(
  args: string[],
  exit: (code: number) => never = (c) => process.exit(c),
): Promise<void> {
  let argv = args;
  const json = argv.includes('--json');
  const fail = (code: number, message: string, hint?: string) => {
    if (json)
      process.stdout.write(`${JSON.stringify({ event: 'error', message, ...(hint ? { hint } : {}) })}\n`);
    else process.stderr.write(`error: ${message}${hint ? `\n${hint}` : ''}\n`);
    exit(code);
  };
  // Options without a command are train's: `snn-train --epochs 5` (and `npm start -- --epochs 5`).
  const first = argv[0];
  if (first?.startsWith('-') && !['-h', '--help', '-V', '--version'].includes(first))
    argv = ['train', ...argv];
  try {
    await program(exit).parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return;
    if (error instanceof UsageError) return fail(2, error.message, '(add --help for usage)');
    if (error instanceof DatasetFileError && /not the official/.test(error.message))
      return fail(
        3,
        error.message,
        'Use the official files, or add --allow-unverified to train on them anyway (recorded as unverified).',
      );
    if (error instanceof DatasetUnavailableError || error instanceof DatasetFileError)
      return fail(3, error.message);
    if (error instanceof BackendUnavailableError) return fail(4, error.message);
    if (error instanceof CheckpointError)
      return fail(
        5,
        error.message,
        error.intact.length
          ? `To use the newest intact checkpoint, add --checkpoint ${error.intact[0]} to the same command.`
          : /no checkpoint to resume from/.test(error.message)
            ? 'The run stopped before its first checkpoint: start it again (same options, --out <dir> --overwrite).'
            : undefined,
      );
    if (error instanceof TrainingDivergedError || error instanceof TrainingStalledError)
      return fail(6, error.message);
    if (error instanceof NIRFormatError) return fail(8, error.message);
    if (
      error instanceof Error &&
      /memory access out of bounds|Out of memory|Cannot enlarge memory|Aborted\(\)|Invalid typed array length|Array buffer allocation failed|Invalid array length/i.test(
        error.message,
      )
    ) {
      return fail(
        7,
        `the tfjs backend ran out of memory (${error.message}). The wasm backend's heap is limited to a few GiB and ` +
          'backpropagation through time keeps every step: use --micro-batch (the same update computed in slices; ' +
          'tutorial-conv uses 16) or a smaller one, lower --batch-size or --seq-length, or use --backend tensorflow-gpu on a CUDA machine.',
      );
    }
    return fail(1, error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
}
