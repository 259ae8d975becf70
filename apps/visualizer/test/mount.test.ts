import { useBackend } from '@snn/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { browserLoaders } from '../src/backend.js';
import { defineVisualizerElement, mountVisualizer } from '../src/index.js';

// happy-dom has no canvas: charts keep their data without drawing; the lifecycle is what is tested here.

const settle = () => new Promise((r) => setTimeout(r, 300));

beforeAll(async () => {
  await useBackend('cpu', { loaders: browserLoaders(undefined), platform: 'browser' });
});

afterEach(() => {
  document.body.replaceChildren();
});

describe('mountVisualizer lifecycle', () => {
  it('mounts into a shadow root, renders the panels, and destroy() leaves the element empty', async () => {
    const host = document.createElement('div');
    document.body.append(host);
    const before = tf.memory().numTensors;
    const viz = mountVisualizer(host, { backend: 'cpu' });
    await viz.ready;
    await settle();
    expect(host.children).toHaveLength(1);
    const shadow = host.firstElementChild!.shadowRoot!;
    expect(shadow).toBeTruthy();
    expect(shadow.querySelectorAll('section.panel')).toHaveLength(6);
    expect([...shadow.querySelectorAll('h2')].map((h) => h.textContent)).toEqual([
      'Neuron playground',
      'Input encoding',
      'Network activity',
      'Train in the browser',
      'Load a trained model',
      'Open a NIR file',
    ]);
    // Nothing global: no element ids outside the shadow root, nothing added to body besides the host.
    expect(document.body.children).toHaveLength(1);
    expect(document.querySelectorAll('[id]')).toHaveLength(0);
    viz.destroy();
    expect(host.innerHTML).toBe('');
    await settle();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('mounting twice into one element throws; after destroy it can mount again', async () => {
    const host = document.createElement('div');
    document.body.append(host);
    const a = mountVisualizer(host, { backend: 'cpu', panels: ['neuron'] });
    expect(() => mountVisualizer(host)).toThrow(/already has a visualizer/);
    await a.ready;
    a.destroy();
    const b = mountVisualizer(host, { backend: 'cpu', panels: ['neuron'] });
    await b.ready;
    b.destroy();
  });

  it('update() swaps panels without remounting; panels can be mounted alone', async () => {
    const host = document.createElement('div');
    document.body.append(host);
    const viz = mountVisualizer(host, { backend: 'cpu', panels: ['encoding'] });
    await viz.ready;
    const shadow = host.firstElementChild!.shadowRoot!;
    expect([...shadow.querySelectorAll('h2')].map((h) => h.textContent)).toEqual(['Input encoding']);
    await viz.update({ panels: ['neuron', 'activity'] });
    expect([...shadow.querySelectorAll('h2')].map((h) => h.textContent)).toEqual([
      'Neuron playground',
      'Network activity',
    ]);
    expect(viz.panels()).toHaveLength(2);
    viz.destroy();
  });

  it('no listeners survive destroy: events after destroy recompute nothing', async () => {
    const host = document.createElement('div');
    document.body.append(host);
    const viz = mountVisualizer(host, { backend: 'cpu', panels: ['neuron'] });
    await viz.ready;
    const shadow = host.firstElementChild!.shadowRoot!;
    const select = shadow.querySelector('select')!;
    const slider = shadow.querySelector('input[type=range]') as HTMLInputElement;
    const section = shadow.querySelector('section') as HTMLElement;
    const drawn = section.dataset.redrawMs;
    expect(drawn).toBeDefined();
    const before = tf.memory().numTensors;
    viz.destroy();
    slider.value = String(Number(slider.value) + 1);
    slider.dispatchEvent(new Event('input'));
    await settle();
    // A listener still at work would have recomputed and redrawn the trace (or thrown).
    expect(section.dataset.redrawMs).toBe(drawn);
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
    select.dispatchEvent(new Event('change'));
    expect(host.innerHTML).toBe('');
  });

  it('shows a clear error in the page for a bad model URL', async () => {
    const host = document.createElement('div');
    document.body.append(host);
    const viz = mountVisualizer(host, {
      backend: 'cpu',
      panels: ['load'],
      modelUrl: 'data:application/json,%7B%22weightsManifest%22%3A%5B%5D%7D',
    });
    await viz.ready;
    await settle();
    const shadow = host.firstElementChild!.shadowRoot!;
    const errors = [...shadow.querySelectorAll('.error')].map((e) => e.textContent);
    expect(errors.join(' ')).toMatch(/no weightsManifest \(not a tfjs model\.json\)/);
    viz.destroy();
  });

  it('defines <snn-visualizer>, which mounts on connect and cleans up on disconnect', async () => {
    defineVisualizerElement();
    defineVisualizerElement(); // twice is harmless
    const el = document.createElement('snn-visualizer');
    el.setAttribute('panels', 'neuron');
    el.setAttribute('backend', 'cpu');
    document.body.append(el);
    await settle();
    expect(el.firstElementChild?.shadowRoot?.querySelectorAll('section.panel')).toHaveLength(1);
    el.remove();
    expect(el.innerHTML).toBe('');
  });

  it('<snn-visualizer> observes panels, backend, model-url and mnist-url after it is mounted', async () => {
    defineVisualizerElement();
    const el = document.createElement('snn-visualizer');
    el.setAttribute('panels', 'neuron');
    el.setAttribute('backend', 'cpu');
    document.body.append(el);
    const shadow = () => el.firstElementChild!.shadowRoot!;
    const titles = () =>
      [...(el.firstElementChild?.shadowRoot?.querySelectorAll('h2') ?? [])].map((h) => h.textContent);
    // Mounting waits for the backend; a cold process takes longer than the fixed pause below.
    for (let k = 0; k < 50 && titles().length === 0; k++) await settle();
    expect(titles()).toEqual(['Neuron playground']);
    // Two attributes set in one task: one update, in place (the same host container).
    const container = el.firstElementChild;
    el.setAttribute('panels', 'encoding,load');
    el.setAttribute('model-url', 'data:application/json,%7B%22weightsManifest%22%3A%5B%5D%7D');
    await settle();
    expect(titles()).toEqual(['Input encoding', 'Load a trained model']);
    expect(el.firstElementChild).toBe(container);
    expect((shadow().querySelector('input[type=url]') as HTMLInputElement | null)?.value).toMatch(/^data:/);
    const loadError = [...shadow().querySelectorAll('.error')].map((e) => e.textContent).join(' ');
    expect(loadError, loadError).toMatch(/no weightsManifest \(not a tfjs model\.json\)/);
    // mnist-url is honoured: it tries the folder (here one that fails) and says so, keeping the bundled digits.
    el.setAttribute('mnist-url', 'http://127.0.0.1:9/no-mnist/');
    await new Promise((r) => setTimeout(r, 1500));
    expect([...shadow().querySelectorAll('.error')].map((e) => e.textContent).join(' ')).toMatch(
      /could not load MNIST from http:\/\/127\.0\.0\.1:9\/no-mnist\/.*using the bundled digits/,
    );
    expect(container?.getAttribute('data-digits')).toBe('500');
    el.setAttribute('backend', 'host');
    await settle();
    expect(shadow().querySelector('.status')?.textContent).toBe("running on the page's backend, cpu");
    // Removing panels goes back to all six.
    el.removeAttribute('panels');
    await settle();
    expect(titles()).toHaveLength(6);
    el.remove();
  });

  it("backend 'host' computes on the page's backend and never switches it", async () => {
    await tf.setBackend('cpu');
    const host = document.createElement('div');
    document.body.append(host);
    const viz = mountVisualizer(host, { backend: 'host', panels: ['neuron'] });
    await viz.ready;
    await settle();
    const container = host.firstElementChild as HTMLElement;
    const shadow = container.shadowRoot!;
    expect(tf.getBackend()).toBe('cpu');
    expect(container.dataset.backend).toBe('cpu');
    expect(shadow.querySelector('.status')?.textContent).toBe("running on the page's backend, cpu");
    expect((shadow.querySelector('select') as HTMLSelectElement).hidden).toBe(true);
    await viz.update({ panels: ['encoding'] });
    expect(tf.getBackend()).toBe('cpu');
    viz.destroy();
  });
});
