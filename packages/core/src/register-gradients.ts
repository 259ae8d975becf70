/**
 * `@snn/core/register-gradients`: registers the gradient of every tfjs-core kernel, for apps.
 *
 * `@tensorflow/tfjs-core` ships its gradients without registering them; its public entry point
 * `@tensorflow/tfjs-core/dist/register_all_gradients` does, but plain Node ESM cannot import it
 * (its files use extensionless imports). Import this module once in your app or test setup, never
 * in a library: in bundlers (`default` condition) it is exactly that tfjs-core import, so your
 * bundle holds one copy of tfjs-core; under Node (`node` condition) the build inlines that entry
 * point's modules, whose registries are tfjs's global singletons, shared with your tfjs-core.
 * Registering again (e.g. after `@tensorflow/tfjs`) is harmless.
 *
 * @example
 * ```ts
 * import '@snn/core/register-gradients'; // once, in the app's entry file
 * ```
 *
 * @packageDocumentation
 */
// tfjs-core's main entry first: it defines the environment flags that registration reads.
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
