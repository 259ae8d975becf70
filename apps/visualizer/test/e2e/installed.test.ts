import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installTarballs, pack, publicPackages } from '../../../../scripts/pack.mjs';
import { CHROMIUM_ARGS } from '../../../../vitest.shared';
import { serveStatic } from './server.js';

// The packed @snn/visualizer installed into an empty folder (from its tarball, offline), next to a
// host page's own tfjs: plain HTML pages, no bundler. The host's backend must not change.

const app = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const runnable = existsSync(join(app, 'dist', 'standalone', 'visualizer.js')) && existsSync(chromiumPath);
if (!runnable)
  console.warn(
    `skipping the installed-package test: needs the build (pnpm -F @snn/visualizer build) and Chromium at ${chromiumPath}`,
  );
const mnistDir = process.env.SNN_MNIST_DIR;

let browser: Browser;
let server: Awaited<ReturnType<typeof serveStatic>>;

/** An import map for the installed packages: each @snn package's ESM entry, the host's tfjs ESM bundles. */
function importMap(): string {
  const imports: Record<string, string> = {
    '@tensorflow/tfjs-core': '/node_modules/@tensorflow/tfjs-core/dist/tf-core.fesm.js',
    '@tensorflow/tfjs-backend-webgl':
      '/node_modules/@tensorflow/tfjs-backend-webgl/dist/tf-backend-webgl.fesm.js',
    uplot: '/node_modules/uplot/dist/uPlot.esm.js',
  };
  for (const { name, pkg } of publicPackages()) {
    const exports = pkg.exports as Record<string, string | { default: string }>;
    for (const [sub, target] of Object.entries(exports)) {
      if (sub.endsWith('.json') || typeof target === 'string') continue;
      imports[sub === '.' ? name : `${name}/${sub.slice(2)}`] =
        `/node_modules/${name}/${target.default.slice(2)}`;
    }
  }
  return JSON.stringify({ imports });
}

const HOST_STYLE = '<link rel="icon" href="data:,"><style>p { color: red }</style>';

/** The page with the ESM library: the host imports tfjs-core and its webgl backend and chooses webgl. */
const esmPage = () => `<!doctype html>
<html><head><meta charset="utf-8"><title>host with its own tfjs (ESM)</title>${HOST_STYLE}
<script type="importmap">${importMap()}</script></head>
<body><p id="before">host</p><div id="slot"></div><div id="tag"></div>
<script type="module">
  import * as tf from '@tensorflow/tfjs-core';
  import '@tensorflow/tfjs-backend-webgl';
  await tf.setBackend('webgl');
  const mine = tf.tensor([1, 2, 3]);
  const { mountVisualizer, defineVisualizerElement } = await import('@snn/visualizer');
  const viz = mountVisualizer(document.querySelector('#slot'), { backend: 'host', panels: ['neuron', 'encoding'] });
  await viz.ready;
  defineVisualizerElement();
  const el = document.createElement('snn-visualizer');
  el.setAttribute('backend', 'host');
  el.setAttribute('panels', 'encoding');
  document.querySelector('#tag').append(el);
  window.snn = { tf, mine, el };
  window.mounted = true;
</script></body></html>`;

/** The page with the standalone bundle, next to the host's tfjs as classic scripts (its own copy). */
const standalonePage = () => `<!doctype html>
<html><head><meta charset="utf-8"><title>host with its own tfjs (script tags)</title>${HOST_STYLE}
<script src="/node_modules/@tensorflow/tfjs-core/dist/tf-core.min.js"></script>
<script src="/node_modules/@tensorflow/tfjs-backend-cpu/dist/tf-backend-cpu.min.js"></script></head>
<body><div id="a"></div><div id="b"></div>
<script type="module">
  await tf.setBackend('cpu');
  const mine = tf.tensor([4, 5, 6]);
  const { mountVisualizer } = await import('/node_modules/@snn/visualizer/dist/standalone/visualizer.js');
  const viz = mountVisualizer(document.querySelector('#a'), { backend: 'host', panels: ['neuron'] });
  await viz.ready;
  window.snn = { mine, mountVisualizer, hostBackendAfterMount: tf.getBackend() };
  window.mounted = true;
</script></body></html>`;

async function open(path: string): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1000, height: 1400 } });
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()} ${r.url()}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  await page.goto(`${server.url}${path}`);
  await page.waitForFunction(() => (window as { mounted?: boolean }).mounted === true, undefined, {
    timeout: 60_000,
  });
  return { page, requests, errors };
}

/** Panel titles of the n-th visualizer on the page. */
const titles = (page: Page, n = 0) =>
  page.evaluate(
    (k) =>
      [...document.querySelectorAll('.snn-visualizer-host')[k]!.shadowRoot!.querySelectorAll('h2')].map(
        (h) => h.textContent,
      ),
    n,
  );

