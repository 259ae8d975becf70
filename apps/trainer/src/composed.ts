import { Random } from '@snn/core';
import {
  Conv2d,
  Flatten,
  LI,
  LIF,
  LIFRecurrent,
  LILinear,
  Linear,
  lifParams,
  liParams,
  MaxPool2d,
  sequential,
} from '@snn/neurons';
import { type Model, model, sequentialNetwork } from '@snn/train';
import * as tf from '@tensorflow/tfjs-core';
import { makeEncoder } from './build.js';
import type { TrainOptions } from './options.js';

/**
 * The tutorial's models as a user composes them from the public layers with `sequential`, in
 * PyTorch's layout (channels first) and order: what `snn-train bench` times next to the presets,
 * to show that any network built from the layers runs on the fast kernels, not only ours.
 * The same initial weights as the presets (one generator, drawn in the same order).
 */
export function composedModel(o: TrainOptions, classes: number): Model {
  const rng = new Random(o.seed);
  if (o.model === 'conv') {
    const p = lifParams({ method: 'super', alpha: 80 });
    const net = sequential(
      new Conv2d(1, 20, 5, { rng }),
      new LIF(p),
      new MaxPool2d(2),
      new Conv2d(20, 50, 5, { rng }),
      (x) => tf.mul(x, 10),
      new LIF(p),
      new MaxPool2d(2),
      new Flatten(),
      new Linear(800, 500, { rng }),
      new LIF(p),
      tf.relu,
      new LILinear(500, classes, liParams(), { rng }),
    );
    return model({ encoder: makeEncoder(o), network: sequentialNetwork(net, 'conv (composed)') });
  }
  const net = sequential(
    new Flatten(),
    new LIFRecurrent(784, o.hidden, lifParams({ alpha: 100, vTh: 0.5 }), { rng }),
    new Linear(o.hidden, classes, { bias: false, rng }),
    new LI(),
  );
  return model({ encoder: makeEncoder(o), network: sequentialNetwork(net, 'recurrent (composed)') });
}
