import type { BatchLog, EpochLog } from '@snn/train';

/**
 * Training ran but did not learn: a whole epoch's loss stayed at ln(classes) (the readout gives
 * every class the same probability) with accuracy at chance, as when the learning rate is far too
 * high and the network has gone silent or saturated. The CLI exits with code 6.
 */
export class TrainingStalledError extends Error {
  constructor(
    readonly epoch: number,
    message: string,
  ) {
    super(message);
    this.name = 'TrainingStalledError';
  }
}

/** Batches an epoch must have before it is judged (short epochs of a fresh net may sit at chance). */
export const MIN_JUDGED_BATCHES = 40;

/**
 * Watches a run for a dead network: over the last half of an epoch of at least
 * {@link MIN_JUDGED_BATCHES} batches, every batch loss within 1e-3 of ln(classes), and the epoch's
 * accuracy at most 1.5 times chance.
 */
export function stallWatch(classes: number, settings: () => { lr: number; seqLength: number }) {
  const chanceLoss = Math.log(classes);
  let losses: number[] = [];
  return {
    batch(l: BatchLog): void {
      if (l.batch === 0) losses = [];
      losses.push(l.loss);
    },
    epoch(e: EpochLog): void {
      const judged = losses.slice(Math.floor(losses.length / 2));
      const n = losses.length;
      losses = [];
      if (n < MIN_JUDGED_BATCHES) return;
      const flat = judged.every((x) => Math.abs(x - chanceLoss) < 1e-3);
      if (!flat || e.trainAccuracy > 1.5 / classes) return;
      const { lr, seqLength } = settings();
      throw new TrainingStalledError(
        e.epoch,
        `training is not learning: over epoch ${e.epoch + 1} the loss stayed at ln ${classes} = ${chanceLoss.toFixed(4)} ` +
          `(the readout gives every class the same probability) and the accuracy at chance (${(100 * e.trainAccuracy).toFixed(2)}%): ` +
          `no signal reaches the readout. Either the learning rate ${lr} is far too high (the tutorial's is 0.002) and the ` +
          `network saturated or went silent, or ${seqLength} time steps are too few for spikes to reach the readout ` +
          '(the tutorial uses 32). Start a new run with a lower --lr or a longer --seq-length.',
      );
    },
  };
}
