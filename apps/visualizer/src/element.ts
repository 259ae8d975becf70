import {
  mountVisualizer,
  type PanelName,
  type VisualizerBackend,
  type VisualizerHandle,
  type VisualizerOptions,
} from './mount.js';

/** The attributes `<snn-visualizer>` observes; changing one updates the mounted visualizer. */
export const VISUALIZER_ATTRIBUTES = ['panels', 'backend', 'model-url', 'mnist-url'] as const;

/**
 * Defines the `<snn-visualizer>` custom element. It observes `panels="neuron,encoding"`,
 * `backend` (a backend name, `auto` or `host`), `model-url` and `mnist-url`: setting, changing or
 * removing one after the element is on the page updates it in place. `defaults` apply to every
 * element (e.g. `wasmPaths`); attributes override them. It does nothing if the tag is already defined.
 *
 * @example
 * ```ts
 * defineVisualizerElement();
 * // <snn-visualizer panels="neuron,encoding" backend="host"></snn-visualizer>
 * document.querySelector('snn-visualizer')!.setAttribute('panels', 'activity');
 * ```
 */
export function defineVisualizerElement(
  registry: CustomElementRegistry = customElements,
  tag = 'snn-visualizer',
  defaults: VisualizerOptions = {},
): void {
  if (registry.get(tag)) return;
  registry.define(
    tag,
    class SnnVisualizerElement extends HTMLElement {
      static readonly observedAttributes = VISUALIZER_ATTRIBUTES;
      private handle: VisualizerHandle | undefined;
      private pending = false;

      /** The options the attributes say, on top of `defaults`. */
      private attributeOptions() {
        const panels = this.getAttribute('panels')
          ?.split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '') as PanelName[] | undefined;
        return {
          panels: panels ?? defaults.panels,
          backend: (this.getAttribute('backend') as VisualizerBackend | null) ?? defaults.backend,
          modelUrl: this.getAttribute('model-url') ?? defaults.modelUrl,
          mnistUrl: this.getAttribute('mnist-url') ?? defaults.mnistUrl,
        };
      }

      connectedCallback() {
        if (this.handle) return;
        const { panels, backend, modelUrl, mnistUrl } = this.attributeOptions();
        this.handle = mountVisualizer(this, {
          ...defaults,
          ...(panels ? { panels } : {}),
          ...(backend ? { backend } : {}),
          ...(modelUrl ? { modelUrl } : {}),
          ...(mnistUrl ? { mnistUrl } : {}),
        });
      }

      attributeChangedCallback(_name: string, oldValue: string | null, newValue: string | null) {
        if (!this.handle || oldValue === newValue || this.pending) return;
        // Several attributes set in one task make one update.
        this.pending = true;
        queueMicrotask(() => {
          this.pending = false;
          void this.handle?.update(this.attributeOptions()).catch((error: unknown) => {
            console.error('[snn visualizer] update failed:', error);
          });
        });
      }

      disconnectedCallback() {
        this.handle?.destroy();
        this.handle = undefined;
      }
    },
  );
}
