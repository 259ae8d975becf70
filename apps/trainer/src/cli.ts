/**
 * The `snn-train` executable.
 * @packageDocumentation
 */
import { releaseNodeWebGPU } from '@snn/core';
import { main } from './main.js';

await main(process.argv.slice(2));
// Dawn (webgpu in Node) keeps the event loop alive while tfjs's webgpu backend holds its device.
releaseNodeWebGPU();
