/**
 * The @snn visualizer: every figure of the Norse MNIST tutorial, live, embeddable anywhere.
 * `mountVisualizer(element, options)` → `{ update, destroy }`; `defineVisualizerElement()` for
 * `<snn-visualizer>`; each panel can also be mounted alone inside `mountVisualizer` with `panels: [...]`.
 * @packageDocumentation
 */
export type { Panel, PanelContext, SharedState } from './context.js';
export {
  defineVisualizerElement,
  mountVisualizer,
  type PanelName,
  type VisualizerHandle,
  type VisualizerOptions,
} from './mount.js';
export { artifactsFromFiles, artifactsFromUrl, modelFromArtifacts } from './network.js';
