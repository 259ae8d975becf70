import type * as tf from '@tensorflow/tfjs-core';
import type { RecurrentCellOptions } from './cells.js';
import type { InitOptions } from './init.js';
import type { IzhikevichPreset } from './izhikevich.js';
import { DEFAULT_LI_PARAMS, type LIParams } from './li.js';
import { DEFAULT_LIF_PARAMS, type LIFParams } from './lif.js';
import { DEFAULT_LIF_ADEX_PARAMS, type LIFAdExParams } from './lif-adex.js';
import { runCell, type SequenceOptions, type SequenceResult } from './lift.js';
import { DEFAULT_LSNN_PARAMS, type LSNNParams } from './lsnn.js';
import type { Cell } from './module.js';
import {
  IzhikevichCell,
  IzhikevichRecurrentCell,
  LICell,
  LIFAdExCell,
  LIFAdExRecurrentCell,
  LIFCell,
  LIFRecurrentCell,
  LILinearCell,
  LSNNCell,
  LSNNRecurrentCell,
} from './named-cells.js';

/**
 * A cell run over whole sequences `[T, B, ...]` (Norse's `LIF`, `LIFRecurrent`, ... modules).
 * `call` returns `[outputs, finalState, states]`, `states` being every state over time when
 * `recordStates` is set (else `undefined`).
 */
export class Sequence<S> {
  constructor(readonly cell: Cell<S>) {}

  get name(): string {
    return this.cell.name.replace(/Cell$/, '');
  }

  get trainableVariables(): readonly tf.Variable[] {
    return this.cell.trainableVariables;
  }

  /** Runs the cell over the first axis of `inputs`, from `state` or the cell's initial state. */
  call(inputs: tf.Tensor, state?: S, options: SequenceOptions = {}): SequenceResult<S> {
    return runCell(this.cell, inputs, state, options);
  }

  dispose(): void {
    this.cell.dispose();
  }
}

/** Feed-forward LIF over time: currents `[T, B, N]` → spikes `[T, B, N]`. */
export class LIF extends Sequence<ReturnType<LIFCell['initialState']>> {
  constructor(params: LIFParams = DEFAULT_LIF_PARAMS, dt = 1e-3) {
    super(new LIFCell(params, dt));
  }
}

/** Recurrent LIF over time: `[T, B, in]` → spikes `[T, B, hidden]`. */
export class LIFRecurrent extends Sequence<ReturnType<LIFRecurrentCell['initialState']>> {
  constructor(
    inputSize: number,
    hiddenSize: number,
    params: LIFParams = DEFAULT_LIF_PARAMS,
    options: RecurrentCellOptions = {},
  ) {
    super(new LIFRecurrentCell(inputSize, hiddenSize, params, options));
  }
}

/** Leaky integrator over time: currents → membrane potentials. */
export class LI extends Sequence<ReturnType<LICell['initialState']>> {
  constructor(params: LIParams = DEFAULT_LI_PARAMS, dt = 1e-3) {
    super(new LICell(params, dt));
  }
}

/** Leaky integrator behind a linear layer, over time. */
export class LILinear extends Sequence<ReturnType<LILinearCell['initialState']>> {
  constructor(
    inputSize: number,
    outputSize: number,
    params: LIParams = DEFAULT_LI_PARAMS,
    options: InitOptions & { readonly dt?: number } = {},
  ) {
    super(new LILinearCell(inputSize, outputSize, params, options));
  }
}

/** Feed-forward LSNN over time. */
export class LSNN extends Sequence<ReturnType<LSNNCell['initialState']>> {
  constructor(params: LSNNParams = DEFAULT_LSNN_PARAMS, dt = 1e-3) {
    super(new LSNNCell(params, dt));
  }
}

/** Recurrent LSNN over time. */
export class LSNNRecurrent extends Sequence<ReturnType<LSNNRecurrentCell['initialState']>> {
  constructor(
    inputSize: number,
    hiddenSize: number,
    params: LSNNParams = DEFAULT_LSNN_PARAMS,
    options: RecurrentCellOptions = {},
  ) {
    super(new LSNNRecurrentCell(inputSize, hiddenSize, params, options));
  }
}

/** Feed-forward AdEx over time. */
export class LIFAdEx extends Sequence<ReturnType<LIFAdExCell['initialState']>> {
  constructor(params: LIFAdExParams = DEFAULT_LIF_ADEX_PARAMS, dt = 1e-3) {
    super(new LIFAdExCell(params, dt));
  }
}

/** Recurrent AdEx over time. */
export class LIFAdExRecurrent extends Sequence<ReturnType<LIFAdExRecurrentCell['initialState']>> {
  constructor(
    inputSize: number,
    hiddenSize: number,
    params: LIFAdExParams = DEFAULT_LIF_ADEX_PARAMS,
    options: RecurrentCellOptions = {},
  ) {
    super(new LIFAdExRecurrentCell(inputSize, hiddenSize, params, options));
  }
}

/** Izhikevich neurons of one preset over time. */
export class Izhikevich extends Sequence<ReturnType<IzhikevichCell['initialState']>> {
  constructor(preset: IzhikevichPreset, dt = 1e-3) {
    super(new IzhikevichCell(preset, dt));
  }
}

/** Recurrent Izhikevich neurons over time. */
export class IzhikevichRecurrent extends Sequence<ReturnType<IzhikevichRecurrentCell['initialState']>> {
  constructor(
    inputSize: number,
    hiddenSize: number,
    preset: IzhikevichPreset,
    options: RecurrentCellOptions = {},
  ) {
    super(new IzhikevichRecurrentCell(inputSize, hiddenSize, preset, options));
  }
}
