import { defineProject } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared';

// End-to-end: the production build in Debian's headless Chromium, driven by playwright-core.
export default defineProject(
  sharedTestConfig('visualizer:e2e', {
    include: ['test/e2e/**/*.test.ts'],
    exclude: [],
    testTimeout: 180_000,
  }),
);
