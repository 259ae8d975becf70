import * as tf from '@tensorflow/tfjs-core';
import { FeedForwardCell, LinearInputCell, RecurrentCell, type RecurrentCellOptions } from './cells.js';
import {
  type CobaLIFParams,
  cobaLIFInitialState,
  cobaLIFRecurrentInitialState,
  cobaLIFRecurrentStep,
  cobaLIFStep,
  DEFAULT_COBA_LIF_PARAMS,
} from './coba-lif.js';
import {
  DEFAULT_IAF_PARAMS,
  type IAFParams,
  iafInitialState,
  iafRecurrentInitialState,
  iafRecurrentStep,
  iafStep,
} from './iaf.js';
import type { InitOptions } from './init.js';
import {
  type IzhikevichPreset,
  izhikevichInitialState,
  izhikevichRecurrentInitialState,
  izhikevichRecurrentStep,
  izhikevichStep,
} from './izhikevich.js';
import { DEFAULT_LI_PARAMS, type LIParams, liInitialState, liLinearStep, liStep } from './li.js';
import {
  DEFAULT_LI_BOX_PARAMS,
  type LIBoxParams,
  liBoxInitialState,
  liBoxLinearStep,
  liBoxStep,
} from './li-box.js';
import {
  DEFAULT_LIF_PARAMS,
  type LIFParams,
  type LIFState,
  lifInitialState,
  lifRecurrentInitialState,
  lifRecurrentStep,
  lifStep,
} from './lif.js';
import {
  DEFAULT_LIF_ADEX_PARAMS,
  type LIFAdExParams,
  lifAdExInitialState,
  lifAdExRecurrentInitialState,
  lifAdExRecurrentStep,
  lifAdExStep,
} from './lif-adex.js';
import {
  DEFAULT_LIF_ADEX_REFRAC_PARAMS,
  type LIFAdExRefracParams,
  lifAdExRefracInitialState,
  lifAdExRefracRecurrentInitialState,
  lifAdExRefracRecurrentStep,
  lifAdExRefracStep,
} from './lif-adex-refrac.js';
import { DEFAULT_LIF_BOX_PARAMS, type LIFBoxParams, lifBoxInitialState, lifBoxStep } from './lif-box.js';
import { DEFAULT_LIF_EX_PARAMS, type LIFExParams, lifExRecurrentStep, lifExStep } from './lif-ex.js';
import { lifMCRecurrentStep, lifMCStep } from './lif-mc.js';
import { lifMCRefracRecurrentStep, lifMCRefracStep } from './lif-mc-refrac.js';
import {
  DEFAULT_LIF_REFRAC_PARAMS,
  type LIFRefracParams,
  type LIFRefracState,
  lifRefracInitialState,
  lifRefracRecurrentInitialState,
  lifRefracRecurrentStep,
  lifRefracStep,
} from './lif-refrac.js';
import {
  adaLIFRecurrentInitialState,
  adaLIFRecurrentStep,
  DEFAULT_LSNN_PARAMS,
  type LSNNParams,
  lsnnInitialState,
  lsnnRecurrentInitialState,
  lsnnRecurrentStep,
  lsnnStep,
} from './lsnn.js';

/** Feed-forward LIF cell (Norse `LIFCell`): input is a current; initial `v = vLeak`, `i = 0`. */
export class LIFCell extends FeedForwardCell<LIFState, LIFParams> {
  constructor(params: LIFParams = DEFAULT_LIF_PARAMS, dt = 1e-3) {
    super('LIFCell', lifStep, lifInitialState, params, dt);
  }
}

/** Recurrent LIF cell (Norse `LIFRecurrentCell`): `randn·sqrt(2/hidden)` weights, no autapses. */
export class LIFRecurrentCell extends RecurrentCell<ReturnType<typeof lifRecurrentInitialState>, LIFParams> {
  constructor(
    inputSize: number,
    hiddenSize: number,
    params: LIFParams = DEFAULT_LIF_PARAMS,
    options: RecurrentCellOptions = {},
  ) {
    super(
      'LIFRecurrentCell',
      lifRecurrentStep,
      lifRecurrentInitialState,
      inputSize,
      hiddenSize,
      params,
      options,
    );
  }
}

/** Leaky-integrator cell (Norse `LICell`): the readout; output is the membrane potential. */
export class LICell extends FeedForwardCell<ReturnType<typeof liInitialState>, LIParams> {
  constructor(params: LIParams = DEFAULT_LI_PARAMS, dt = 1e-3) {
    super('LICell', liStep, liInitialState, params, dt);
  }
}

