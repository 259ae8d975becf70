// What a browser app that uses @snn/core on the cpu backend bundles: @snn/core, tfjs-core (once)
// and the cpu backend. Measured by size-limit (.size-limit.json at the repository root).
import '@tensorflow/tfjs-backend-cpu';

export * from '@snn/core';
