import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBackend } from '@snn/core';
import { DataLoader } from '@snn/datasets';
import { loadOfflineMnistSubset } from '@snn/datasets/node';
import { ConstantCurrentLIFEncoder } from '@snn/encoders';
import { toNIR, writeNIR } from '@snn/nir';
import { fit, model, recurrentSNN } from '@snn/train';
import * as tf from '@tensorflow/tfjs-core';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from '../../../../vitest.shared';
import { chromiumPath, dist, openPage, panelDataset, runnable, shots, warnIfNotRunnable } from './harness.js';
import { serveStatic } from './server.js';

warnIfNotRunnable('the NIR panel e2e test');

const PANEL = 'section[aria-label="Open a NIR file"]';
let browser: Browser;
let server: Awaited<ReturnType<typeof serveStatic>>;
let nirDir: string;
let expected: number;

const panelData = (page: Page, key: string) => panelDataset(page, 'Open a NIR file', key);
const open = (path: string): Promise<Page> =>
  openPage(browser, `${server.url}${path}`, { width: 1100, height: 2200 });

describe.runIf(runnable)('the NIR panel in headless Chromium (production build)', () => {
  beforeAll(async () => {
    // A tutorial model trained briefly on the offline digits, exported as snn-train export-nir does.
    await useBackend('wasm');
    const ds = await loadOfflineMnistSubset();
    const m = model({ encoder: new ConstantCurrentLIFEncoder(32), network: recurrentSNN({ seed: 0 }) });
    await fit(m, new DataLoader(ds.train, { batchSize: 128, limit: 2048, seed: 0 }), {
      epochs: 1,
      learningRate: 4e-3,
    });
    nirDir = mkdtempSync(join(tmpdir(), 'snn-viz-nir-'));
    writeFileSync(join(nirDir, 'trained.nir'), await writeNIR(await toNIR(m)));
    // The panel's first digit: bundled digit 0, the offline test split's first.
    const img = tf.div(
      tf.sub(tf.div(tf.tensor(ds.test.images.subarray(0, 784), [1, 1, 28, 28], 'float32'), 255), 0.1307),
      0.3081,
    );
    expected = (await tf.argMax(m.predict(img), -1).data())[0]!;
    m.dispose();
    server = await serveStatic({ '/nir/': nirDir, '/': join(dist, 'app') });
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
    mkdirSync(shots, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('a chosen .nir file: the graph as layers, lint warnings, the model run on a digit with rasters and readout; screenshot saved', async () => {
    const page = await open('/?backend=wasm&panels=nir');
    await page.locator(`${PANEL} input[type=file]`).setInputFiles(join(nirDir, 'trained.nir'));
    await page.waitForFunction(
      () => {
        const s = document
          .querySelector('.snn-visualizer-host')!
          .shadowRoot!.querySelector('section[aria-label="Open a NIR file"]') as HTMLElement;
        return s.dataset.predicted !== undefined;
      },
      undefined,
      { timeout: 120_000 },
    );
    expect(await panelData(page, 'nodes')).toBe('8');
    const boxes = page.locator(`${PANEL} svg.nir-graph g.node`);
    expect(await boxes.count()).toBe(8);
    expect(await boxes.nth(3).getAttribute('data-type')).toBe('CubaLIF');
    expect(await page.locator(`${PANEL} svg.nir-graph path.back`).count()).toBe(1);
    expect(await page.locator(`${PANEL} svg.nir-graph`).textContent()).toMatch(
      /lif0 · CubaLIF\[100\]runs as LIFCell · spikes/,
    );
    expect(await page.locator(`${PANEL} .lint`).textContent()).toMatch(
      /Norse's from_nir has no mapping for CubaLI/,
    );
    expect(await page.locator(`${PANEL} .status`).first().textContent()).toMatch(
      /trained\.nir: 8 nodes \(recurrent\), convention nir, dt 0\.001 s/,
    );
    expect(Number(await panelData(page, 'predicted'))).toBe(expected);
    expect(Number(await panelData(page, 'spikes'))).toBeGreaterThan(0);
    const rasterInk = await page.evaluate(() => {
      const s = document
        .querySelector('.snn-visualizer-host')!
        .shadowRoot!.querySelector('section[aria-label="Open a NIR file"]')!;
      return [...s.querySelectorAll('canvas.raster')].map((c) =>
        Number((c as HTMLCanvasElement).dataset.spikes),
      );
    });
    expect(rasterInk).toHaveLength(2); // the encoder's LIF and the recurrent LIF
    expect(rasterInk.every((n) => n > 0)).toBe(true);
    await page.waitForTimeout(500);
    await page.locator(PANEL).screenshot({ path: join(shots, 'nir.png') });
    await page.close();
  });

  it('a dropped .nir file opens the same way', async () => {
    const page = await open('/?backend=wasm&panels=nir');
    await page.evaluate(async () => {
      const bytes = await (await fetch('/nir/trained.nir')).arrayBuffer();
      const data = new DataTransfer();
      data.items.add(new File([bytes], 'dropped.nir'));
      const s = document
        .querySelector('.snn-visualizer-host')!
        .shadowRoot!.querySelector('section[aria-label="Open a NIR file"]')!;
      s.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
      s.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    });
    await page.waitForFunction(
      () => {
        const s = document
          .querySelector('.snn-visualizer-host')!
          .shadowRoot!.querySelector('section[aria-label="Open a NIR file"]') as HTMLElement;
        return s.dataset.predicted !== undefined;
      },
      undefined,
      { timeout: 120_000 },
    );
    expect(await page.locator(`${PANEL} .status`).first().textContent()).toMatch(/^dropped\.nir: 8 nodes/);
    expect(Number(await panelData(page, 'predicted'))).toBe(expected);
    await page.close();
  });
});
