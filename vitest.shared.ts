import { defaultClientConditions, defaultServerConditions } from 'vite';
import type { UserWorkspaceConfig } from 'vitest/config';

/** The export condition that points our packages at their TypeScript sources. */
export const SOURCE_CONDITION = '@snn/source';

/**
 * One test configuration for every package: tests read `src/` of sibling packages through the
 * source condition, so `vitest` never needs a build and never sees a stale `dist/`.
 */
export function sharedTestConfig(
  name: string,
  overrides: UserWorkspaceConfig['test'] = {},
): UserWorkspaceConfig {
  return {
    resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
    ssr: { resolve: { conditions: [SOURCE_CONDITION, ...defaultServerConditions] } },
    test: {
      name,
      include: ['test/**/*.test.ts'],
      environment: 'node',
      testTimeout: 60_000,
      hookTimeout: 60_000,
      // tfjs keeps one global engine per process; files must not share one.
      pool: 'forks',
      ...overrides,
    },
  };
}
