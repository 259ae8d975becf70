import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBackend } from '@snn/core';
import { DataLoader } from '@snn/datasets';
import { loadOfflineMnistSubset } from '@snn/datasets/node';
import { ConstantCurrentLIFEncoder } from '@snn/encoders';
import { fit, model, recurrentSNN } from '@snn/train';
import { saveModel } from '@snn/train/node';
import * as tf from '@tensorflow/tfjs-core';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from '../../../../vitest.shared';
import {
  app,
  chromiumPath,
  dist,
  openPage,
  panelDataset,
  runnable,
  shots,
  warnIfNotRunnable,
} from './harness.js';
import { serveStatic } from './server.js';

warnIfNotRunnable('the visualizer e2e tests');

let browser: Browser;
let server: Awaited<ReturnType<typeof serveStatic>>;
let modelDir: string;
let expected: { label: number; predicted: number };

/** Non-white pixels of every canvas inside the visualizer's shadow root, per panel title. */
async function inkByPanel(page: Page): Promise<Record<string, number[]>> {
  return page.evaluate(() => {
    const out: Record<string, number[]> = {};
    const host = document.querySelector('.snn-visualizer-host')!;
    for (const section of host.shadowRoot!.querySelectorAll('section.panel')) {
      const title = section.querySelector('h2')!.textContent!;
      out[title] = [...section.querySelectorAll('canvas')].map((c) => {
        const ctx = (c as HTMLCanvasElement).getContext('2d');
        if (!ctx || c.width === 0) return 0;
        const data = ctx.getImageData(0, 0, c.width, c.height).data;
        let ink = 0;
        for (let k = 0; k < data.length; k += 4)
          if (data[k + 3]! > 0 && data[k]! + data[k + 1]! + data[k + 2]! < 600) ink++;
        return ink;
      });
    }
    return out;
  });
}

const panelData = panelDataset;

const open = (path: string, viewport = { width: 1200, height: 1800 }): Promise<Page> =>
  openPage(browser, `${server.url}${path}`, viewport);

