// The visualizer as an explainer (issue 21), in headless Chromium on the production build: the
// neuron playground's physics and speed, readable rasters, shared input, errors, accessibility.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from '../../../../vitest.shared';
import { serveStatic } from './server.js';

const app = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(app, 'dist');
const shots = join(app, 'test-results', 'screenshots');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const runnable = existsSync(join(dist, 'app', 'index.html')) && existsSync(chromiumPath);

let browser: Browser;
let server: Awaited<ReturnType<typeof serveStatic>>;

async function open(path: string, width = 1400): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 1600 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${server.url}${path}`);
  await page.waitForFunction(
    () => document.querySelector('.snn-visualizer-host')?.getAttribute('data-ready') === 'true',
    undefined,
    { timeout: 60_000 },
  );
  return page;
}

/** A data attribute of the panel titled `title`. */
const data = (page: Page, title: string, key: string) =>
  page.evaluate(
    ([t, k]) => {
      const root = document.querySelector('.snn-visualizer-host')!.shadowRoot!;
      const s = root.querySelector(`section[aria-label="${t}"]`) as HTMLElement | null;
      return s?.dataset[k!];
    },
    [title, key],
  );

/** Sets a range slider (found by its label) and returns how long the page took to handle it (ms). */
const setSlider = (page: Page, panel: string, label: string, value: number) =>
  page.evaluate(
    ([p, l, v]) => {
      const root = document.querySelector('.snn-visualizer-host')!.shadowRoot!;
      const section = root.querySelector(`section[aria-label="${p}"]`)!;
      const lab = [...section.querySelectorAll('label')].find((x) => x.textContent === l);
      if (!lab) throw new Error(`no slider labelled ${l}`);
      const input = root.getElementById(lab.htmlFor) as HTMLInputElement;
      const t0 = performance.now();
      input.value = String(v);
      input.dispatchEvent(new Event('input'));
      return new Promise<number>((r) => requestAnimationFrame(() => r(performance.now() - t0)));
    },
    [panel, label, value] as const,
  );

const selectOption = (page: Page, panel: string, label: string, text: string) =>
  page
    .locator(`section[aria-label="${panel}"]`)
    .getByLabel(label, { exact: true })
    .selectOption({ label: text });

describe.runIf(runnable)('the visualizer explains (headless Chromium, production build)', () => {
  beforeAll(async () => {
    server = await serveStatic({ '/': join(dist, 'app') });
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
    mkdirSync(shots, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('neuron playground: LIF fires at 50–100 Hz by default, the same within 10% at dt 0.5/1/2 ms, spikes reach the threshold, redraw < 100 ms on the default backend', async () => {
    const page = await open('/?panels=neuron');
    const backend = await page.locator('.snn-visualizer-host').getAttribute('data-backend');
    const P = 'Neuron playground';
    const rate = Number(await data(page, P, 'rate'));
    expect(rate).toBeGreaterThanOrEqual(50);
    expect(rate).toBeLessThanOrEqual(100);
    // v is drawn before the reset: the spikes sit at or above the threshold they crossed.
    expect(Number(await data(page, P, 'spikePeak'))).toBeGreaterThanOrEqual(
      Number(await data(page, P, 'spikeThreshold')),
    );
    const rates: number[] = [];
    const redraws: number[] = [];
    for (const dt of [0.5, 1, 2]) {
      redraws.push(await setSlider(page, P, 'time step dt (ms)', dt));
      rates.push(Number(await data(page, P, 'rate')));
    }
    for (const r of rates)
      expect(Math.abs(r - rates[1]!) / rates[1]!, `rates ${rates}`).toBeLessThanOrEqual(0.1);
    for (const amplitude of [1.6, 2.2, 3])
      redraws.push(await setSlider(page, P, 'input current I (units of v)', amplitude));
    console.log(
      `playground on ${backend}: default LIF ${rate.toFixed(1)} Hz; dt 0.5/1/2 ms → ${rates.map((r) => r.toFixed(1)).join('/')} Hz; redraw ${redraws.map((r) => r.toFixed(1)).join(', ')} ms`,
    );
    expect(Math.max(...redraws)).toBeLessThan(100);
    await page.close();
  });

  it('neuron playground: LSNN draws its adaptive threshold, Izhikevich presets get their own protocol, the surrogate follows method and alpha', async () => {
    const page = await open('/?panels=neuron');
    const P = 'Neuron playground';
    await selectOption(page, P, 'neuron model', 'LSNN (adaptive threshold)');
    expect(Number(await data(page, P, 'spikeThreshold'))).toBeCloseTo(1, 5);
    expect(Number(await data(page, P, 'spikePeak'))).toBeGreaterThan(1);
    await expect
      .poll(() => page.locator(`section[aria-label="${P}"] .u-legend`).first().textContent())
      .toMatch(/adaptive threshold b/);
    await selectOption(page, P, 'neuron model', 'Izhikevich: subthreshold oscillation');
    expect(await data(page, P, 'spikes')).toBe('1');
    expect(await page.locator(`section[aria-label="${P}"] .note`).first().textContent()).toMatch(
      /5 ms pulse of 2/,
    );
    expect(await page.locator(`section[aria-label="${P}"] .equation`).textContent()).toMatch(/0\.04·v²/);
    await selectOption(page, P, 'neuron model', 'Izhikevich: tonic spiking');
    expect(Number(await data(page, P, 'spikes'))).toBeGreaterThanOrEqual(4);
    const superPeak = Number(await data(page, P, 'surrogatePeak'));
    expect(superPeak).toBeCloseTo(1, 2);
    await selectOption(page, P, 'surrogate method', 'triangle');
    expect(Number(await data(page, P, 'surrogatePeak'))).toBeCloseTo(0.3, 2);
    await setSlider(page, P, 'sharpness α', 0.8);
    expect(Number(await data(page, P, 'surrogatePeak'))).toBeCloseTo(0.8, 2);
    await page.locator(`section[aria-label="${P}"]`).screenshot({ path: join(shots, 'neuron-1400.png') });
    await page.close();
  });
});
