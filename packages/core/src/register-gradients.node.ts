/**
 * The Node build of `@snn/core/register-gradients` (its `node` export condition): the same
 * tfjs-core entry point, `@tensorflow/tfjs-core/dist/register_all_gradients`, inlined by our build
 * because plain Node ESM cannot import its extensionless files. The registries it writes to are
 * tfjs's global singletons, shared with the `@tensorflow/tfjs-core` your app imports.
 *
 * @packageDocumentation
 */
// tfjs-core's main entry first: it defines the environment flags that registration reads.
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
