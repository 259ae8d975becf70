/**
 * `@snn/train`: the tutorial's model, networks, training loop, losses and checkpoints as a library.
 * File-system checkpoints and worker-thread data parallelism live in `@snn/train/node`.
 * @packageDocumentation
 */
export {
  architectureOf,
  artifactsFromFiles,
  artifactsToFiles,
  CheckpointError,
  checkWeightSpecs,
  concatWeightData,
  isRelativeInside,
  loadModelArtifacts,
  loadOptimizerArtifacts,
  MAX_WEIGHT_BYTES,
  type ModelFiles,
  modelArtifacts,
  modelFiles,
  optimizerArtifacts,
  type ParsedModelJson,
  parseModelJson,
  type WeightSpec,
} from './checkpoint.js';
export {
  countSpikes,
  type LayerActivity,
  type LayerEfficiency,
  layerEfficiency,
  measureEfficiency,
  type SpikeTarget,
  spikeTargets,
} from './efficiency.js';
export {
  type BatchGradients,
  type BatchLog,
  type BatchMetrics,
  type BatchSlice,
  type BatchSource,
  type BatchStart,
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
  type MetricsOptions,
  type MetricsSource,
  type RunningSums,
  setLearningRate,
  splitBatch,
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
export { Adam, type AdamOptions, adam } from './optim.js';
export { recordedToArrays } from './record.js';
export { constantLR, cosineLR, type LRSchedule, stepLR } from './schedule.js';