describe.runIf(runnable)('visualizer in headless Chromium (production build)', () => {
  beforeAll(async () => {
    // A model saved exactly as snn-train saves it, trained briefly on the offline digits.
    await useBackend('wasm');
    const ds = await loadOfflineMnistSubset();
    const m = model({ encoder: new ConstantCurrentLIFEncoder(32), network: recurrentSNN({ seed: 0 }) });
    await fit(m, new DataLoader(ds.train, { batchSize: 128, limit: 3072, seed: 0 }), {
      epochs: 1,
      learningRate: 4e-3,
    });
    modelDir = mkdtempSync(join(tmpdir(), 'snn-viz-model-'));
    await saveModel(m, modelDir);
    // The visualizer's load panel shows bundled digit 0 = the offline test split's first digit.
    const img = tf.div(
      tf.sub(tf.div(tf.tensor(ds.test.images.subarray(0, 784), [1, 1, 28, 28], 'float32'), 255), 0.1307),
      0.3081,
    );
    const predicted = (await tf.argMax(m.predict(img), -1).data())[0]!;
    expected = { label: ds.test.labels[0]!, predicted };
    m.dispose();
    const mnistDir = process.env.SNN_MNIST_DIR;
    server = await serveStatic({
      ...(mnistDir ? { '/mnist/': mnistDir } : {}),
      '/model/': modelDir,
      '/standalone/': join(dist, 'standalone'),
      '/host/': join(app, 'test', 'e2e', 'host'),
      '/': join(dist, 'app'),
    });
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
    mkdirSync(shots, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('every panel renders non-empty charts (canvas pixels), and screenshots are saved', async () => {
    const page = await open('/?backend=webgl');
    // Each panel marks its section when its figures are drawn (on a busy machine webgl takes seconds).
    await page.waitForFunction(
      () => {
        const host = document.querySelector('.snn-visualizer-host')?.shadowRoot;
        const section = (t: string) => host?.querySelector(`section[aria-label="${t}"]`);
        return (
          !!section('Neuron playground')?.getAttribute('data-spikes') &&
          !!section('Network activity')?.getAttribute('data-predicted') &&
          !!section('Input encoding')?.querySelector('canvas[data-spikes]')
        );
      },
      undefined,
      { timeout: 60_000 },
    );
    const ink = await inkByPanel(page);
    expect(Object.keys(ink)).toEqual([
      'Neuron playground',
      'Input encoding',
      'Network activity',
      'Train in the browser',
      'Load a trained model',
      'Open a NIR file',
    ]);
    for (const title of ['Neuron playground', 'Input encoding', 'Network activity']) {
      expect(ink[title]!.length, title).toBeGreaterThan(0);
      expect(
        ink[title]!.every((n) => n > 50),
        `${title}: ${ink[title]}`,
      ).toBe(true);
    }
    for (const section of await page.locator('section.panel').all()) {
      const title = (await section.locator('h2').textContent())!;
      await section.screenshot({ path: join(shots, `${title.toLowerCase().replace(/\W+/g, '-')}.png`) });
    }
    await page.close();
  });

  it('moving a slider changes the trace; drawing a digit changes the raster', async () => {
    const page = await open('/?backend=webgl&panels=neuron,encoding');
    await page.waitForFunction(
      () =>
        !!document
          .querySelector('.snn-visualizer-host')!
          .shadowRoot!.querySelector('section[aria-label="Neuron playground"]')
          ?.getAttribute('data-spikes'),
    );
    const spikesBefore = await panelData(page, 'Neuron playground', 'spikes');
    const slider = page.locator('section[aria-label="Neuron playground"] input[type=range]').first();
    await slider.fill('4');
    await page.waitForFunction(
      (b) =>
        document
          .querySelector('.snn-visualizer-host')!
          .shadowRoot!.querySelector('section[aria-label="Neuron playground"]')!
          .getAttribute('data-spikes') !== b,
      spikesBefore,
    );
    expect(Number(await panelData(page, 'Neuron playground', 'spikes'))).toBeGreaterThan(
      Number(spikesBefore),
    );

    const raster = page.locator('section[aria-label="Input encoding"] canvas.raster').first();
    const before = await raster.getAttribute('data-spikes');
    await page.locator('section[aria-label="Input encoding"] button', { hasText: 'clear' }).click();
    await page.waitForFunction(
      () =>
        document
          .querySelector('.snn-visualizer-host')!
          .shadowRoot!.querySelector('canvas.raster')!
          .getAttribute('data-spikes') === '0',
    );
    const box = (await page.locator('section[aria-label="Input encoding"] canvas.digit').boundingBox())!;
    await page.mouse.move(box.x + 40, box.y + 30);
    await page.mouse.down();
    for (let k = 0; k <= 20; k++) await page.mouse.move(box.x + 40 + k * 4, box.y + 30 + k * 5);
    await page.mouse.up();
    await page.waitForFunction(
      () =>
        Number(
          document
            .querySelector('.snn-visualizer-host')!
            .shadowRoot!.querySelector('canvas.raster')!
            .getAttribute('data-spikes'),
        ) > 0,
    );
    expect(await raster.getAttribute('data-spikes')).not.toBe(before);
    await page.close();
  });

  for (const backend of ['webgl', 'wasm']) {
    it(`training for a few batches on ${backend} lowers the loss`, async () => {
      const page = await open(`/?backend=${backend}&panels=train`);
      expect(await page.locator('.snn-visualizer-host').getAttribute('data-backend')).toBe(backend);
      await page.locator('section[aria-label="Train in the browser"] button', { hasText: 'start' }).click();
      await page.waitForFunction(
        () =>
          Number(
            document
              .querySelector('.snn-visualizer-host')!
              .shadowRoot!.querySelector('section.panel')!
              .getAttribute('data-batches'),
          ) >= 12,
        undefined,
        { timeout: 150_000, polling: 500 },
      );
      await page.locator('section[aria-label="Train in the browser"] button', { hasText: 'stop' }).click();
      const start = Number(await panelData(page, 'Train in the browser', 'lossStart'));
      const recent = Number(await panelData(page, 'Train in the browser', 'lossRecent'));
      expect(recent).toBeLessThan(start);
      await page
        .locator('section.panel')
        .first()
        .screenshot({ path: join(shots, `train-${backend}.png`) });
      await page.close();
    }, 180_000);
  }

  it('pause holds training between batches (fit awaits onBatchBegin); resume continues; stop ends it', async () => {
    const page = await open('/?backend=wasm&panels=train');
    const panel = 'section[aria-label="Train in the browser"]';
    const batches = async () => Number((await panelData(page, 'Train in the browser', 'batches')) ?? 0);
    const phase = () => panelData(page, 'Train in the browser', 'phase');
    const waitBatches = (n: number) =>
      page.waitForFunction(
        (m) =>
          Number(
            document
              .querySelector('.snn-visualizer-host')!
              .shadowRoot!.querySelector('section.panel')!
              .getAttribute('data-batches'),
          ) >= m,
        n,
        { timeout: 60_000, polling: 100 },
      );
    await page.locator(`${panel} button`, { hasText: 'start' }).click();
    await waitBatches(2);
    await page.locator(`${panel} button`, { hasText: 'pause' }).click();
    expect(await phase()).toBe('paused');
    // The batch in flight may finish; then nothing more runs while paused.
    await new Promise((r) => setTimeout(r, 1000));
    const held = await batches();
    await new Promise((r) => setTimeout(r, 1500));
    expect(await batches()).toBe(held);
    await page.locator(`${panel} button`, { hasText: 'resume' }).click();
    await waitBatches(held + 2);
    await page.locator(`${panel} button`, { hasText: 'stop' }).click();
    await page.waitForFunction(
      () =>
        document
          .querySelector('.snn-visualizer-host')!
          .shadowRoot!.querySelector('section.panel')!
          .getAttribute('data-phase') === 'idle',
      undefined,
      { timeout: 30_000, polling: 100 },
    );
    const stopped = await batches();
    await new Promise((r) => setTimeout(r, 1000));
    expect(await batches()).toBe(stopped);
    await page.close();
  }, 120_000);

  it('loading a model saved by @snn/train classifies a known digit as in Node', async () => {
    const page = await open('/?backend=webgl&panels=load,activity&model=/model/model.json');
    await page.waitForFunction(
      () =>
        !!document
          .querySelector('.snn-visualizer-host')!
          .shadowRoot!.querySelector('section[aria-label="Load a trained model"]')
          ?.getAttribute('data-predicted'),
      undefined,
      { timeout: 60_000 },
    );
    const predicted = Number(await panelData(page, 'Load a trained model', 'predicted'));
    expect(predicted).toBe(expected.predicted);
    expect(predicted, `the briefly trained model should get digit 0 (label ${expected.label}) right`).toBe(
      expected.label,
    );
    await page
      .locator('section.panel')
      .first()
      .screenshot({ path: join(shots, 'load-model.png') });
    await page.close();
  });

  it.runIf(!!process.env.SNN_MNIST_DIR)(
    'mnistUrl loads the full MNIST test set through @snn/datasets (checksums verified)',
    async () => {
      const page = await open('/?backend=cpu&panels=encoding&mnist=/mnist/');
      await page.waitForFunction(
        () => document.querySelector('.snn-visualizer-host')?.getAttribute('data-digits') === '10000',
        undefined,
        { timeout: 60_000 },
      );
      expect(await page.locator('.notice').last().textContent()).toMatch(
        /MNIST handwritten digits: 60000 train \/ 10000 test/,
      );
      expect(
        await page
          .locator('section[aria-label="Input encoding"] input[type=range]')
          .first()
          .getAttribute('max'),
      ).toBe('9999');
      await page.close();
    },
  );

  it('a bad model file is reported in the page', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'snn-bad-'));
    writeFileSync(join(bad, 'model.json'), '{"weightsManifest": []}');
    const page = await open('/?backend=cpu&panels=load&model=/model/missing.json');
    await page.waitForFunction(
      () => !!document.querySelector('.snn-visualizer-host')!.shadowRoot!.querySelector('.error'),
      undefined,
      { timeout: 30_000 },
    );
    expect(await page.locator('.error').first().textContent()).toMatch(/load model: .*HTTP 404/);
    await page.close();
  });

  it('embeds in a host page next to other content without touching its styles', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 1600 } });
    await page.goto(`${server.url}/host/index.html`);
    await page.waitForFunction(
      () => document.querySelector('.snn-visualizer-host')?.getAttribute('data-ready') === 'true',
      undefined,
      { timeout: 60_000 },
    );
    await page.waitForTimeout(1500);
    expect(await page.locator('#before').textContent()).toBe('Host content before');
    expect(await page.locator('#after').textContent()).toBe('Host content after');
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('#before')!).color)).toBe(
      'rgb(255, 0, 0)',
    );
    const ink = await inkByPanel(page);
    expect(ink['Neuron playground']!.some((n) => n > 50)).toBe(true);
    await page.screenshot({ path: join(shots, 'embedded-phone.png'), fullPage: false });
    await page.close();
  });
});
