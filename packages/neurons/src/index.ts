/**
 * `@snn/neurons`: every Norse neuron model as a pure step function
 * `(input, state, params?, dt?) => [output, newState]`, plus cells, layers, time loops and
 * composition.
 *
 * The plain name is the feed-forward step (`lifStep`); the `Recurrent` name takes input and
 * recurrent weights `[out, in]` (`lifRecurrentStep`). Inputs are never disposed; states are new.
 * @packageDocumentation
 */

export {
  FeedForwardCell,
  type FeedForwardStep,
  type InitialStateFn,
  LinearInputCell,
  RecurrentCell,
  type RecurrentCellOptions,
  type RecurrentStep,
} from './cells.js';
export * from './coba-lif.js';
export { conv2dValid, convValidInputGrad } from './conv.js';
export { disposeReplaced } from './dispose.js';
export {
  addBias,
  canFuseLI,
  canFuseLIF,
  canFuseLIFEncoder,
  canFuseLIFRecurrent,
  FUSED_KERNELS,
  lifCurrentEncoderSequence,
  lifRecurrentSequence,
  lifSequence,
  liSequence,
  maxPool2d,
  registerFusedKernels,
  spikeConv2d,
  spikeLinear,
} from './fused.js';
export * from './iaf.js';
export { type InitOptions, initRng } from './init.js';
export * from './izhikevich.js';
export * from './layers.js';
export * from './li.js';
export * from './li-box.js';
export * from './lif.js';
export * from './lif-adex.js';
export * from './lif-adex-refrac.js';
export * from './lif-box.js';
export * from './lif-ex.js';
export { lifMCRecurrentStep, lifMCStep } from './lif-mc.js';
export * from './lif-mc-refrac.js';
export * from './lif-refrac.js';
export {
  type Lifted,
  lift,
  type Recorded,
  runCell,
  runSequence,
  type SequenceOptions,
  type SequenceResult,
  stackStates,
} from './lift.js';
export * from './lsnn.js';
export {
  type CallOptions,
  type Cell,
  type Composable,
  isCell,
  isLayer,
  type Layer,
  type Owner,
} from './module.js';
export * from './named-cells.js';
export { linear, type ShapeLike } from './ops.js';
export { refractoryUpdate } from './refractory.js';
export * from './sequences.js';
export { Sequential, type SequentialState, sequential } from './sequential.js';
export { hasSimdKernels } from './simd.js';
export * from './stp.js';
