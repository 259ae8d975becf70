import { type Param, type SurrogateMethod, threshold } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * The refractory update Norse applies after an inner step (`compute_refractory_update`):
 *
 * ```
 * mask   = H(rhoOld)                        // with the inner model's surrogate
 * vNew   = (1 - mask)*vInner + mask*vOld    // refractory neurons keep their potential
 * zNew   = (1 - mask)*zInner                // and cannot spike
 * rhoNew = (1 - zNew)*relu(rhoOld - mask) + zNew*rhoReset
 * ```
 * @returns `{ v, z, rho }`
 */
export function refractoryUpdate(
  rhoOld: tf.Tensor,
  vOld: tf.Tensor,
  zInner: tf.Tensor,
  vInner: tf.Tensor,
  rhoReset: Param,
  method: SurrogateMethod,
  alpha: Param,
): { v: tf.Tensor; z: tf.Tensor; rho: tf.Tensor } {
  const mask = threshold(rhoOld, method, alpha);
  const open = tf.sub(1, mask);
  const v = tf.add(tf.mul(open, vInner), tf.mul(mask, vOld));
  const z = tf.mul(open, zInner);
  const rho = tf.add(tf.mul(tf.sub(1, z), tf.relu(tf.sub(rhoOld, mask))), tf.mul(z, rhoReset));
  return { v, z, rho };
}
