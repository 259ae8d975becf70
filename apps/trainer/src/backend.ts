// The app registers tfjs-core's gradients, once (libraries never do); the CLI and every gradient
// worker thread import this module before they train.
import '@snn/core/register-gradients';
import { type BackendChoice, type BackendLoader, type BackendName, useBackend } from '@snn/core';

/** Static imports of the backends this app ships; the tfjs-node ones are imported only if installed. */
export const LOADERS: Partial<Record<BackendName, BackendLoader>> = {
  cpu: () => import('@tensorflow/tfjs-backend-cpu'),
  wasm: () => import('@tensorflow/tfjs-backend-wasm'),
};

/** Starts the requested backend (`auto`: tensorflow-gpu → tensorflow → wasm → cpu). */
export function startBackend(preference: BackendName | 'auto'): Promise<BackendChoice> {
  return useBackend(preference, { loaders: LOADERS });
}

/** One line per backend that was skipped, for the log. */
export function describeChoice(choice: BackendChoice): string[] {
  return [
    `backend: ${choice.name}`,
    ...choice.attempts.filter((a) => !a.ok).map((a) => `  (skipped ${a.name}: ${a.reason})`),
  ];
}
