import { firstArgMax, tidy } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';

/** Class labels as an int32 tensor `[B]`, or plain numbers. */
export type Labels = tf.Tensor | ArrayLike<number>;

function labelTensor(labels: Labels, batch: number, classes: number): tf.Tensor {
  if (!(labels instanceof tf.Tensor)) {
    const bad = Array.from(labels).find((c) => !(Number.isInteger(c) && c >= 0 && c < classes));
    if (bad !== undefined)
      throw new RangeError(`labels must be class indices in [0, ${classes}), got ${bad}.`);
  }
  const t = labels instanceof tf.Tensor ? labels : tf.tensor1d(Array.from(labels), 'int32');
  if (t.rank !== 1 || t.shape[0] !== batch) {
    throw new Error(
      `labels must be [B] with B = ${batch} (one class index per sample), got [${t.shape.join(', ')}].`,
    );
  }
  return t.dtype === 'int32' ? t : tf.cast(t, 'int32');
}

/**
 * Negative log-likelihood of the labels under log-probabilities `[B, C]` (PyTorch's `nll_loss`,
 * mean over the batch): `-mean_b logProbs[b, label_b]`. Use with {@link decode}.
 */
export function nllLoss(logProbs: tf.Tensor, labels: Labels): tf.Scalar {
  if (logProbs.rank !== 2)
    throw new Error(`nllLoss: logProbs must be [B, C], got [${logProbs.shape.join(', ')}].`);
  const [batch, classes] = logProbs.shape as [number, number];
  return tidy(() => {
    const l = labelTensor(labels, batch, classes);
    const picked = tf.sum(tf.mul(logProbs, tf.cast(tf.oneHot(l, classes), logProbs.dtype)), 1);
    return tf.neg(tf.mean(picked)) as tf.Scalar;
  });
}

/** Cross-entropy of raw scores `[B, C]` with class labels: `nllLoss(logSoftmax(logits), labels)`. */
export function crossEntropyLoss(logits: tf.Tensor, labels: Labels): tf.Scalar {
  return tidy(() => nllLoss(tf.logSoftmax(logits), labels));
}

/**
 * The predicted class of each sample: arg-max over the last axis, `[B, C] → [B]` int32. Of tied
 * scores the **first** class wins (PyTorch's `argmax` tie rule, on every backend: `tf.argMax`
 * leaves ties to the backend).
 */
export function predictClasses(scores: tf.Tensor): tf.Tensor {
  if (scores.rank < 1) throw new Error('predictClasses: scores must have a class axis, got a scalar.');
  return firstArgMax(scores, -1);
}

/** The fraction of samples whose arg-max ({@link predictClasses}, first class on ties) equals the label. */
export async function accuracy(scores: tf.Tensor, labels: Labels): Promise<number> {
  const [batch, classes] = scores.shape as [number, number];
  const correct = tidy(() =>
    tf.sum(tf.cast(tf.equal(predictClasses(scores), labelTensor(labels, batch, classes)), 'float32')),
  );
  const n = (await correct.data())[0]!;
  correct.dispose();
  return n / batch;
}
