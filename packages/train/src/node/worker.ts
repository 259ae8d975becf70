// A worker thread of `DataParallel` (parallel.ts): builds its own copy of the model with the
// factory module's `createModel`, and for each request sets the weights it is sent and returns the
// gradients (or the loss and hits) of its share of the batch.
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { batchGradients, batchMetrics } from '../fit.js';
import type { ModelFactoryModule, WorkerReply, WorkerRequest } from './parallel.js';

/** `factory` is a URL (`file:` or another scheme Node imports). */
const { factory, args, worker } = workerData as { factory: string; args: unknown; worker: number };
const port = parentPort!;
const reply = (r: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(r, transfer);

try {
  const mod = (await import(factory)) as Partial<ModelFactoryModule>;
  if (typeof mod.createModel !== 'function')
    throw new Error(`${factory} exports no createModel(args, { worker }) function`);
  const m = await mod.createModel(args, { worker });
  const vars = m.trainableVariables as tf.Variable[];
  reply({ kind: 'ready' });
  port.on('message', async (r: WorkerRequest) => {
    try {
      if (r.kind === 'save-state') {
        reply({ kind: 'state', id: r.id, state: mod.saveState?.(m) });
        return;
      }
      if (r.weights.length !== vars.length)
        throw new Error(`${r.weights.length} weight arrays sent to a model with ${vars.length} variables`);
      r.weights.forEach((w, k) => {
        const v = vars[k]!;
        tf.tidy(() => v.assign(tf.tensor(w, v.shape)));
      });
      const images = tf.tensor(r.images, r.imageShape, 'float32');
      const labels = tf.tensor(r.labels, r.labelShape, r.labelDtype);
      const batch = { images, labels };
      if (r.kind === 'metrics') {
        const { loss, correct } = await batchMetrics(
          m,
          batch,
          r.microBatchSize ? { microBatchSize: r.microBatchSize } : {},
        ).finally(() => tf.dispose([images, labels]));
        reply({ kind: 'metrics', id: r.id, loss, correct, numTensors: tf.memory().numTensors });
        return;
      }
      const { grads, loss, correct } = await batchGradients(m, batch, {
        scale: r.scale,
        ...(r.microBatchSize ? { microBatchSize: r.microBatchSize } : {}),
        ...(r.rateRegularization ? { rateRegularization: r.rateRegularization } : {}),
      }).finally(() => tf.dispose([images, labels]));
      const arrays = await Promise.all(vars.map((v) => grads[v.name]!.data() as Promise<Float32Array>));
      tf.dispose(Object.values(grads));
      reply(
        { kind: 'grads', id: r.id, grads: arrays, loss, correct, numTensors: tf.memory().numTensors },
        arrays.map((a) => a.buffer as ArrayBuffer),
      );
    } catch (e) {
      reply({ kind: 'error', id: r.id, message: (e as Error).message });
    }
  });
} catch (e) {
  reply({ kind: 'error', id: -1, message: (e as Error).message });
}
