/**
 * `@snn/core`: the tensor layer every `@snn` package shares.
 *
 * It exports the spike function with its surrogate gradients, backend selection for apps, a seeded
 * random source, PyTorch's first-index tie rule for maxima (`firstMax`, `firstArgMax`,
 * `firstMaxPool2d`), and helpers for nested states and tensor memory. It has no side effects: apps
 * register tfjs-core's gradients themselves, once (`import '@snn/core/register-gradients'`).
 *
 * @packageDocumentation
 */
export {
  AUTO_ORDER,
  BACKEND_NAMES,
  BACKENDS,
  type BackendAttempt,
  type BackendChoice,
  type BackendInfo,
  type BackendLoader,
  type BackendName,
  type BackendPreference,
  BackendUnavailableError,
  detectPlatform,
  explainLoadFailure,
  releaseNodeWebGPU,
  resolvePreference,
  type UseBackendOptions,
  useBackend,
} from './backend.js';
export { detach } from './detach.js';
export { firstArgMax, firstMax, firstMaxMask, firstMaxPool2d } from './first-max.js';
export { assertGradientsRegistered, gradientsRegistered } from './gradients.js';
export {
  HOST_BACKENDS,
  type HostKernelArgs,
  type HostKernelConfig,
  type HostMatrix,
  hasHostKernel,
  registerGradientOnce,
  registerHostKernel,
} from './kernel.js';
export { floatMask } from './mask.js';
export { assertNoTensorLeak, type LeakReport, measureTensorLeak } from './memory.js';
export { checkDt, dtTimes, f32, isTensorParam, negate } from './param.js';
export { Random, type RandomState, type SeedLike, seed } from './random.js';
export { disposeState, keepState, mapState, stateTensors, tidy } from './state.js';
export {
  atan,
  circ,
  customSurrogate,
  fastSigmoid,
  hasScalarForm,
  hasShaderForm,
  heaviErfc,
  heaviside,
  SURROGATE_NAMES,
  type Surrogate,
  type SurrogateMethod,
  type SurrogateName,
  shaderFloat,
  superSpike,
  surrogate,
  tanhSurrogate,
  triangle,
} from './surrogate.js';
export { heavisideStep, threshold } from './threshold.js';
export type { Param, StepFunction, StepResult, TensorTree } from './types.js';
export {
  type AdapterInfoLike,
  adapterLine,
  DAWN_PACKAGE,
  type DawnLoader,
  type DawnModule,
  type GPUAdapterReport,
  hasGPUDevice,
  isSoftwareAdapter,
  SWIFTSHADER_ICD,
  type VulkanFs,
  vulkanProblem,
} from './webgpu.js';
