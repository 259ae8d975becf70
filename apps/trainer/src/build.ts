import { Random, type RandomState } from '@snn/core';
import {
  ConstantCurrentLIFEncoder,
  type Encoder,
  PoissonEncoder,
  SpikeLatencyLIFEncoder,
} from '@snn/encoders';
import { convSNN, type Model, model, recurrentSNN } from '@snn/train';
import type { TrainOptions } from './options.js';

/** The encoder a run uses (Poisson draws from a generator seeded by the run's seed). */
export function makeEncoder(
  o: Pick<TrainOptions, 'encoder' | 'seqLength' | 'seed' | 'fMax'>,
  rngState?: RandomState,
): Encoder {
  switch (o.encoder) {
    case 'poisson':
      return new PoissonEncoder(o.seqLength, { rng: new Random(rngState ?? o.seed + 1), fMax: o.fMax });
    case 'latency':
      return new SpikeLatencyLIFEncoder(o.seqLength);
    default:
      return new ConstantCurrentLIFEncoder(o.seqLength);
  }
}

/** The model a run trains, exactly as the tutorial builds it. */
export function makeModel(o: TrainOptions, classes: number, rngState?: RandomState, fused = true): Model {
  const network =
    o.model === 'conv'
      ? convSNN({ seed: o.seed, outputFeatures: classes, fused })
      : recurrentSNN({
          inputFeatures: 784,
          hiddenFeatures: o.hidden,
          outputFeatures: classes,
          seed: o.seed,
          fused,
        });
  return model({ encoder: makeEncoder(o, rngState), network });
}

/** The encoder's generator state, when it has one (saved in checkpoints to resume identically). */
export function encoderRngState(m: Model): RandomState | undefined {
  return m.encoder instanceof PoissonEncoder ? m.encoder.rng.state : undefined;
}
