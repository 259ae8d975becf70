// The app registers tfjs-core's gradients, once (libraries never do); the CLI and every gradient
// worker thread import this module before they train.
import '@snn/core/register-gradients';
import { type BackendChoice, type BackendLoader, type BackendName, useBackend } from '@snn/core';
import { DAWN } from './gpu.js';

/** Static imports of the backends this app ships; the tfjs-node ones are imported only if installed. */
export const LOADERS: Partial<Record<BackendName, BackendLoader>> = {
  cpu: () => import('@tensorflow/tfjs-backend-cpu'),
  wasm: () => import('@tensorflow/tfjs-backend-wasm'),
  // Imported after useBackend installs Dawn's navigator.gpu (the optional `webgpu` package).
  webgpu: () => import('@tensorflow/tfjs-backend-webgpu'),
};

/** What `--backend` accepts. */
export const BACKEND_CHOICES = ['auto', 'tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;

/** Starts the requested backend (`auto`: tensorflow-gpu → tensorflow → webgpu on a hardware GPU → wasm → cpu). */
export function startBackend(preference: BackendName | 'auto'): Promise<BackendChoice> {
  return useBackend(preference, { loaders: LOADERS, dawn: DAWN });
}

/** One line per backend that was skipped, for the log (and the adapter webgpu computes on). */
export function describeChoice(choice: BackendChoice): string[] {
  return [
    `backend: ${choice.name}`,
    ...(choice.adapter ? [`  adapter: ${adapterText(choice)}`] : []),
    ...choice.attempts.filter((a) => !a.ok).map((a) => `  (skipped ${a.name}: ${a.reason})`),
  ];
}

function adapterText(choice: BackendChoice): string {
  const a = choice.adapter!;
  const name = [a.vendor, a.architecture].filter(Boolean).join(' ');
  return `${name}${a.description ? ` (${a.description})` : ''}${a.software ? ', software: runs on the CPU' : ''}`;
}
