import { resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { runEvalNIR, runExportNIR } from './nir.js';
import type { Reporter } from './report.js';

const positive = (name: string) => (v: string) => {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !(n > 0))
    throw new InvalidArgumentError(`${name} must be a positive whole number.`);
  return n;
};
const seconds = (v: string) => {
  const n = Number(v);
  if (!(n > 0 && Number.isFinite(n)))
    throw new InvalidArgumentError('--dt must be a positive number of seconds.');
  return n;
};

/**
 * Adds `snn-train export-nir <run dir>` and the NIR options of `snn-train eval` (`--nir <file>`
 * with `--convention`, `--dt`, `--seq-length`, `--input`, `--limit-test`, `--batch-size`).
 */
export function registerNIRCommands(
  cli: Command,
  reporter: (flags: { json?: boolean; quiet?: boolean }) => Reporter,
): void {
  cli
    .command('export-nir <runDir>')
    .description("write a run's model as a NIR file (Norse, snnTorch, Spyx, neuromorphic hardware)")
    .option('--out <file>', 'the .nir file (default <runDir>/model.nir)')
    .addOption(
      new Option('--convention <c>', 'how time constants, r and w_in are written')
        .choices(['nir', 'norse', 'snntorch'])
        .default('nir'),
    )
    .addOption(
      new Option(
        '--importable <library>',
        "only node types that library's importer maps (the LI readout as two LI nodes)",
      ).choices(['norse']),
    )
    .option('--no-encoder', 'leave the constant-current encoder out (the graph then takes encoded spikes)')
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(['auto', 'wasm', 'cpu']))
    .option('--json', 'machine-readable JSON on stdout')
    .action(async (runDir: string, flags) => {
      const report = reporter({ ...flags, quiet: false });
      const r = await runExportNIR(runDir, flags, report);
      report.result(
        { ...r, runDir: resolve(runDir) },
        `wrote ${r.file} (${r.nodes} nodes, ${r.bytes} bytes${r.warnings.length ? `, ${r.warnings.length} lint warnings` : ''})`,
      );
    });
  const evalCommand = cli.commands.find((c) => c.name() === 'eval');
  if (!evalCommand) throw new Error('registerNIRCommands: register the eval command first');
  for (const option of [
    new Option('--nir <file>', 'evaluate a NIR file on the test set instead of a run directory'),
    new Option('--convention <c>', "who wrote the NIR file (default: the file's metadata)").choices([
      'norse',
      'norse-importer',
      'nir',
      'snntorch',
      'spyx',
    ]),
    new Option(
      '--dt <seconds>',
      'time step of the NIR model (default: the file, else the convention)',
    ).argParser(seconds),
    new Option('--seq-length <T>', "time steps per image (default: the file's, else 32)").argParser(
      positive('--seq-length'),
    ),
    new Option(
      '--input <kind>',
      "how images enter the NIR model (default: the file's metadata, else constant-current spikes)",
    ).choices(['image', 'constant-current', 'poisson', 'latency']),
    new Option('--limit-test <n>', 'use only the first n test images').argParser(positive('--limit-test')),
    new Option('--batch-size <n>', 'images per batch (default 500, 32 for convolutional graphs)').argParser(
      positive('--batch-size'),
    ),
  ])
    evalCommand.addOption(option);
}

/** The `eval --nir` action: accuracy of a NIR file on the test set. */
export async function evalNIRAction(flags: Record<string, unknown>, report: Reporter): Promise<void> {
  const r = await runEvalNIR(flags.nir as string, flags, report);
  report.result(
    { ...r, file: resolve(flags.nir as string) },
    `test accuracy: ${(100 * r.accuracy).toFixed(2)}% (${r.samples} images, NIR ${r.convention}, input ${r.input}, T ${r.seqLength})`,
  );
}