/** Leaky integrator behind its own linear layer (Norse `LILinearCell`): weights `randn/sqrt(in)`. */
export class LILinearCell extends LinearInputCell<ReturnType<typeof liInitialState>, LIParams> {
  constructor(
    inputSize: number,
    outputSize: number,
    params: LIParams = DEFAULT_LI_PARAMS,
    options: InitOptions & { readonly dt?: number } = {},
  ) {
    super('LILinearCell', liLinearStep, liInitialState, inputSize, outputSize, params, options);
  }
}

/** Box LIF cell (no synaptic current). */
export class LIFBoxCell extends FeedForwardCell<ReturnType<typeof lifBoxInitialState>, LIFBoxParams> {
  constructor(params: LIFBoxParams = DEFAULT_LIF_BOX_PARAMS, dt = 1e-3) {
    super('LIFBoxCell', lifBoxStep, lifBoxInitialState, params, dt);
  }
}

/** Box leaky-integrator cell. */
export class LIBoxCell extends FeedForwardCell<ReturnType<typeof liBoxInitialState>, LIBoxParams> {
  constructor(params: LIBoxParams = DEFAULT_LI_BOX_PARAMS, dt = 1e-3) {
    super('LIBoxCell', liBoxStep, liBoxInitialState, params, dt);
  }
}

/** Box leaky integrator behind its own linear layer. */
export class LIBoxLinearCell extends LinearInputCell<ReturnType<typeof liBoxInitialState>, LIBoxParams> {
  constructor(
    inputSize: number,
    outputSize: number,
    params: LIBoxParams = DEFAULT_LI_BOX_PARAMS,
    options: InitOptions & { readonly dt?: number } = {},
  ) {
    super('LIBoxLinearCell', liBoxLinearStep, liBoxInitialState, inputSize, outputSize, params, options);
  }
}

/** Integrate-and-fire cell; initial `v = vReset`. */
export class IAFCell extends FeedForwardCell<ReturnType<typeof iafInitialState>, IAFParams> {
  constructor(params: IAFParams = DEFAULT_IAF_PARAMS) {
    super('IAFCell', iafStep, iafInitialState, params, 1e-3);
  }
}

/** Recurrent integrate-and-fire cell. */
export class IAFRecurrentCell extends RecurrentCell<ReturnType<typeof iafRecurrentInitialState>, IAFParams> {
  constructor(
    inputSize: number,
    hiddenSize: number,
    params: IAFParams = DEFAULT_IAF_PARAMS,
    options: RecurrentCellOptions = {},
  ) {
    super(
      'IAFRecurrentCell',
      iafRecurrentStep,
      iafRecurrentInitialState,
      inputSize,
      hiddenSize,
      params,
      options,
    );
  }
}

/** Exponential LIF cell. */
export class LIFExCell extends FeedForwardCell<LIFState, LIFExParams> {
  constructor(params: LIFExParams = DEFAULT_LIF_EX_PARAMS, dt = 1e-3) {
    super('LIFExCell', lifExStep, lifInitialState, params, dt);
  }
}

/** Recurrent exponential LIF cell. */
export class LIFExRecurrentCell extends RecurrentCell<
  ReturnType<typeof lifRecurrentInitialState>,
  LIFExParams
> {
  constructor(
    inputSize: number,
    hiddenSize: number,
    params: LIFExParams = DEFAULT_LIF_EX_PARAMS,
    options: RecurrentCellOptions = {},
  ) {
    super(
      'LIFExRecurrentCell',
      lifExRecurrentStep,
      lifRecurrentInitialState,
      inputSize,
      hiddenSize,
      params,
      options,
    );
  }
}

/** Adaptive exponential LIF cell. */
export class LIFAdExCell extends FeedForwardCell<ReturnType<typeof lifAdExInitialState>, LIFAdExParams> {
  constructor(params: LIFAdExParams = DEFAULT_LIF_ADEX_PARAMS, dt = 1e-3) {
    super('LIFAdExCell', lifAdExStep, lifAdExInitialState, params, dt);
  }
}

/** Recurrent adaptive exponential LIF cell. */
export class LIFAdExRecurrentCell extends RecurrentCell<
  ReturnType<typeof lifAdExRecurrentInitialState>,
  LIFAdExParams
> {
  constructor(
    inputSize: number,
    hiddenSize: number,
    params: LIFAdExParams = DEFAULT_LIF_ADEX_PARAMS,
    options: RecurrentCellOptions = {},
  ) {
    super(
      'LIFAdExRecurrentCell',
      lifAdExRecurrentStep,
      lifAdExRecurrentInitialState,
      inputSize,
      hiddenSize,
      params,
      options,
    );
  }
}

/** LSNN cell (adaptive threshold; initial `b = vTh`). */
export class LSNNCell extends FeedForwardCell<ReturnType<typeof lsnnInitialState>, LSNNParams> {
  constructor(params: LSNNParams = DEFAULT_LSNN_PARAMS, dt = 1e-3) {
    super('LSNNCell', lsnnStep, lsnnInitialState, params, dt);
  }
}

