// The visualizer as an explainer (issue 21), in headless Chromium on the production build: the
// neuron playground's physics and speed, readable rasters, shared input, errors, accessibility.
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBackend } from '@snn/core';
import { ConstantCurrentLIFEncoder } from '@snn/encoders';
import { model, recurrentSNN } from '@snn/train';
import { saveModel } from '@snn/train/node';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from '../../../../vitest.shared';
import { chromiumPath, dist, openPage, panelDataset, runnable, shots } from './harness.js';
import { serveStatic } from './server.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let browser: Browser;
let server: Awaited<ReturnType<typeof serveStatic>>;

const open = (path: string, width = 1400): Promise<Page> =>
  openPage(browser, `${server.url}${path}`, { width, height: 1600 });

const data = panelDataset;

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
    // An untrained model saved as snn-train saves it: a model URL that loads.
    await useBackend('wasm');
    const modelDir = mkdtempSync(join(tmpdir(), 'snn-viz-untrained-'));
    const m = model({ encoder: new ConstantCurrentLIFEncoder(32), network: recurrentSNN({ seed: 0 }) });
    await saveModel(m, modelDir);
    m.dispose();
    server = await serveStatic({ '/model/': modelDir, '/': join(dist, 'app') });
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

  it('rasters have axes in ms and index, a hover readout, an active-rows switch; the 28×28 frame follows the one shared play/scrub control', async () => {
    const page = await open('/?panels=encoding,activity');
    const E = 'section[aria-label="Input encoding"]';
    const raster = page.locator(`${E} canvas.raster`).first();
    expect(Number(await raster.getAttribute('data-spikes'))).toBeGreaterThan(0);
    expect(await raster.getAttribute('aria-label')).toMatch(
      /constant current encoder: \d+ spikes from \d+ of 784 pixels over 32 steps \(32 ms\)/,
    );
    // Axes: tick labels and axis titles are drawn as text on the canvas (dark pixels in the margins).
    const margins = await raster.evaluate((c: HTMLCanvasElement) => {
      const ctx = c.getContext('2d')!;
      const r = devicePixelRatio;
      const ink = (x: number, y: number, w: number, h: number) => {
        const d = ctx.getImageData(x * r, y * r, w * r, h * r).data;
        let n = 0;
        for (let k = 0; k < d.length; k += 4) if (d[k]! < 100) n++;
        return n;
      };
      const cssH = c.height / r;
      return { left: ink(0, 8, 46, cssH - 50), bottom: ink(48, cssH - 33, c.width / r - 60, 32) };
    });
    expect(margins.left, 'y-axis ticks and label').toBeGreaterThan(50);
    expect(margins.bottom, 'time axis ticks and "time (ms)"').toBeGreaterThan(50);
    const box = (await raster.boundingBox())!;
    await page.mouse.move(box.x + 48 + (box.width - 56) * 0.4, box.y + 20);
    await expect
      .poll(() => page.locator(`${E} .readout`).first().textContent())
      .toMatch(/^t = [\d.]+ ms, pixel \d+ \(row \d+, column \d+\): (spike|no spike)$/);
    // Active rows only (default for pixels) versus all 784 rows.
    const heightActive = box.height;
    const checkbox = page.locator(`${E} input[type=checkbox]`).first();
    expect(await checkbox.isChecked()).toBe(true);
    await checkbox.uncheck();
    const heightAll = (await raster.boundingBox())!.height;
    expect(heightAll).toBeGreaterThanOrEqual(heightActive);
    // One shared time control: the frame and every raster follow it.
    const step = page.getByLabel('time step', { exact: true });
    await step.fill('20');
    const frame = page.locator(`${E} canvas.frame`);
    expect(await frame.getAttribute('data-step')).toBe('20');
    expect(Number(await frame.getAttribute('data-spikes'))).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'play' }).click();
    await page.waitForFunction(() => {
      const f = document
        .querySelector('.snn-visualizer-host')!
        .shadowRoot!.querySelector('canvas.frame') as HTMLElement;
      return f.dataset.step !== '20';
    });
    await page.getByRole('button', { name: 'pause' }).click();
    await page.close();
    // On a phone the raster stays tall enough to read.
    const phone = await open('/?panels=encoding', 390);
    const phoneBox = (await phone.locator(`${E} canvas.raster`).first().boundingBox())!;
    expect(phoneBox.height).toBeGreaterThanOrEqual(180);
    expect(phoneBox.width).toBeLessThanOrEqual(390);
    await phone.locator(E).screenshot({ path: join(shots, 'encoding-390.png') });
    await phone.close();
  });

  it('classification: probability bars with the winner highlighted and labelled, named hidden neurons, one shared input set from a keyboard digit picker, a busy state and stale inputs dropped; the efficiency figures equal the recorded spike counts', async () => {
    const page = await open('/?panels=encoding,activity');
    const A = 'section[aria-label="Network activity"]';
    const E = 'section[aria-label="Input encoding"]';
    await page.waitForFunction(
      () =>
        !!document
          .querySelector('.snn-visualizer-host')!
          .shadowRoot!.querySelector('section[aria-label="Network activity"]')!
          .getAttribute('data-predicted'),
    );
    const bars = page.locator(`${A} .probs li`);
    expect(await bars.count()).toBe(10);
    const winner = page.locator(`${A} .probs li.winner`);
    expect(await winner.count()).toBe(1);
    expect(await winner.textContent()).toMatch(/predicted/);
    const percents = (await page.locator(`${A} .probs .value`).allTextContents()).map((t) =>
      Number.parseFloat(t),
    );
    expect(percents.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 0);
    const predicted = Number(await data(page, 'Network activity', 'predicted'));
    expect((await winner.locator('.digit-name').textContent())!.trim()).toBe(String(predicted));
    expect(Math.max(...percents)).toBe(percents[predicted]);
    const shown = (await data(page, 'Network activity', 'shownNeurons'))!.split(',');
    expect(shown).toHaveLength(10);
    await expect.poll(() => page.locator(`${A} .u-title`).nth(1).textContent()).toContain(`#${shown[0]}`);
    // The keyboard picker: focus, arrow right → digit 1 in both panels, with its label shown.
    const picker = page.locator(`${E} .picker input[type=range]`);
    await picker.focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.locator(`${E} .picker output`).textContent()).toMatch(/^#1 of \d+: a \d$/);
    await expect.poll(() => page.locator(`${A} .picker output`).textContent()).toMatch(/^#1 of \d+: a \d$/);
    await page.waitForTimeout(500);
    // Stale work is dropped: eight digits chosen at once draw the last one, not eight in turn.
    const rendersBefore = Number(await data(page, 'Network activity', 'renders'));
    const busyAtOnce = await page.evaluate(() => {
      const root = document.querySelector('.snn-visualizer-host')!.shadowRoot!;
      const input = root.querySelector(
        'section[aria-label="Network activity"] .picker input',
      ) as HTMLInputElement;
      for (let k = 2; k <= 9; k++) {
        input.value = String(k);
        input.dispatchEvent(new Event('input'));
      }
      return root.querySelector('section[aria-label="Network activity"]')!.getAttribute('aria-busy');
    });
    expect(busyAtOnce).toBe('true');
    await expect.poll(() => data(page, 'Network activity', 'digit'), { timeout: 20_000 }).toBe('9');
    await expect.poll(() => page.locator(`${A}`).getAttribute('aria-busy')).toBe('false');
    const renders = Number(await data(page, 'Network activity', 'renders')) - rendersBefore;
    expect(renders).toBeGreaterThanOrEqual(1);
    expect(renders).toBeLessThanOrEqual(2);
    await page.locator(`${E} .picker button[aria-label="previous digit"]`).click();
    for (let k = 0; k < 7; k++)
      await page.locator(`${E} .picker button[aria-label="previous digit"]`).click();
    await expect.poll(() => data(page, 'Network activity', 'digit'), { timeout: 20_000 }).toBe('1');
    await expect.poll(() => page.locator(`${A}`).getAttribute('aria-busy')).toBe('false');
    // Efficiency: the meter's events are the spikes the rasters show, synaptic ops = events × fan-out.
    const meter = page.locator(`${A} .meter-box`);
    const hiddenRaster = Number(await page.locator(`${A} canvas.raster`).getAttribute('data-spikes'));
    const inputRaster = Number(await page.locator(`${E} canvas.raster`).first().getAttribute('data-spikes'));
    expect(Number(await meter.getAttribute('data-hidden-events'))).toBe(hiddenRaster);
    expect(Number(await meter.getAttribute('data-input-events'))).toBe(inputRaster);
    expect(Number(await meter.getAttribute('data-input-syn-ops'))).toBe(inputRaster * 100);
    expect(Number(await meter.getAttribute('data-hidden-syn-ops'))).toBe(hiddenRaster * 110);
    expect(Number(await meter.getAttribute('data-hidden-dense-macs'))).toBe(32 * 100 * 110);
    console.log(
      `efficiency on digit 1: input ${inputRaster} spikes → ${inputRaster * 100} synaptic ops vs ${32 * 784 * 100} dense MACs; hidden ${hiddenRaster} spikes`,
    );
    await page.locator(A).screenshot({ path: join(shots, 'activity-1400.png') });
    await page.close();
  });

  it('errors appear beside the panel that caused them, can be dismissed, and clear when it next succeeds; browser words for backends', async () => {
    const page = await open('/?panels=load,activity&model=/nowhere/model.json');
    const L = 'section[aria-label="Load a trained model"]';
    const error = page.locator(`${L} > .panel-errors .error`);
    await expect.poll(() => error.count(), { timeout: 20_000 }).toBe(1);
    expect(await error.textContent()).toMatch(/load model: .*HTTP 404/);
    expect(await page.locator('.notices .error').count()).toBe(0);
    // A successful load clears the panel's errors.
    await page.locator(`${L} input[type=url]`).fill('/model/model.json');
    await page.locator(`${L} button`, { hasText: 'load URL' }).click();
    await expect.poll(() => data(page, 'Load a trained model', 'loaded'), { timeout: 20_000 }).toBe('true');
    expect(await error.count()).toBe(0);
    // A new error can be dismissed by hand.
    await page.locator(`${L} input[type=url]`).fill('/nowhere/else.json');
    await page.locator(`${L} button`, { hasText: 'load URL' }).click();
    await expect.poll(() => error.count(), { timeout: 20_000 }).toBe(1);
    await error.getByRole('button', { name: 'dismiss this error' }).click();
    expect(await error.count()).toBe(0);
    const notices = (await page.locator('.notices').textContent()) ?? '';
    expect(notices).not.toMatch(/npm|install/);
    await page.close();
  });

  it('figures download as PNG and their data as CSV (the trace and the raster events)', async () => {
    const page = await open('/?panels=neuron,encoding');
    const P = 'section[aria-label="Neuron playground"]';
    const save = async (button: ReturnType<Page['locator']>) => {
      const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
      return { name: download.suggestedFilename(), bytes: readFileSync((await download.path())!) };
    };
    const csv = await save(page.getByRole('button', { name: /download the data of “Membrane potential/ }));
    expect(csv.name).toBe('membrane-potential-before-reset-and-threshold.csv');
    const lines = csv.bytes.toString('utf8').trim().split('\n');
    expect(lines[0]).toBe('"time (ms)","v","v_th","spike"');
    expect(lines).toHaveLength(1 + 300);
    const spikeRows = lines.slice(1).filter((l) => l.split(',')[3] !== '');
    expect(spikeRows.length).toBe(Number(await data(page, 'Neuron playground', 'spikes')));
    const png = await save(
      page
        .locator(P)
        .getByRole('button', { name: /as PNG/ })
        .first(),
    );
    expect(png.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    const raster = page.locator('section[aria-label="Input encoding"] canvas.raster').first();
    const events = await save(
      page.getByRole('button', { name: 'download the data of “constant current encoder” as CSV' }),
    );
    const rows = events.bytes.toString('utf8').trim().split('\n');
    expect(rows[0]).toBe('"time (ms)","pixel index"');
    expect(rows.length - 1).toBe(Number(await raster.getAttribute('data-spikes')));
    await page.close();
  });

  it('training under auto: one timed batch per backend chooses it (never software WebGPU), controls locked while running, train and test accuracy per epoch, per-batch time, the epochs asked for', async () => {
    const page = await open('/?panels=train');
    const T = 'section[aria-label="Train in the browser"]';
    expect(await page.locator('.snn-visualizer-host').getAttribute('data-backend')).not.toBe('webgpu');
    await setSlider(page, 'Train in the browser', 'epochs', 2);
    await page.locator(`${T} button`, { hasText: 'start' }).click();
    expect(await page.locator(`${T} input[type=range]`).first().isDisabled()).toBe(true);
    await page.waitForFunction(
      () =>
        !!document
          .querySelector('.snn-visualizer-host')!
          .shadowRoot!.querySelector('section.panel')!
          .getAttribute('data-chosen-backend'),
      undefined,
      { timeout: 60_000 },
    );
    const times = JSON.parse((await data(page, 'Train in the browser', 'timedBackends'))!) as Record<
      string,
      number
    >;
    const chosen = (await data(page, 'Train in the browser', 'chosenBackend'))!;
    expect(Object.keys(times).length).toBeGreaterThanOrEqual(2);
    expect(times[chosen]).toBe(Math.min(...Object.values(times)));
    expect(await page.locator('.snn-visualizer-host').getAttribute('data-backend')).toBe(chosen);
    await page.waitForFunction(
      () =>
        document
          .querySelector('.snn-visualizer-host')!
          .shadowRoot!.querySelector('section.panel')!
          .getAttribute('data-phase') === 'running',
      undefined,
      { timeout: 30_000 },
    );
    expect(await page.locator(`${T} input[type=range]`).first().isDisabled()).toBe(true);
    expect(await page.locator(`${T} input[type=checkbox]`).isDisabled()).toBe(true);
    await page.waitForFunction(
      () =>
        document
          .querySelector('.snn-visualizer-host')!
          .shadowRoot!.querySelector('section.panel')!
          .getAttribute('data-phase') === 'idle',
      undefined,
      { timeout: 120_000, polling: 250 },
    );
    expect(await data(page, 'Train in the browser', 'outcome')).toBe('finished 2 epoch(s)');
    expect(await data(page, 'Train in the browser', 'epochs')).toBe('2');
    expect(Number(await data(page, 'Train in the browser', 'batchMs'))).toBeGreaterThan(0);
    expect(await page.locator(`${T} input[type=range]`).first().isDisabled()).toBe(false);
    expect(await page.locator(`${T} .u-legend`).nth(1).textContent()).toMatch(/train.*test/);
    expect(Number(await page.locator(`${T} .meter-box`).getAttribute('data-hidden-events'))).toBeGreaterThan(
      0,
    );
    console.log(
      `training under auto: one batch ${JSON.stringify(times)} ms → ${chosen}; ${await data(page, 'Train in the browser', 'batchMs')} ms per batch at the end`,
    );
    await page.locator(T).screenshot({ path: join(shots, 'train-1400.png') });
    await page.close();
  }, 180_000);

  it('training stops early once the test accuracy has not improved for 3 epochs', async () => {
    const page = await open('/?panels=train&backend=wasm');
    const T = 'Train in the browser';
    await setSlider(page, T, 'epochs', 50);
    await setSlider(page, T, 'learning rate', 0.01);
    await page.locator(`section[aria-label="${T}"] button`, { hasText: 'start' }).click();
    await page.waitForFunction(
      () =>
        document
          .querySelector('.snn-visualizer-host')!
          .shadowRoot!.querySelector('section.panel')!
          .getAttribute('data-outcome'),
      undefined,
      { timeout: 150_000, polling: 250 },
    );
    const outcome = (await data(page, T, 'outcome'))!;
    const epochs = Number(await data(page, T, 'epochs'));
    console.log(`early stop: ${outcome} after ${epochs} epochs`);
    expect(outcome).toMatch(/^stopped early: no better test accuracy for 3 epochs \(best \d+\.\d%\)$/);
    expect(epochs).toBeLessThan(50);
    expect(epochs).toBeGreaterThanOrEqual(4);
    await page.close();
  }, 180_000);

  for (const width of [1400, 390]) {
    it(`accessibility at ${width} px: axe-core finds no serious or critical violation in any panel; targets are at least 24 px; every panel has its paragraph and equation`, async () => {
      const page = await open('/', width);
      await page.waitForTimeout(1500);
      await page.addScriptTag({ content: axeSource });
      type Node = { target: unknown[]; failureSummary?: string };
      type Rule = { id: string; impact: string; help: string; nodes: Node[] };
      const { violations, shadowChecks } = await page.evaluate(async () => {
        const axe = (
          window as unknown as {
            axe: { run(c: unknown, o: unknown): Promise<{ violations: Rule[]; passes: Rule[] }> };
          }
        ).axe;
        const r = await axe.run(document, { resultTypes: ['violations', 'passes'] });
        // A target inside a shadow root is a path: [host selector, selector inside].
        const inShadow = (n: Node) => Array.isArray(n.target[0]);
        return {
          violations: r.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            count: v.nodes.length,
            first: JSON.stringify(v.nodes[0]?.target),
            why: v.nodes[0]?.failureSummary,
          })),
          shadowChecks: r.passes.reduce((n, p) => n + p.nodes.filter(inShadow).length, 0),
        };
      });
      // The audit reached inside the visualizer's shadow root.
      expect(shadowChecks).toBeGreaterThan(100);
      const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(bad, JSON.stringify(bad, null, 1)).toEqual([]);
      const small = await page.evaluate(() => {
        const root = document.querySelector('.snn-visualizer-host')!.shadowRoot!;
        return [...root.querySelectorAll('button, select, input')]
          .filter((e) => (e as HTMLElement).offsetParent !== null && !(e as HTMLInputElement).hidden)
          .map((e) => ({
            tag: `${e.tagName} ${e.getAttribute('type') ?? ''} ${e.textContent ?? ''}`,
            r: e.getBoundingClientRect(),
          }))
          .filter(({ r }) => r.height < 24 || r.width < 24)
          .map(({ tag, r }) => `${tag} ${r.width.toFixed(0)}×${r.height.toFixed(0)}`);
      });
      expect(small).toEqual([]);
      // Every panel explains itself: a paragraph and the update equation it runs.
      const explained = await page.evaluate(() =>
        [
          ...document.querySelector('.snn-visualizer-host')!.shadowRoot!.querySelectorAll('section.panel'),
        ].map((s) => ({
          title: s.querySelector('h2')!.textContent,
          paragraph: s.querySelector(':scope > .explain')?.textContent?.length ?? 0,
          equation: s.querySelector(':scope > .equation')?.textContent ?? '',
        })),
      );
      expect(explained).toHaveLength(6);
      for (const e of explained) {
        expect(e.paragraph, e.title!).toBeGreaterThan(120);
        expect(e.equation, e.title!).toMatch(/[←=]/);
      }
      for (const section of await page.locator('section.panel').all()) {
        const title = (await section.locator('h2').textContent())!.toLowerCase().replace(/\W+/g, '-');
        await section.screenshot({ path: join(shots, `${title}-${width}.png`) });
      }
      await page.close();
    }, 120_000);
  }
});
