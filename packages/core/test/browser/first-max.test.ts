import { useBackend } from '@snn/core';
import { BROWSER_BACKENDS, BROWSER_LOADERS } from '@snn/test-utils/browser';
import { beforeAll, describe, expect } from 'vitest';
import { firstMaxCases } from '../first-max.cases.js';

for (const backend of BROWSER_BACKENDS) {
  describe(`[${backend}] PyTorch's first-index tie rule in Chromium`, () => {
    beforeAll(async () => {
      const choice = await useBackend(backend, { loaders: BROWSER_LOADERS });
      expect(choice.name).toBe(backend);
    });
    firstMaxCases();
  });
}
