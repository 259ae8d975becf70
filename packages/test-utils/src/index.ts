/**
 * `@snn/test-utils` (private): helpers shared by every package's tests.
 * @packageDocumentation
 */
export {
  activateBackend,
  addTestLoaders,
  availableBackends,
  type BackendConstraints,
  type BackendTestContext,
  describeBackends,
  setBrowserBackends,
  TEST_LOADERS,
} from './backends.js';
export { type CloseOptions, expectClose, expectEqual, flatValues, type Numeric } from './close.js';
export {
  camelParams,
  goldenDir,
  goldenSkipReason,
  goldenTensor,
  hasGolden,
  type Nested,
  readGolden,
} from './golden.js';
export { expectNoLeak } from './leak.js';
export { readmeExamples, runReadmeExample } from './readme.js';
export {
  type NodeWebGPUStatus,
  nodeWebGPUStatus,
  TEST_DAWN,
  useSoftwareVulkanIfNoDriver,
} from './webgpu-node.js';