describe.runIf(runnable)('the packed @snn/visualizer installed next to a host page with its own tfjs', () => {
  beforeAll(async () => {
    const work = mkdtempSync(join(tmpdir(), 'snn-viz-installed-'));
    const tarballs: Record<string, string> = {};
    for (const p of publicPackages().filter((p) => !['@snn/trainer', '@snn/mnist-subset'].includes(p.name)))
      tarballs[p.name] = pack(p.dir, join(work, 'tarballs')).file;
    const project = join(work, 'site');
    installTarballs(
      project,
      tarballs,
      [
        '@tensorflow/tfjs-core@4.22.0',
        '@tensorflow/tfjs-backend-cpu@4.22.0',
        '@tensorflow/tfjs-backend-webgl@4.22.0',
      ],
      { add: ['@snn/visualizer'] },
    );
    writeFileSync(join(project, 'esm.html'), esmPage());
    writeFileSync(join(project, 'standalone.html'), standalonePage());
    server = await serveStatic({ ...(mnistDir ? { '/mnist/': mnistDir } : {}), '/': project });
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("the ESM library runs on the host's own tfjs (import map, no bundler) and leaves its backend alone", async () => {
    const { page, requests, errors } = await open('/esm.html');
    await page.waitForTimeout(1000);
    expect(errors).toEqual([]);
    expect(
      await page.evaluate(() =>
        (window as never as { snn: { tf: { getBackend(): string } } }).snn.tf.getBackend(),
      ),
    ).toBe('webgl');
    expect(
      await page.evaluate(() => document.querySelector('.snn-visualizer-host')!.getAttribute('data-backend')),
    ).toBe('webgl');
    expect(
      await page.evaluate(async () =>
        Array.from(
          await (window as never as { snn: { mine: { data(): Promise<Float32Array> } } }).snn.mine.data(),
        ),
      ),
    ).toEqual([1, 2, 3]);
    expect(await titles(page, 0)).toEqual(['Neuron playground', 'Input encoding']);
    // One tfjs on the page: the library loaded no tfjs of its own and no wasm binary.
    expect(requests.filter((r) => /tfjs-core/.test(r))).toEqual([
      '/node_modules/@tensorflow/tfjs-core/dist/tf-core.fesm.js',
    ]);
    expect(requests.filter((r) => r.endsWith('.wasm'))).toEqual([]);
    // The element observes its attributes: panels change in place, mnist-url is loaded.
    await page.evaluate(() => {
      const { el } = (window as never as { snn: { el: HTMLElement } }).snn;
      el.setAttribute('panels', 'neuron');
      el.setAttribute('mnist-url', '/mnist/');
    });
    await page.waitForFunction(
      () => {
        const host = document.querySelectorAll('.snn-visualizer-host')[1]!;
        return (
          host.shadowRoot!.querySelector('h2')?.textContent === 'Neuron playground' &&
          (host.getAttribute('data-digits') === '10000' || !!host.shadowRoot!.querySelector('.error'))
        );
      },
      undefined,
      { timeout: 60_000 },
    );
    const digits = await page.evaluate(() =>
      document.querySelectorAll('.snn-visualizer-host')[1]!.getAttribute('data-digits'),
    );
    if (mnistDir) expect(digits).toBe('10000');
    else
      expect(
        await page.evaluate(
          () =>
            document.querySelectorAll('.snn-visualizer-host')[1]!.shadowRoot!.querySelector('.error')!
              .textContent,
        ),
      ).toMatch(/could not load MNIST from \/mnist\//);
    expect(
      await page.evaluate(() =>
        (window as never as { snn: { tf: { getBackend(): string } } }).snn.tf.getBackend(),
      ),
    ).toBe('webgl');
    await page.close();
  });

  it("the standalone bundle next to the host's script-tag tfjs: 'host' keeps its backend; a chosen one is fetched alone", async () => {
    const { page, requests, errors } = await open('/standalone.html');
    await page.waitForTimeout(1000);
    expect(errors).toEqual([]);
    const state = () =>
      page.evaluate(() => ({
        backend: (window as never as { tf: { getBackend(): string } }).tf.getBackend(),
        after: (window as never as { snn: { hostBackendAfterMount: string } }).snn.hostBackendAfterMount,
      }));
    expect(await state()).toEqual({ backend: 'cpu', after: 'cpu' });
    expect(await titles(page, 0)).toEqual(['Neuron playground']);
    expect(
      await page.evaluate(async () =>
        Array.from(
          await (window as never as { snn: { mine: { data(): Promise<Float32Array> } } }).snn.mine.data(),
        ),
      ),
    ).toEqual([4, 5, 6]);
    expect(requests.filter((r) => r.endsWith('.wasm'))).toEqual([]);
    // Choosing a backend instead switches the page's one tfjs backend (as the README says), and the
    // wasm backend fetches only the binary it runs, from beside the bundle.
    await page.evaluate(async () => {
      const { mountVisualizer } = (
        window as never as { snn: { mountVisualizer: (e: Element, o: object) => { ready: Promise<void> } } }
      ).snn;
      await mountVisualizer(document.querySelector('#b')!, { backend: 'wasm', panels: ['neuron'] }).ready;
    });
    expect((await state()).backend).toBe('wasm');
    expect(requests.filter((r) => r.endsWith('.wasm'))).toEqual([
      '/node_modules/@snn/visualizer/dist/standalone/tfjs-backend-wasm-simd.wasm',
    ]);
    expect(await titles(page, 1)).toEqual(['Neuron playground']);
    await page.close();
  });
});
