import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, loadModelArtifacts, modelArtifacts } from './checkpoint.js';
import type { Model } from './model.js';

/**
 * Saves a model's weights through any tfjs IO handler or URL scheme: `indexeddb://name` and
 * `downloads://name` in browsers (tfjs's own handlers), `localstorage://name`, or a handler object
 * (`fileSystem(dir)` from `@snn/train/node`).
 */
export async function saveModelTo(
  m: Model,
  destination: string | tf.io.IOHandler,
): Promise<tf.io.SaveResult> {
  const handler = typeof destination === 'string' ? tf.io.getSaveHandlers(destination)[0] : destination;
  if (!handler?.save) {
    throw new CheckpointError(
      `no tfjs save handler for ${String(destination)} (in browsers use indexeddb:// or downloads://)`,
    );
  }
  return handler.save(await modelArtifacts(m));
}

/** Loads weights saved by {@link saveModelTo} into a model of the same architecture. */
export async function loadModelFrom(m: Model, source: string | tf.io.IOHandler): Promise<void> {
  const handler = typeof source === 'string' ? tf.io.getLoadHandlers(source)[0] : source;
  if (!handler?.load) throw new CheckpointError(`no tfjs load handler for ${String(source)}`);
  loadModelArtifacts(m, await handler.load());
}
