/**
 * `@snn/encoders`: ways into spikes. Time-based encoders return `[T, ...input.shape]` (time first).
 * @packageDocumentation
 */
export {
  ConstantCurrentLIFEncoder,
  constantCurrentLIFEncode,
  SpikeLatencyEncoder,
  SpikeLatencyLIFEncoder,
  spikeLatencyEncode,
  spikeLatencyLIFEncode,
} from './constant-current-lif.js';
export { checkSeqLength, type Encoder } from './encoder.js';
export {
  PoissonEncoder,
  type PoissonOptions,
  poissonEncode,
  SignedPoissonEncoder,
  signedPoissonEncode,
} from './poisson.js';
export { PopulationEncoder, type PopulationOptions, populationEncode } from './population.js';
export {
  DeltaEncoder,
  type DeltaOptions,
  deltaEncode,
  LatencyEncoder,
  type LatencyOptions,
  latencyEncode,
  latencyTimes,
} from './snntorch.js';
