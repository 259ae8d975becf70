import type { BatchLog, EpochLog } from '@snn/train';
import cliProgress from 'cli-progress';

/** Where a run's progress goes: a terminal, a log file, JSON lines, or nowhere. */
export interface Reporter {
  info(message: string): void;
  warn(message: string): void;
  summary(text: string): void;
  download(file: string, loaded: number, total: number | undefined): void;
  start(epochs: number, batches: number): void;
  batch(log: BatchLog): void;
  epoch(log: EpochLog, epochs: number): void;
  stop(): void;
  /** One JSON object or a human line for the end of a command. */
  result(data: Record<string, unknown>, human: string): void;
  error(message: string): void;
}

const pct = (x: number | undefined) => (x === undefined ? '-' : `${(100 * x).toFixed(2)}%`);

function epochLine(e: EpochLog, epochs: number): string {
  return (
    `epoch ${e.epoch + 1}/${epochs}: train loss ${e.trainLoss.toFixed(4)}, train acc ${pct(e.trainAccuracy)}` +
    (e.testAccuracy === undefined
      ? ''
      : `, test loss ${e.testLoss!.toFixed(4)}, test acc ${pct(e.testAccuracy)}`) +
    `, ${e.duration.toFixed(1)} s (${e.samplesPerSecond.toFixed(0)} samples/s)`
  );
}

/** Human output: a live progress bar on a terminal, plain lines otherwise (nothing animates in a pipe). */
export function humanReporter(
  options: { quiet?: boolean; tty?: boolean; out?: NodeJS.WriteStream } = {},
): Reporter {
  const out = options.out ?? process.stdout;
  const tty = options.tty ?? Boolean(out.isTTY);
  const quiet = options.quiet ?? false;
  const say = (s: string) => {
    if (!quiet) out.write(`${s}\n`);
  };
  let bar: cliProgress.SingleBar | undefined;
  let lastDownload = 0;
  let lastLine = 0;
  return {
    info: say,
    warn: (m) => process.stderr.write(`warning: ${m}\n`),
    summary: (t) => say(t),
    download(file, loaded, total) {
      const now = Date.now();
      if (now - lastDownload < 1000 && loaded !== total) return;
      lastDownload = now;
      say(
        `downloading ${file}: ${(loaded / 1e6).toFixed(1)}${total ? ` / ${(total / 1e6).toFixed(1)}` : ''} MB`,
      );
    },
    start() {},
    batch(l) {
      if (quiet) return;
      if (tty) {
        if (!bar || l.batch === 0) {
          bar?.stop();
          bar = new cliProgress.SingleBar(
            {
              format: `epoch ${l.epoch + 1} |{bar}| {value}/{total} batches | loss {loss} | acc {acc} | {sps} samples/s | ETA {eta_formatted}`,
              hideCursor: true,
              stream: out,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(l.batches, l.batch, { loss: '-', acc: '-', sps: '-' });
        }
        bar.update(l.batch + 1, {
          loss: l.runningLoss.toFixed(4),
          acc: pct(l.runningAccuracy),
          sps: l.samplesPerSecond.toFixed(0),
        });
        return;
      }
      // Not a terminal: a line every 10 seconds at most, plus the last batch.
      const now = Date.now();
      if (now - lastLine >= 10_000 || l.batch + 1 === l.batches) {
        lastLine = now;
        const eta = ((l.batches - l.batch - 1) * l.elapsed) / (l.batch + 1);
        say(
          `epoch ${l.epoch + 1} batch ${l.batch + 1}/${l.batches}: loss ${l.runningLoss.toFixed(4)}, acc ${pct(l.runningAccuracy)}, ` +
            `${l.samplesPerSecond.toFixed(0)} samples/s, ETA ${eta.toFixed(0)} s`,
        );
      }
    },
    epoch(e, epochs) {
      bar?.stop();
      bar = undefined;
      say(epochLine(e, epochs));
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
    result: (_data, human) => out.write(`${human}\n`),
    error: (m) => process.stderr.write(`error: ${m}\n`),
  };
}

/** Machine output: one JSON object per line on stdout (`--json`). */
export function jsonReporter(out: NodeJS.WritableStream = process.stdout): Reporter {
  const emit = (event: string, data: Record<string, unknown>) =>
    out.write(`${JSON.stringify({ event, ...data })}\n`);
  return {
    info: (message) => emit('info', { message }),
    warn: (message) => emit('warning', { message }),
    summary: (text) => emit('summary', { text }),
    download: (file, loaded, total) => {
      if (loaded === total) emit('download', { file, loaded, total });
    },
    start: (epochs, batches) => emit('start', { epochs, batches }),
    batch: (l) => emit('batch', { ...l, epoch: l.epoch + 1, batch: l.batch + 1 }),
    epoch: (e) => emit('epoch', { ...e, epoch: e.epoch + 1 }),
    stop() {},
    result: (data) => emit('result', data),
    error: (message) => emit('error', { message }),
  };
}
