/** A learning rate per epoch (0-based) given the base rate. */
export type LRSchedule = (epoch: number, baseLR: number) => number;

/** Constant learning rate. */
export const constantLR: LRSchedule = (_epoch, base) => base;

/** Multiplies the rate by `gamma` every `stepSize` epochs (PyTorch `StepLR`). */
export function stepLR(stepSize: number, gamma = 0.1): LRSchedule {
  if (!(Number.isInteger(stepSize) && stepSize > 0))
    throw new RangeError(`stepLR: stepSize must be a positive integer, got ${stepSize}.`);
  return (epoch, base) => base * gamma ** Math.floor(epoch / stepSize);
}

/** Cosine annealing from the base rate to `minLR` over `totalEpochs` (PyTorch `CosineAnnealingLR`). */
export function cosineLR(totalEpochs: number, minLR = 0): LRSchedule {
  if (!(Number.isInteger(totalEpochs) && totalEpochs > 0))
    throw new RangeError(`cosineLR: totalEpochs must be a positive integer, got ${totalEpochs}.`);
  return (epoch, base) =>
    minLR + ((base - minLR) * (1 + Math.cos((Math.PI * Math.min(epoch, totalEpochs)) / totalEpochs))) / 2;
}
