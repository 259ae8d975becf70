// The standalone page: the same embed, on a full page.
// Query: ?panels=neuron,encoding&backend=webgl&model=<model.json url>&mnist=<folder of the MNIST files>

import plain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { mountVisualizer, type PanelName, type VisualizerBackend } from './index.js';

const params = new URLSearchParams(location.search);
const panels = params.get('panels')?.split(',') as PanelName[] | undefined;
const backend = (params.get('backend') ?? 'auto') as VisualizerBackend;
const modelUrl = params.get('model') ?? undefined;
const mnistUrl = params.get('mnist') ?? undefined;
mountVisualizer(document.getElementById('app')!, {
  backend,
  // Emitted as separate files by the page's build; tfjs fetches only the one it runs (one thread:
  // never the threaded one, but tfjs wants all three in a map).
  wasmPaths: {
    'tfjs-backend-wasm-simd.wasm': simd,
    'tfjs-backend-wasm.wasm': plain,
    'tfjs-backend-wasm-threaded-simd.wasm': threaded,
  },
  ...(panels ? { panels } : {}),
  ...(modelUrl ? { modelUrl } : {}),
  ...(mnistUrl ? { mnistUrl } : {}),
});
