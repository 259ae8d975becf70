// A gradient worker thread of `DataParallel` (parallel.ts): holds its own copy of the model on its
// own backend, and for each request sets the weights it is sent and returns the gradients of its
// share of the batch.
import { parentPort, workerData } from 'node:worker_threads';
import type { BackendName } from '@snn/core';
import { batchGradients, batchMetrics } from '@snn/train';
import * as tf from '@tensorflow/tfjs-core';
import { startBackend } from './backend.js';
import { makeModel } from './build.js';
import type { TrainOptions } from './options.js';
import type { StepReply, StepRequest, WorkerReady } from './parallel.js';

const { options, classes, backend } = workerData as {
  options: TrainOptions;
  classes: number;
  backend: BackendName;
};
const port = parentPort!;

try {
  await startBackend(backend);
  const m = makeModel(options, classes);
  const vars = m.trainableVariables as tf.Variable[];
  port.postMessage({ kind: 'ready', shapes: vars.map((v) => v.shape) } satisfies WorkerReady);
  port.on('message', async (r: StepRequest) => {
    try {
      r.weights.forEach((w, k) => {
        const v = vars[k]!;
        tf.tidy(() => v.assign(tf.tensor(w, v.shape)));
      });
      const images = tf.tensor(r.images, r.imageShape, 'float32');
      const labels = tf.tensor(r.labels, r.labelShape, r.labelDtype);
      const batch = { images, labels };
      if (r.kind === 'metrics') {
        const { loss, correct } = await batchMetrics(m, batch).finally(() => tf.dispose([images, labels]));
        port.postMessage({
          kind: 'metrics',
          id: r.id,
          loss,
          correct,
          numTensors: tf.memory().numTensors,
        } satisfies StepReply);
        return;
      }
      const { grads, loss, correct } = await batchGradients(m, batch, {
        scale: r.scale,
        ...(r.microBatchSize ? { microBatchSize: r.microBatchSize } : {}),
        ...(r.rateRegularization ? { rateRegularization: r.rateRegularization } : {}),
      }).finally(() => tf.dispose([images, labels]));
      const arrays = await Promise.all(vars.map((v) => grads[v.name]!.data() as Promise<Float32Array>));
      tf.dispose(Object.values(grads));
      port.postMessage(
        {
          kind: 'grads',
          id: r.id,
          grads: arrays,
          loss,
          correct,
          numTensors: tf.memory().numTensors,
        } satisfies StepReply,
        [...arrays.map((a) => a.buffer as ArrayBuffer)],
      );
    } catch (e) {
      port.postMessage({ kind: 'error', id: r.id, message: (e as Error).message } satisfies StepReply);
    }
  });
} catch (e) {
  port.postMessage({ kind: 'error', id: -1, message: (e as Error).message } satisfies StepReply);
}
