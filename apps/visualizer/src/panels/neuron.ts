import { disposeState, tidy } from '@snn/core';
import * as N from '@snn/neurons';
import * as tf from '@tensorflow/tfjs-core';
import { lineChart } from '../chart.js';
import type { Panel, PanelContext } from '../context.js';
import { h, Listeners, nextId, slider } from '../dom.js';

interface ParamSpec {
  key: string;
  min: number;
  max: number;
  step: number;
}

interface ModelSpec {
  name: string;
  /** Parameter sliders, read from and written to a plain record. */
  params: ParamSpec[];
  defaults: () => Record<string, number>;
  /** Second trace's field and label. */
  second: { field: string; label: string };
  run: (
    current: tf.Tensor,
    p: Record<string, number>,
    dt: number,
  ) => { v: tf.Tensor; second: tf.Tensor; z: tf.Tensor };
  /** Sensible input current range. */
  current: { min: number; max: number; step: number; value: number };
  threshold: (p: Record<string, number>) => number;
}

const lifKeys: ParamSpec[] = [
  { key: 'tauSynInv', min: 10, max: 500, step: 10 },
  { key: 'tauMemInv', min: 10, max: 500, step: 10 },
  { key: 'vLeak', min: -1, max: 1, step: 0.05 },
  { key: 'vTh', min: 0.1, max: 2, step: 0.05 },
  { key: 'vReset', min: -1, max: 1, step: 0.05 },
];

/** Runs a step over `current [T, 1, 1]` and stacks the recorded state. */
function record<S>(step: (x: tf.Tensor, s: S) => readonly [tf.Tensor, S], init: S, current: tf.Tensor) {
  const [z, final, states] = N.runSequence(step, current, init, { recordStates: true });
  disposeState([final, init]);
  return { z, states: states as unknown as Record<string, tf.Tensor> };
}

