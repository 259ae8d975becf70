/**
 * The standalone bundle (`@snn/visualizer/standalone`, `dist/standalone/visualizer.js`): the same
 * API with tfjs, its backends and the `@snn` packages inside, for a plain `<script type="module">`
 * page with no bundler. The wasm binaries sit beside it and only the one in use is fetched.
 * tfjs keeps one engine per page even across copies: with `backend: 'host'` the visualizer
 * computes on the page's backend and never changes it.
 * @packageDocumentation
 */
import type { WasmPaths } from './backend.js';
import { defineVisualizerElement as defineElement } from './element.js';
import { mountVisualizer as mount, type VisualizerHandle, type VisualizerOptions } from './mount.js';

export type * from './index.js';
export { artifactsFromFiles, artifactsFromUrl, modelFromArtifacts, VISUALIZER_ATTRIBUTES } from './index.js';

/**
 * The folder of this bundle, where its build copied tfjs's wasm binaries. (Not `new URL('./',
 * import.meta.url)`: bundlers rewrite that pattern into an asset.)
 */
const HERE: WasmPaths = import.meta.url.slice(0, import.meta.url.lastIndexOf('/') + 1);

/** {@link mountVisualizer} of the library, with `wasmPaths` defaulting to the bundle's own folder. */
export function mountVisualizer(element: HTMLElement, options: VisualizerOptions = {}): VisualizerHandle {
  return mount(element, { wasmPaths: HERE, ...options });
}

/** {@link defineVisualizerElement} of the library, with `wasmPaths` defaulting to the bundle's own folder. */
export function defineVisualizerElement(
  registry: CustomElementRegistry = customElements,
  tag = 'snn-visualizer',
  defaults: VisualizerOptions = {},
): void {
  defineElement(registry, tag, { wasmPaths: HERE, ...defaults });
}
