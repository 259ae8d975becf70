import { type HostKernelConfig, hasHostKernel, registerGradientOnce, registerHostKernel } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { registerBiasAdd } from './delegated/bias-add.js';
import { registerConv2dValid } from './delegated/conv2d-valid.js';
import { registerLinear } from './delegated/linear.js';
import { registerView } from './delegated/view.js';
import { lifCurrentEncoderGpu, lifCurrentEncoderGradGpu } from './gpu/encoder.js';
import { liSequenceGpu, liSequenceGradGpu } from './gpu/li.js';
import { lifSequenceGpu, lifSequenceGradGpu } from './gpu/lif-feed-forward.js';
import { lifRecurrentSequenceGpu, lifRecurrentSequenceGradGpu } from './gpu/lif-recurrent.js';
import { gpuPoolKernels } from './gpu/max-pool.js';
import { GPU_BACKENDS, gpuStepKernelFunc } from './gpu/step-program.js';
import { wgslKernelFunc } from './gpu/wgsl.js';
import {
  lifCurrentEncoderGradWebGPU,
  lifCurrentEncoderWebGPU,
  lifRecurrentSequenceGradWebGPU,
  lifRecurrentSequenceWebGPU,
  lifSequenceGradWebGPU,
  lifSequenceWebGPU,
  liSequenceGradWebGPU,
  liSequenceWebGPU,
} from './gpu/whole-sequence.js';
import { biasAddGradConfig } from './gradients/bias-add-grad.js';
import { conv2dValidGradConfig } from './gradients/conv2d-valid-grad.js';
import { liSequenceGradConfig } from './gradients/li-sequence-grad.js';
import { lifCurrentEncoderGradConfig } from './gradients/lif-current-encoder-grad.js';
import { lifRecurrentSequenceGradConfig } from './gradients/lif-recurrent-sequence-grad.js';
import { lifSequenceGradConfig } from './gradients/lif-sequence-grad.js';
import { linearGradConfig } from './gradients/linear-grad.js';
import { maxPoolGradConfig } from './gradients/max-pool-grad.js';
import { spikeConv2dGradConfig } from './gradients/spike-conv2d-grad.js';
import { spikeLinearGradConfig } from './gradients/spike-linear-grad.js';
import { viewGradConfig } from './gradients/view-grad.js';
import { biasGradKernel } from './host/bias-grad.js';
import { liSequenceKernel } from './host/li-sequence.js';
import { liSequenceGradKernel } from './host/li-sequence-grad.js';
import { lifCurrentEncoderKernel } from './host/lif-current-encoder.js';
import { lifCurrentEncoderGradKernel } from './host/lif-current-encoder-grad.js';
import { lifRecurrentSequenceKernel } from './host/lif-recurrent-sequence.js';
import { lifRecurrentSequenceGradKernel } from './host/lif-recurrent-sequence-grad.js';
import { lifSequenceKernel } from './host/lif-sequence.js';
import { lifSequenceGradKernel } from './host/lif-sequence-grad.js';
import { maxPoolKernel } from './host/max-pool.js';
import { maxPoolGradKernel } from './host/max-pool-grad.js';
import { spikeConv2dKernel } from './host/spike-conv2d.js';
import { spikeConv2dFilterGradKernel } from './host/spike-conv2d-filter-grad.js';
import { spikeDensityKernel } from './host/spike-density.js';
import { spikeLinearKernel } from './host/spike-linear.js';
import { spikeLinearWeightGradKernel } from './host/spike-linear-weight-grad.js';
import { KERNELS, type KernelName } from './names.js';

/** Every host kernel (cpu, wasm), forward and gradient. */
const HOST_KERNELS: readonly HostKernelConfig<never>[] = [
  spikeLinearKernel,
  spikeLinearWeightGradKernel,
  spikeDensityKernel,
  lifSequenceKernel,
  lifSequenceGradKernel,
  lifRecurrentSequenceKernel,
  lifRecurrentSequenceGradKernel,
  liSequenceKernel,
  liSequenceGradKernel,
  lifCurrentEncoderKernel,
  lifCurrentEncoderGradKernel,
  spikeConv2dKernel,
  spikeConv2dFilterGradKernel,
  maxPoolKernel,
  maxPoolGradKernel,
  biasGradKernel,
];

