/**
 * `@snn/train`: the tutorial's model, networks, training loop, losses and checkpoints as a library.
 * File-system checkpoints live in `@snn/train/node`.
 * @packageDocumentation
 */
export {
  architectureOf,
  CheckpointError,
  loadModelArtifacts,
  loadOptimizerArtifacts,
  modelArtifacts,
  optimizerArtifacts,
  type WeightSpec,
} from './checkpoint.js';
export {
  type BatchGradients,
  type BatchLog,
  type BatchMetrics,
  type BatchSource,
  batchGradients,
  batchMetrics,
  type Callbacks,
  clipByGlobalNorm,
  type EpochLog,
  type EvaluateOptions,
  evaluate,
  type FitOptions,
  type FitResult,
  fit,
  type GradientOptions,
  type GradientSource,
  getLearningRate,
  type MetricsSource,
  setLearningRate,
  TrainingDivergedError,
  type TrainingProgress,
  trainStep,
} from './fit.js';
export { loadModelFrom, saveModelTo } from './io.js';
export {
  ceCountLoss,
  ceRateLoss,
  crossEntropy,
  LOSSES,
  type LossFn,
  type LossName,
  type MSECountOptions,
  type MSEMembraneOptions,
  meanRate,
  mseCountLoss,
  mseMembraneLoss,
  nll,
} from './losses.js';
export { type Decoder, type Model, type ModelOutput, model } from './model.js';
export type { ForwardOptions, LayerSummary, Network, NetworkResult, RecordedStates } from './network.js';
export {
  type ConvSNNOptions,
  convSNN,
  type RecurrentSNNOptions,
  recurrentSNN,
  sequentialNetwork,
} from './networks.js';
export { type AdamOptions, adam } from './optim.js';
export { recordedToArrays } from './record.js';
export { constantLR, cosineLR, type LRSchedule, stepLR } from './schedule.js';
