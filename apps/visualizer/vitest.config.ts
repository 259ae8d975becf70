import { defineProject } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared';
import { digitsPlugin } from './digits-plugin';

const base = sharedTestConfig('visualizer', {
  environment: 'happy-dom',
  exclude: ['test/e2e/**', '**/node_modules/**'],
});
export default defineProject({ ...base, plugins: [digitsPlugin()] });