const MODELS: ModelSpec[] = [
  {
    name: 'LIF',
    params: lifKeys,
    defaults: () => ({ ...N.DEFAULT_LIF_PARAMS }) as unknown as Record<string, number>,
    second: { field: 'i', label: 'current i (a.u.)' },
    current: { min: 0, max: 5, step: 0.05, value: 1.1 },
    threshold: (p) => p.vTh!,
    run: (x, p, dt) => {
      const params = N.lifParams(p);
      const { z, states } = record(
        (xt, s: N.LIFState) => N.lifStep(xt, s, params, dt),
        N.lifInitialState([1, 1], params),
        x,
      );
      return { v: states.v!, second: states.i!, z };
    },
  },
  {
    name: 'LIF refractory',
    params: [...lifKeys, { key: 'rhoReset', min: 0, max: 20, step: 1 }],
    defaults: () => ({ ...(N.DEFAULT_LIF_PARAMS as unknown as Record<string, number>), rhoReset: 5 }),
    second: { field: 'rho', label: 'refractory counter ρ' },
    current: { min: 0, max: 5, step: 0.05, value: 2 },
    threshold: (p) => p.vTh!,
    run: (x, p, dt) => {
      const { rhoReset, ...lif } = p;
      const params = N.lifRefracParams({ lif: N.lifParams(lif), rhoReset: rhoReset! });
      const [z, final, states] = N.runSequence(
        (xt, s: N.LIFRefracState) => N.lifRefracStep(xt, s, params, dt),
        x,
        N.lifRefracInitialState([1, 1], params),
        { recordStates: true },
      );
      disposeState(final);
      return { v: states!.lif.v, second: states!.rho, z };
    },
  },
  {
    name: 'LIFAdEx',
    params: [
      ...lifKeys,
      { key: 'adaptationCurrent', min: 0, max: 10, step: 0.1 },
      { key: 'adaptationSpike', min: 0, max: 2, step: 0.01 },
      { key: 'deltaT', min: 0.05, max: 2, step: 0.05 },
      { key: 'tauAdaInv', min: 0.5, max: 50, step: 0.5 },
    ],
    defaults: () => ({ ...N.DEFAULT_LIF_ADEX_PARAMS }) as unknown as Record<string, number>,
    second: { field: 'a', label: 'adaptation a (a.u.)' },
    current: { min: 0, max: 5, step: 0.05, value: 1.5 },
    threshold: (p) => p.vTh!,
    run: (x, p, dt) => {
      const params = N.lifAdExParams(p);
      const { z, states } = record(
        (xt, s: N.LIFAdExState) => N.lifAdExStep(xt, s, params, dt),
        N.lifAdExInitialState([1, 1], params),
        x,
      );
      return { v: states.v!, second: states.a!, z };
    },
  },
  {
    name: 'LSNN',
    params: [
      ...lifKeys,
      { key: 'tauAdaptInv', min: 0.1, max: 50, step: 0.1 },
      { key: 'beta', min: 0, max: 3, step: 0.05 },
    ],
    defaults: () => ({ ...N.DEFAULT_LSNN_PARAMS, tauAdaptInv: 5 }) as unknown as Record<string, number>,
    second: { field: 'b', label: 'adaptive threshold b' },
    current: { min: 0, max: 5, step: 0.05, value: 1.5 },
    threshold: (p) => p.vTh!,
    run: (x, p, dt) => {
      const params = N.lsnnParams(p);
      const { z, states } = record(
        (xt, s: N.LSNNState) => N.lsnnStep(xt, s, params, dt),
        N.lsnnInitialState([1, 1], params),
        x,
      );
      return { v: states.v!, second: states.b!, z };
    },
  },
  ...(Object.keys(N.IZHIKEVICH_PRESETS) as N.IzhikevichPresetName[]).map(
    (name): ModelSpec => ({
      name: `Izhikevich: ${name}`,
      params: [
        { key: 'a', min: -0.1, max: 1, step: 0.005 },
        { key: 'b', min: -1.5, max: 1.5, step: 0.01 },
        { key: 'c', min: -80, max: -30, step: 1 },
        { key: 'd', min: -25, max: 10, step: 0.25 },
      ],
      defaults: () => ({ ...(N.IZHIKEVICH_PRESETS[name].params as unknown as Record<string, number>) }),
      second: { field: 'u', label: 'recovery u' },
      current: { min: -20, max: 40, step: 0.5, value: 10 },
      threshold: () => 30,
      run: (x, p, dt) => {
        const preset = N.IZHIKEVICH_PRESETS[name];
        const params = N.izhikevichParams({ ...preset.params, ...p } as N.IzhikevichParams);
        const { z, states } = record(
          (xt, s: N.IzhikevichState) => N.izhikevichStep(xt, s, params, dt),
          N.izhikevichInitialState([1, 1], preset),
          x,
        );
        return { v: states.v!, second: states.u!, z };
      },
    }),
  ),
];

/**
 * Panel 1, the neuron playground (tutorial §2): a model, sliders for the input current and every
 * parameter, steps and dt; voltage and second-variable traces with spike markers, recomputed as you drag.
 */
