/**
 * `@snn/neurons`: every Norse neuron model as a pure step function
 * `(input, state, params?, dt?) => [output, newState]`, plus cells, layers, time loops and
 * composition, and the ops that run whole sequences on fused, event-driven kernels.
 *
 * The plain name is the feed-forward step (`lifStep`); the `Recurrent` name takes input and
 * recurrent weights `[out, in]` (`lifRecurrentStep`). Inputs are never disposed; states are new.
 *
 * Layout (as tfjs-core's): `models/` one file per neuron model (params, state, step, cell and
 * whole-sequence layer together); `layers/` the stateless layers; `ops/` one public op per file;
 * `kernels/` every kernel (names, host and GPU implementations, gradients, the WebAssembly module).
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
export { disposeReplaced } from './dispose.js';
export { type InitOptions, initRng } from './init.js';
export { convValidInputGrad } from './kernels/gradients/conv-input-grad.js';
export { KERNELS, type KernelName } from './kernels/names.js';
export { registerFusedKernels } from './kernels/register.js';
export { resetSideChannels } from './kernels/side-channels.js';
export { hasSimdKernels } from './kernels/simd/simd.js';
export * from './layers/index.js';
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
export { linear, type ShapeLike } from './math.js';
export * from './models/coba-lif.js';
export * from './models/iaf.js';
export * from './models/izhikevich.js';
export * from './models/li.js';
export * from './models/li-box.js';
export * from './models/lif.js';
export * from './models/lif-adex.js';
export * from './models/lif-adex-refrac.js';
export * from './models/lif-box.js';
export * from './models/lif-ex.js';
export * from './models/lif-mc.js';
export * from './models/lif-mc-refrac.js';
export * from './models/lif-refrac.js';
export * from './models/lsnn.js';
export * from './models/stp.js';
export {
  type CallOptions,
  type Cell,
  type Composable,
  isCell,
  isLayer,
  type Layer,
  type Owner,
} from './module.js';
export { addBias } from './ops/add-bias.js';
export { conv2dValid } from './ops/conv2d-valid.js';
export { canFuseLI, liIntegral, liSequence } from './ops/li-sequence.js';
export { canFuseLIFEncoder, lifCurrentEncoderSequence } from './ops/lif-current-encoder-sequence.js';
export {
  canFuseLIFRecurrent,
  lifRecurrentIntegral,
  lifRecurrentSequence,
} from './ops/lif-recurrent-sequence.js';
export { canFuseLIF, lifIntegral, lifSequence } from './ops/lif-sequence.js';
export { maxPool2d } from './ops/max-pool2d.js';
export { project } from './ops/project.js';
export { spikeConv2d } from './ops/spike-conv2d.js';
export { EVENT_DENSITY_LIMIT, preferEvents, spikeDensity } from './ops/spike-density.js';
export { spikeLinear } from './ops/spike-linear.js';
export { view } from './ops/view.js';
export { refractoryUpdate } from './refractory.js';
export { Sequence } from './sequence.js';
export { Sequential, type SequentialState, sequential } from './sequential.js';