/** Recurrent LSNN cell. */
export class LSNNRecurrentCell extends RecurrentCell<
  ReturnType<typeof lsnnRecurrentInitialState>,
  LSNNParams
> {
  constructor(
    inputSize: number,
    hiddenSize: number,
    params: LSNNParams = DEFAULT_LSNN_PARAMS,
    options: RecurrentCellOptions = {},
  ) {
    super(
      'LSNNRecurrentCell',
      lsnnRecurrentStep,
      lsnnRecurrentInitialState,
      inputSize,
      hiddenSize,
      params,
      options,
    );
  }
}

/** Recurrent adaptive LIF cell (adaptation current; initial `b = 0`). */
export class AdaLIFRecurrentCell extends RecurrentCell<
  ReturnType<typeof adaLIFRecurrentInitialState>,
  LSNNParams
> {
  constructor(
    inputSize: number,
    hiddenSize: number,
    params: LSNNParams = DEFAULT_LSNN_PARAMS,
    options: RecurrentCellOptions = {},
  ) {
    super(
      'AdaLIFRecurrentCell',
      adaLIFRecurrentStep,
      adaLIFRecurrentInitialState,
      inputSize,
      hiddenSize,
      params,
      options,
    );
  }
}

/** Izhikevich cell of one firing pattern (a preset, or your own `{ params, v0, u0 }`). */
export class IzhikevichCell extends FeedForwardCell<
  ReturnType<typeof izhikevichInitialState>,
  IzhikevichPreset['params']
> {
  constructor(preset: IzhikevichPreset, dt = 1e-3) {
    super(
      'IzhikevichCell',
      izhikevichStep,
      (shape) => izhikevichInitialState(shape, preset),
      preset.params,
      dt,
    );
  }
}

/** Recurrent Izhikevich cell. */
export class IzhikevichRecurrentCell extends RecurrentCell<
  ReturnType<typeof izhikevichRecurrentInitialState>,
  IzhikevichPreset['params']
> {
  constructor(
    inputSize: number,
    hiddenSize: number,
    preset: IzhikevichPreset,
    options: RecurrentCellOptions = {},
  ) {
    super(
      'IzhikevichRecurrentCell',
      izhikevichRecurrentStep,
      (shape) => izhikevichRecurrentInitialState(shape, preset),
      inputSize,
      hiddenSize,
      preset.params,
      options,
    );
  }
}

/** Refractory LIF cell. */
export class LIFRefracCell extends FeedForwardCell<LIFRefracState, LIFRefracParams> {
  constructor(params: LIFRefracParams = DEFAULT_LIF_REFRAC_PARAMS, dt = 1e-3) {
    super('LIFRefracCell', lifRefracStep, lifRefracInitialState, params, dt);
  }
}

/** Recurrent refractory LIF cell; the recurrent spikes live in `state.lif.z`. */
export class LIFRefracRecurrentCell extends RecurrentCell<
  ReturnType<typeof lifRefracRecurrentInitialState>,
  LIFRefracParams
> {
  constructor(
    inputSize: number,
    hiddenSize: number,
    params: LIFRefracParams = DEFAULT_LIF_REFRAC_PARAMS,
    options: RecurrentCellOptions = {},
  ) {
    super(
      'LIFRefracRecurrentCell',
      lifRefracRecurrentStep,
      lifRefracRecurrentInitialState,
      inputSize,
      hiddenSize,
      params,
      options,
    );
  }
}

/** Refractory AdEx cell. */
export class LIFAdExRefracCell extends FeedForwardCell<
  ReturnType<typeof lifAdExRefracInitialState>,
  LIFAdExRefracParams
> {
  constructor(params: LIFAdExRefracParams = DEFAULT_LIF_ADEX_REFRAC_PARAMS, dt = 1e-3) {
    super('LIFAdExRefracCell', lifAdExRefracStep, lifAdExRefracInitialState, params, dt);
  }
}

/** Recurrent refractory AdEx cell. */
export class LIFAdExRefracRecurrentCell extends RecurrentCell<
  ReturnType<typeof lifAdExRefracRecurrentInitialState>,
  LIFAdExRefracParams
> {
  constructor(
    inputSize: number,
    hiddenSize: number,
    params: LIFAdExRefracParams = DEFAULT_LIF_ADEX_REFRAC_PARAMS,
    options: RecurrentCellOptions = {},
  ) {
    super(
      'LIFAdExRefracRecurrentCell',
      lifAdExRefracRecurrentStep,
      lifAdExRefracRecurrentInitialState,
      inputSize,
      hiddenSize,
      params,
      options,
    );
  }
}

/** Conductance-based LIF cell. */
export class CobaLIFCell extends FeedForwardCell<ReturnType<typeof cobaLIFInitialState>, CobaLIFParams> {
  constructor(params: CobaLIFParams = DEFAULT_COBA_LIF_PARAMS, dt = 1e-3) {
    super('CobaLIFCell', cobaLIFStep, (shape) => cobaLIFInitialState(shape), params, dt);
  }
}

