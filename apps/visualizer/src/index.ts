/**
 * `@snn/visualizer`: every figure of the Norse MNIST tutorial, live, embeddable anywhere.
 * `mountVisualizer(element, options)` → `{ ready, update, destroy }`; `defineVisualizerElement()`
 * for `<snn-visualizer>`; each panel can also be mounted alone with `panels: [...]`.
 * tfjs-core and its backends are peer dependencies: the visualizer computes on the page's tfjs.
 * @packageDocumentation
 */

export type { WasmBinaryName, WasmPaths } from './backend.js';
export type { Change, Panel, PanelContext, SharedState } from './context.js';
export type { DigitSet } from './digits.js';
export type { Listeners } from './dom.js';
export { defineVisualizerElement, VISUALIZER_ATTRIBUTES } from './element.js';
export {
  mountVisualizer,
  type PanelName,
  type VisualizerBackend,
  type VisualizerHandle,
  type VisualizerOptions,
  type VisualizerUpdate,
} from './mount.js';
export { artifactsFromFiles, artifactsFromUrl, modelFromArtifacts } from './network.js';
