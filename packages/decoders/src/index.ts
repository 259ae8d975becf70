/**
 * `@snn/decoders`: ways out of spikes and membrane traces, from time-first `[T, B, ...]` tensors to
 * per-sample values, plus the losses they feed.
 * @packageDocumentation
 */
export {
  decode,
  decodeLast,
  firstSpikeTime,
  maxDecode,
  meanDecode,
  populationDecode,
  spikeCount,
  spikeRate,
  sumDecode,
} from './decode.js';
export { accuracy, crossEntropyLoss, type Labels, nllLoss, predictClasses } from './loss.js';
