// What every e2e test of the visualizer shares: where the production build and Chromium are, and
// how a page is opened and read.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';

export const app = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const dist = join(app, 'dist');
export const shots = join(app, 'test-results', 'screenshots');
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Whether the production build and Chromium are here; else the suites skip, saying why. */
export const runnable = existsSync(join(dist, 'app', 'index.html')) && existsSync(chromiumPath);

/** Warns (once per suite) why a suite is skipped. */
export function warnIfNotRunnable(suite: string): void {
  if (!runnable)
    console.warn(
      `skipping ${suite}: needs the production build (pnpm -F visualizer build) and Chromium at ${chromiumPath}`,
    );
}

/** Opens `url` and waits until the visualizer has mounted its panels; page errors go to stderr. */
export async function openPage(
  browser: Browser,
  url: string,
  viewport: { width: number; height: number },
): Promise<Page> {
  const page = await browser.newPage({ viewport });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') console.error('page console:', m.text());
  });
  await page.goto(url);
  await page.waitForFunction(
    () => document.querySelector('.snn-visualizer-host')?.getAttribute('data-ready') === 'true',
    undefined,
    { timeout: 60_000 },
  );
  return page;
}

/** A data attribute (`dataset[key]`) of the panel whose section is labelled `title`. */
export const panelDataset = (page: Page, title: string, key: string): Promise<string | undefined> =>
  page.evaluate(
    ([t, k]) => {
      const root = document.querySelector('.snn-visualizer-host')!.shadowRoot!;
      const s = root.querySelector(`section[aria-label="${t}"]`) as HTMLElement | null;
      return s?.dataset[k!];
    },
    [title, key] as const,
  );
