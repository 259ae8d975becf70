/**
 * Registers the gradient of every tfjs-core kernel, once per process, for every consumer.
 *
 * `@tensorflow/tfjs-core` ships its gradients but does not register them: only the union package
 * `@tensorflow/tfjs` does, and the subpath below cannot be imported by plain Node ESM (its files use
 * extensionless imports). Our build inlines this subpath, so `import '@snn/core'` is enough for
 * `tf.grad` to work in Node, vitest and Vite alike. The gradient registry is a global singleton, so
 * registering the same configs again (e.g. when the union package is also loaded) is harmless.
 *
 * @packageDocumentation
 */
// The main entry first: it registers tfjs's environment flags (DEBUG, ...) that gradient
// registration reads, wherever a bundler or the browser evaluates this module first.
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