/** Recurrent conductance-based LIF cell. */
export class CobaLIFRecurrentCell extends RecurrentCell<
  ReturnType<typeof cobaLIFRecurrentInitialState>,
  CobaLIFParams
> {
  constructor(
    inputSize: number,
    hiddenSize: number,
    params: CobaLIFParams = DEFAULT_COBA_LIF_PARAMS,
    options: RecurrentCellOptions = {},
  ) {
    super(
      'CobaLIFRecurrentCell',
      cobaLIFRecurrentStep,
      (shape) => cobaLIFRecurrentInitialState(shape),
      inputSize,
      hiddenSize,
      params,
      options,
    );
  }
}

/**
 * Multi-compartment LIF cell: owns a copy of the coupling matrix `gCoupling [N, N]` as a trainable
 * Variable.
 */
export class LIFMCCell extends FeedForwardCell<LIFState, LIFParams> {
  readonly gCoupling: tf.Variable;
  override readonly trainableVariables: readonly tf.Variable[];
  constructor(gCoupling: tf.Tensor, params: LIFParams = DEFAULT_LIF_PARAMS, dt = 1e-3) {
    const g = tf.variable(tf.clone(gCoupling), true);
    super('LIFMCCell', (x, s, p, h) => lifMCStep(x, s, g, p, h), lifInitialState, params, dt);
    this.gCoupling = g;
    this.trainableVariables = [g];
  }
  override dispose(): void {
    this.gCoupling.dispose();
  }
}

/** Recurrent multi-compartment LIF cell. */
export class LIFMCRecurrentCell extends RecurrentCell<
  ReturnType<typeof lifRecurrentInitialState>,
  LIFParams
> {
  readonly gCoupling: tf.Variable;
  constructor(
    inputSize: number,
    hiddenSize: number,
    gCoupling: tf.Tensor,
    params: LIFParams = DEFAULT_LIF_PARAMS,
    options: RecurrentCellOptions = {},
  ) {
    const g = tf.variable(tf.clone(gCoupling), true);
    super(
      'LIFMCRecurrentCell',
      (x, s, wi, wr, p, dt) => lifMCRecurrentStep(x, s, wi, wr, g, p, dt),
      lifRecurrentInitialState,
      inputSize,
      hiddenSize,
      params,
      options,
    );
    this.gCoupling = g;
  }
  override get trainableVariables(): readonly tf.Variable[] {
    return [this.inputWeights, this.recurrentWeights, this.gCoupling];
  }
  override dispose(): void {
    super.dispose();
    if (!this.gCoupling.isDisposed) this.gCoupling.dispose();
  }
}

/** Refractory multi-compartment LIF cell. */
export class LIFMCRefracCell extends FeedForwardCell<LIFRefracState, LIFRefracParams> {
  readonly gCoupling: tf.Variable;
  override readonly trainableVariables: readonly tf.Variable[];
  constructor(gCoupling: tf.Tensor, params: LIFRefracParams = DEFAULT_LIF_REFRAC_PARAMS, dt = 1e-3) {
    const g = tf.variable(tf.clone(gCoupling), true);
    super(
      'LIFMCRefracCell',
      (x, s, p, h) => lifMCRefracStep(x, s, g, p, h),
      lifRefracInitialState,
      params,
      dt,
    );
    this.gCoupling = g;
    this.trainableVariables = [g];
  }
  override dispose(): void {
    this.gCoupling.dispose();
  }
}

/** Recurrent refractory multi-compartment LIF cell. */
export class LIFMCRefracRecurrentCell extends RecurrentCell<
  ReturnType<typeof lifRefracRecurrentInitialState>,
  LIFRefracParams
> {
  readonly gCoupling: tf.Variable;
  constructor(
    inputSize: number,
    hiddenSize: number,
    gCoupling: tf.Tensor,
    params: LIFRefracParams = DEFAULT_LIF_REFRAC_PARAMS,
    options: RecurrentCellOptions = {},
  ) {
    const g = tf.variable(tf.clone(gCoupling), true);
    super(
      'LIFMCRefracRecurrentCell',
      (x, s, wi, wr, p, dt) => lifMCRefracRecurrentStep(x, s, wi, wr, g, p, dt),
      lifRefracRecurrentInitialState,
      inputSize,
      hiddenSize,
      params,
      options,
    );
    this.gCoupling = g;
  }
  override get trainableVariables(): readonly tf.Variable[] {
    return [this.inputWeights, this.recurrentWeights, this.gCoupling];
  }
  override dispose(): void {
    super.dispose();
    if (!this.gCoupling.isDisposed) this.gCoupling.dispose();
  }
}
