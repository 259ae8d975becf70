// Test setup of every package (vitest.shared.ts): tests stand where apps stand, so they register
// tfjs-core's gradients through its public entry point, once per test file. Libraries never do.
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