/** The per-step sequence kernels (step programs, one launch per step): webgl's. */
const STEP_KERNELS: readonly [KernelName, tf.KernelFunc][] = [
  [KERNELS.lifSequence, lifSequenceGpu],
  [KERNELS.lifSequenceGrad, lifSequenceGradGpu],
  [KERNELS.lifRecurrentSequence, lifRecurrentSequenceGpu],
  [KERNELS.lifRecurrentSequenceGrad, lifRecurrentSequenceGradGpu],
  [KERNELS.liSequence, liSequenceGpu],
  [KERNELS.liSequenceGrad, liSequenceGradGpu],
  [KERNELS.lifCurrentEncoder, lifCurrentEncoderGpu],
  [KERNELS.lifCurrentEncoderGrad, lifCurrentEncoderGradGpu],
];

/** The whole-sequence kernels (one launch per sequence, forward or backward): webgpu's. */
const WHOLE_SEQUENCE_KERNELS: readonly [KernelName, tf.KernelFunc][] = [
  [KERNELS.wgsl, wgslKernelFunc],
  [KERNELS.lifSequence, lifSequenceWebGPU],
  [KERNELS.lifSequenceGrad, lifSequenceGradWebGPU],
  [KERNELS.lifRecurrentSequence, lifRecurrentSequenceWebGPU],
  [KERNELS.lifRecurrentSequenceGrad, lifRecurrentSequenceGradWebGPU],
  [KERNELS.liSequence, liSequenceWebGPU],
  [KERNELS.liSequenceGrad, liSequenceGradWebGPU],
  [KERNELS.lifCurrentEncoder, lifCurrentEncoderWebGPU],
  [KERNELS.lifCurrentEncoderGrad, lifCurrentEncoderGradWebGPU],
];

/** Every GPU kernel, per backend (webgpu keeps the step kernel for very wide recurrent layers). */
const GPU_KERNELS: Readonly<Record<string, readonly [KernelName, tf.KernelFunc][]>> = {
  webgl: [[KERNELS.gpuStep, gpuStepKernelFunc('webgl')], ...STEP_KERNELS, ...gpuPoolKernels('webgl')],
  webgpu: [
    [KERNELS.gpuStep, gpuStepKernelFunc('webgpu')],
    ...WHOLE_SEQUENCE_KERNELS,
    ...gpuPoolKernels('webgpu'),
  ],
};

/** One gradient config per forward kernel. */
const GRADIENTS: readonly tf.GradConfig[] = [
  spikeLinearGradConfig,
  lifSequenceGradConfig,
  lifRecurrentSequenceGradConfig,
  liSequenceGradConfig,
  lifCurrentEncoderGradConfig,
  spikeConv2dGradConfig,
  maxPoolGradConfig,
  biasAddGradConfig,
  conv2dValidGradConfig,
  viewGradConfig,
  linearGradConfig,
];

let registered = false;

/**
 * Registers our kernels for `cpu` and `wasm` (host loops), `webgl` (step programs, one launch per
 * step) and `webgpu` (whole-sequence programs, one launch per sequence), and every gradient (idempotent; the ops call it
 * themselves). Registering selects no backend. The kernels that delegate to a backend's own
 * (the 'valid' convolution, `view`) are registered for a backend when first used there
 * (`kernelHere`).
 */
export function registerFusedKernels(): void {
  if (registered) return;
  registered = true;
  for (const k of HOST_KERNELS) registerHostKernel(k);
  for (const backendName of GPU_BACKENDS)
    for (const [kernelName, kernelFunc] of GPU_KERNELS[backendName] ?? []) {
      if (!tf.getKernel(kernelName, backendName)) tf.registerKernel({ kernelName, backendName, kernelFunc });
    }
  registerBiasAdd();
  registerLinear();
  for (const g of GRADIENTS) registerGradientOnce(g);
}

/** Whether the active backend runs our kernel `name` (after registering them). */
export function kernelHere(name: KernelName): boolean {
  registerFusedKernels();
  if (name === KERNELS.conv2dValid) registerConv2dValid(tf.getBackend());
  if (name === KERNELS.view) registerView(tf.getBackend());
  return hasHostKernel(name);
}
