import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defaultServerConditions } from 'vite';
import type { UserWorkspaceConfig } from 'vitest/config';

/** Registers tfjs-core's gradients before every test file, as an app would (libraries never do). */
export const SETUP_FILE = fileURLToPath(new URL('./vitest.setup.ts', import.meta.url));

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
      exclude: ['test/browser/**', '**/node_modules/**'],
      environment: 'node',
      setupFiles: [SETUP_FILE],
      testTimeout: 60_000,
      hookTimeout: 60_000,
      // tfjs keeps one global engine per process; files must not share one.
      pool: 'forks',
      ...overrides,
    },
  };
}

/** Chromium flags that keep headless Chromium quiet on a closed network, with WebGPU enabled. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-webgpu',
];

/**
 * Browser tests: the same vitest, inside Debian's headless Chromium through Playwright
 * (`CHROMIUM_PATH`, default /usr/bin/chromium). Test files are `test/browser/*.test.ts`.
 */
export async function sharedBrowserConfig(name: string): Promise<UserWorkspaceConfig> {
  const { playwright } = await import('@vitest/browser-playwright');
  const node = sharedTestConfig(`${name}:browser`);
  const { environment: _e, pool: _p, exclude: _x, ...test } = node.test ?? {};
  const base: UserWorkspaceConfig = {
    ...node,
    test: {
      ...test,
      include: ['test/browser/**/*.test.ts'],
      browser: {
        enabled: true,
        headless: true,
        screenshotFailures: false,
        provider: playwright({
          launchOptions: {
            executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
            args: CHROMIUM_ARGS,
          },
        }),
        instances: [{ browser: 'chromium' }],
      },
    },
  };
  return {
    ...base,
    // Norse's golden traces live beside the checkout (../shared/golden): let the dev server read them.
    server: { fs: { allow: ['../..', '../../../shared'] } },
  };
}
