import { checkDt, f32, type StepResult, tidy } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { FeedForwardCell, RecurrentCell, type RecurrentCellOptions } from '../cells.js';
import { checkCoupling, linear } from '../math.js';
import {
  DEFAULT_LIF_PARAMS,
  type LIFParams,
  type LIFRecurrentState,
  type LIFState,
  lifInitialState,
  lifRecurrentInitialState,
  lifRecurrentStep,
  lifStep,
} from './lif.js';

/** `v + dt*(v @ G^T)`: one Euler step of the linear coupling between compartments. */
function couple(v: tf.Tensor, gCoupling: tf.Tensor, dt: number): tf.Tensor {
  return tf.add(v, tf.mul(f32(dt), linear(v, gCoupling)));
}

/**
 * One step of a multi-compartment LIF neuron (Norse `lif_mc_feed_forward_step`): the compartments
 * first exchange current through the coupling matrix, then each runs {@link lifStep}.
 *
 * ```
 * v = v + dt*(v @ G^T)
 * [z, state] = lifStep(x, { v, i }, params, dt)
 * ```
 * State, initial state and output as LIF (initial state: {@link lifInitialState}).
 *
 * @param gCoupling - `[N, N]` conductances between the N compartments (the last dimension).
 */
export function lifMCStep(
  input: tf.Tensor,
  state: LIFState,
  gCoupling: tf.Tensor,
  params: LIFParams = DEFAULT_LIF_PARAMS,
  dt = 1e-3,
): StepResult<LIFState> {
  checkDt(dt, 'lifMCStep');
  checkCoupling('lifMCStep', state.v, gCoupling);
  return tidy(() => lifStep(input, { v: couple(state.v, gCoupling, dt), i: state.i }, params, dt));
}

/**
 * One step of a recurrent multi-compartment LIF layer (Norse `lif_mc_step`): {@link lifRecurrentStep},
 * then the coupling after the reset: `v = v + dt*(v @ G^T)`.
 */
export function lifMCRecurrentStep(
  input: tf.Tensor,
  state: LIFRecurrentState,
  inputWeights: tf.Tensor,
  recurrentWeights: tf.Tensor,
  gCoupling: tf.Tensor,
  params: LIFParams = DEFAULT_LIF_PARAMS,
  dt = 1e-3,
): StepResult<LIFRecurrentState> {
  checkDt(dt, 'lifMCRecurrentStep');
  checkCoupling('lifMCRecurrentStep', state.v, gCoupling);
  return tidy(() => {
    const [z, s] = lifRecurrentStep(input, state, inputWeights, recurrentWeights, params, dt);
    return [z, { z: s.z, v: couple(s.v, gCoupling, dt), i: s.i }] as const;
  });
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
