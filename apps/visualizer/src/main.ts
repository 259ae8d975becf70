// The standalone page: the same embed, on a full page.
// Query: ?panels=neuron,encoding&backend=webgl&model=<model.json url>&mnist=<folder of the MNIST files>
import { mountVisualizer, type PanelName } from './index.js';

const params = new URLSearchParams(location.search);
const panels = params.get('panels')?.split(',') as PanelName[] | undefined;
const backend = (params.get('backend') ?? 'auto') as 'auto';
const modelUrl = params.get('model') ?? undefined;
const mnistUrl = params.get('mnist') ?? undefined;
mountVisualizer(document.getElementById('app')!, {
  backend,
  ...(panels ? { panels } : {}),
  ...(modelUrl ? { modelUrl } : {}),
  ...(mnistUrl ? { mnistUrl } : {}),
});
