/**
 * `@snn/core`: the tensor layer every `@snn` package shares.
 *
 * Importing it registers tfjs-core's gradients (so `tf.grad` works in Node, vitest and Vite) and
 * exports the spike function with its surrogate gradients, backend selection for apps, a seeded
 * random source, and helpers for nested states and tensor memory.
 *
 * @packageDocumentation
 */
import { registerAllGradients } from './gradients.js';

// Explicit, so no bundler can drop it: tf.grad must work after importing @snn/core alone.
registerAllGradients();

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
export { registerAllGradients, TFJS_GRADIENTS } from './gradients.js';
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
  adapterLine,
  DAWN_PACKAGE,
  type DawnLoader,
  type DawnModule,
  type GPUAdapterReport,
  isSoftwareAdapter,
  SWIFTSHADER_ICD,
  vulkanProblem,
} from './webgpu.js';
