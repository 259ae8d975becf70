/**
 * What a spiking layer costs, from its recorded spikes: a spike is an event that touches only the
 * synapses it fans out to (one synaptic operation, an add, each), where a dense layer of the same
 * shape multiplies and accumulates every weight at every step.
 */

/** One layer's recorded activity over a run. */
export interface LayerActivity {
  /** What the layer is called in the meter. */
  readonly name: string;
  /** Neurons in the layer. */
  readonly neurons: number;
  /** Time steps recorded. */
  readonly steps: number;
  /** Samples recorded (the batch). */
  readonly samples: number;
  /** Spikes counted over all steps and samples. */
  readonly spikes: number;
  /** Synapses each of its spikes drives downstream (the next layers' inputs it reaches). */
  readonly fanOut: number;
}

/** The meter's figures for one layer, per sample. */
export interface LayerEfficiency {
  readonly name: string;
  readonly neurons: number;
  /** Spikes per sample. */
  readonly events: number;
  /** Mean rate per neuron (Hz), with steps of `dtMs`. */
  readonly rateHz: number;
  /** Fraction of neuron-steps with a spike. */
  readonly density: number;
  /** Synaptic operations per sample: events × fan-out. */
  readonly synOps: number;
  /** Multiply-accumulates per sample of the same layer run densely: steps × neurons × fan-out. */
  readonly denseMacs: number;
}

/** Counts the spikes (entries > 0) of a recording. */
export function countSpikes(spikes: ArrayLike<number>): number {
  let n = 0;
  for (let k = 0; k < spikes.length; k++) if (spikes[k]! > 0) n++;
  return n;
}

/** Per-sample figures of each layer from its recorded activity. */
export function layerEfficiency(layers: readonly LayerActivity[], dtMs = 1): LayerEfficiency[] {
  return layers.map((l) => {
    const events = l.spikes / l.samples;
    const neuronSteps = l.neurons * l.steps;
    return {
      name: l.name,
      neurons: l.neurons,
      events,
      rateHz: neuronSteps > 0 ? (1000 * events) / (neuronSteps * dtMs) : 0,
      density: neuronSteps > 0 ? events / neuronSteps : 0,
      synOps: events * l.fanOut,
      denseMacs: l.steps * l.neurons * l.fanOut,
    };
  });
}

/** Memory of the tutorial's recurrent network: float32 weights, state per sample, spikes as bits. */
export function recurrentMemory(hidden: number, steps: number, inputs = 784, outputs = 10) {
  return {
    /** Bytes of the weights (input, recurrent, readout). */
    weights: 4 * (inputs * hidden + hidden * hidden + hidden * outputs),
    /** Bytes of one sample's state at one step: v, i, z of the hidden layer, v, i of the readout. */
    state: 4 * (3 * hidden + 2 * outputs),
    /** Bytes of one sample's spikes over all steps, one bit each (input and hidden). */
    spikeBits: Math.ceil((steps * (inputs + hidden)) / 8),
  };
}
