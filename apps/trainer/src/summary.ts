import { relative } from 'node:path';
import type { ImageDataset } from '@snn/datasets';
import type { EpochLog, LayerEfficiency } from '@snn/train';
import { efficiencyTable } from './efficiency.js';
import type { TrainOptions } from './options.js';
import { writeRunFile } from './run-dir.js';

/** A change of options made when a run was resumed (recorded in config.json and summary.md). */
export interface ResumeRecord {
  /** Where training continued: epoch and batch, counted from 1. */
  readonly at: { readonly epoch: number; readonly batch: number };
  readonly date: string;
  /** Options given anew, with their old and new values. */
  readonly changed: Readonly<Record<string, { readonly from: unknown; readonly to: unknown }>>;
}

/** Writes a run's `summary.md`: what ran, on what data, how it went, and where its files are. */
export async function writeSummary(
  runDir: string,
  o: TrainOptions,
  config: {
    backend: string;
    versions: Record<string, string>;
    parameters: number;
    resumes?: readonly ResumeRecord[];
  },
  history: readonly EpochLog[],
  final: { accuracy: number; loss: number },
  ds: ImageDataset,
  efficiency?: readonly LayerEfficiency[],
): Promise<void> {
  const changes = (config.resumes ?? []).flatMap((r) =>
    Object.entries(r.changed).map(
      ([k, c]) =>
        `- Resumed at epoch ${r.at.epoch}, batch ${r.at.batch} with ${k} ${String(c.from)} → ${String(c.to)}`,
    ),
  );
  const lines = [
    `# snn-train run: ${o.model} SNN, ${o.encoder} encoder`,
    '',
    `- Dataset: ${ds.description}`,
    ds.subset ? '- **This run used the OFFLINE SUBSET of MNIST, not the full dataset.**' : undefined,
    ds.unverified.length
      ? `- **UNVERIFIED dataset files** (\`--allow-unverified\`; not the official ${ds.info.title} files):\n${ds.unverified.map((u) => `  - ${u}`).join('\n')}`
      : undefined,
    `- Backend: ${config.backend}; Node ${process.version}; ${config.parameters} trainable parameters`,
    `- Options: T = ${o.seqLength}, hidden ${o.hidden}, batch ${o.batchSize}, Adam lr ${o.lr}, seed ${o.seed}, ${o.epochs} epoch(s)`,
    ...changes,
    `- **Test accuracy: ${(100 * final.accuracy).toFixed(2)}%** (loss ${final.loss.toFixed(4)})`,
    '',
    '| epoch | train loss | train acc | test loss | test acc | lr | time (s) | samples/s |',
    '|---|---|---|---|---|---|---|---|',
    ...history.map(
      (e) =>
        `| ${e.epoch + 1} | ${e.trainLoss.toFixed(4)} | ${(100 * e.trainAccuracy).toFixed(2)}% | ${e.testLoss?.toFixed(4) ?? ''} | ${e.testAccuracy === undefined ? '' : `${(100 * e.testAccuracy).toFixed(2)}%`} | ${e.learningRate} | ${e.duration.toFixed(1)} | ${e.samplesPerSecond.toFixed(0)} |`,
    ),
    '',
    ...(efficiency ? efficiencyTable(efficiency) : []),
    '## Figures',
    '',
    '![training loss](loss.png)',
    '![test accuracy](accuracy.png)',
    '![readout voltages](readout.png)',
    '![hidden voltages](hidden-v.png)',
    '![hidden currents](hidden-i.png)',
    '![input raster](input-raster.png)',
    '',
    `Files: [config.json](config.json), [metrics.csv](metrics.csv), [metrics.jsonl](metrics.jsonl), [model/](model/model.json), [checkpoints/](checkpoints/latest.json).`,
    '',
    `Evaluate again: \`snn-train eval ${relative(process.cwd(), runDir) || '.'}\``,
  ].filter((l): l is string => l !== undefined);
  await writeRunFile(runDir, 'summary.md', `${lines.join('\n')}\n`);
}
