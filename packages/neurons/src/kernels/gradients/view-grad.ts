import * as tf from '@tensorflow/tfjs-core';
import { attrsOf, KERNELS } from '../names.js';

/** The gradient of `view`: `dy` under the input's shape (nothing of the input kept). */
export const viewGradConfig: tf.GradConfig = {
  kernelName: KERNELS.view,
  gradFunc: (dy, _saved, attrs) => ({
    x: () => tf.reshape(dy as tf.Tensor, [...attrsOf(KERNELS.view, attrs).inShape]),
  }),
};