export function mountNeuronPlayground(root: HTMLElement, ctx: PanelContext): Panel {
  const doc = ctx.doc;
  const listeners = new Listeners();
  const element = h(
    doc,
    'section',
    { class: 'panel', 'aria-label': 'Neuron playground' },
    h(doc, 'h2', {}, 'Neuron playground'),
  );
  root.append(element);
  const selectId = nextId('model');
  const select = h(
    doc,
    'select',
    { id: selectId },
    ...MODELS.map((m, k) => h(doc, 'option', { value: k }, m.name)),
  );
  element.append(h(doc, 'div', { class: 'row' }, h(doc, 'label', { for: selectId }, 'model'), select));
  const controls = h(doc, 'div', { class: 'controls' });
  const params = h(doc, 'div', { class: 'controls params' });
  element.append(controls, params);
  const charts = h(doc, 'div', { class: 'charts' });
  element.append(charts);
  const status = h(doc, 'p', { class: 'status', 'aria-live': 'polite' });
  element.append(status);
  let model = MODELS[0]!;
  let values = model.defaults();
  let current = model.current.value;
  let steps = 200;
  let dt = 1e-3;
  let vChart = lineChart(charts, {
    title: 'Membrane voltage',
    xLabel: 'time (ms)',
    yLabel: 'voltage (a.u.)',
    series: [{ name: 'v' }, { name: 'spike', points: true, color: '#d62728' }],
  });
  let sChart = lineChart(charts, {
    title: model.second.label,
    xLabel: 'time (ms)',
    yLabel: model.second.label,
    series: [{ name: model.second.field }],
  });
  let pending = false;
  let running = false;
  let destroyed = false;

  const compute = async () => {
    if (running) {
      pending = true;
      return;
    }
    running = true;
    try {
      const out = tidy(() => {
        const x = tf.fill([steps, 1, 1], current);
        return model.run(x, values, dt);
      });
      const [v, s, z] = await Promise.all([out.v.data(), out.second.data(), out.z.data()]);
      tf.dispose([out.v, out.second, out.z]);
      if (destroyed) return;
      const ms = Float64Array.from({ length: steps }, (_, t) => (t + 1) * dt * 1000);
      const th = model.threshold(values);
      const spikes = Array.from(z, (zz) => (zz > 0 ? th : Number.NaN));
      vChart.setData(ms, [v, spikes]);
      sChart.setData(ms, [s]);
      const n = Array.from(z).reduce((a, b) => a + b, 0);
      status.textContent = `${n} spikes in ${(steps * dt * 1000).toFixed(0)} ms (${(n / (steps * dt) || 0).toFixed(1)} Hz) on ${ctx.backend()}`;
      element.dataset.spikes = String(n);
      element.dataset.lastV = String(v[v.length - 1]);
    } catch (error) {
      ctx.error(`neuron playground: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      running = false;
      if (pending && !destroyed) {
        pending = false;
        void compute();
      }
    }
  };

  const buildControls = () => {
    controls.replaceChildren(
      slider(doc, 'input current', model.current, (v) => {
        current = v;
        void compute();
      }).row,
      slider(doc, 'steps', { min: 20, max: 1000, step: 10, value: steps }, (v) => {
        steps = v;
        void compute();
      }).row,
      slider(doc, 'dt (ms)', { min: 0.1, max: 2, step: 0.1, value: dt * 1000 }, (v) => {
        dt = v / 1000;
        void compute();
      }).row,
    );
    params.replaceChildren(
      ...model.params.map(
        (p) =>
          slider(doc, p.key, { min: p.min, max: p.max, step: p.step, value: values[p.key] ?? p.min }, (v) => {
            values = { ...values, [p.key]: v };
            void compute();
          }).row,
      ),
    );
  };

  listeners.on(select, 'change', () => {
    model = MODELS[Number(select.value)]!;
    values = model.defaults();
    current = model.current.value;
    sChart.destroy();
    vChart.destroy();
    vChart = lineChart(charts, {
      title: 'Membrane voltage',
      xLabel: 'time (ms)',
      yLabel: 'voltage (a.u.)',
      series: [{ name: 'v' }, { name: 'spike', points: true, color: '#d62728' }],
    });
    sChart = lineChart(charts, {
      title: model.second.label,
      xLabel: 'time (ms)',
      yLabel: model.second.label,
      series: [{ name: model.second.field }],
    });
    buildControls();
    void compute();
  });
  buildControls();
  void compute();
  return {
    title: 'Neuron playground',
    element,
    destroy() {
      destroyed = true;
      listeners.dispose();
      vChart.destroy();
      sChart.destroy();
      element.remove();
    },
  };
}
