import { SURROGATE_NAMES, type SurrogateName, surrogate } from '@snn/core';
import { type Chart, lineChart } from '../chart.js';
import type { Panel, PanelContext } from '../context.js';
import { h, Listeners, nextId, slider } from '../dom.js';
import { type InputKind, type InputProtocol, type ModelSpec, NEURON_MODELS } from '../neuron-models.js';
import { type NeuronTrace, rateHz } from '../neuron-sim.js';

/**
 * The surrogate of `method` at `alpha` over `x = v − v_th` in `[-range, range]`: its derivative
 * (what the backward pass uses instead of the step's) and the smooth step it is the derivative of
 * (the running integral, normalised to end at 1 where it has any area).
 */
export function surrogateCurve(
  method: SurrogateName,
  alpha: number,
  range = 0.2,
  points = 401,
): { x: Float64Array; step: Float64Array; smooth: Float64Array; derivative: Float64Array } {
  const s = surrogate(method);
  const fn = s.scalar ?? (() => 0);
  const x = Float64Array.from({ length: points }, (_, k) => -range + (2 * range * k) / (points - 1));
  const derivative = Float64Array.from(x, (v) => fn(v, alpha));
  const smooth = new Float64Array(points);
  const dx = x[1]! - x[0]!;
  for (let k = 1; k < points; k++)
    smooth[k] = smooth[k - 1]! + ((derivative[k]! + derivative[k - 1]!) / 2) * dx;
  const total = smooth[points - 1]!;
  if (total > 0) for (let k = 0; k < points; k++) smooth[k] = smooth[k]! / total;
  const step = Float64Array.from(x, (v) => (v > 0 ? 1 : 0));
  return { x, step, smooth, derivative };
}

const KINDS: Record<InputKind, string> = {
  preset: "the original figure's protocol",
  step: 'step',
  pulse: 'pulse',
  ramp: 'ramp',
  noise: 'noisy (redrawn every ms)',
};

/**
 * Panel 1, the neuron playground (tutorial §2): a model with inputs that show its characteristic
 * behaviour, every parameter with its unit, an input current whose effect does not depend on `dt`;
 * `v` drawn before the reset with the threshold it crosses, the second variable, the input, and
 * the surrogate gradient of the chosen method. Computed in plain JavaScript (the same steps as
 * @snn/neurons), so a redraw takes milliseconds whatever tfjs backend the page runs.
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
  const explain = h(doc, 'p', { class: 'explain' });
  const equation = h(doc, 'p', { class: 'equation' });
  const selectId = nextId('model');
  const select = h(
    doc,
    'select',
    { id: selectId },
    ...NEURON_MODELS.map((m, k) => h(doc, 'option', { value: k }, m.name)),
  );
  const kindId = nextId('kind');
  const kindSelect = h(doc, 'select', { id: kindId });
  element.append(
    explain,
    equation,
    h(doc, 'div', { class: 'row' }, h(doc, 'label', { for: selectId }, 'neuron model'), select),
    h(doc, 'div', { class: 'row' }, h(doc, 'label', { for: kindId }, 'input shape'), kindSelect),
  );
  const inputNote = h(doc, 'p', { class: 'note' });
  const controls = h(doc, 'div', { class: 'controls' });
  const paramsBox = h(doc, 'div', { class: 'controls params' });
  const surrogateRow = h(doc, 'div', { class: 'controls' });
  element.append(inputNote, controls, h(doc, 'h3', {}, 'Parameters'), paramsBox);
  const status = h(doc, 'p', { class: 'status', 'aria-live': 'polite' });
  const charts = h(doc, 'div', { class: 'charts' });
  element.append(status, charts);
  const surrogateHead = h(doc, 'h3', {}, 'Surrogate gradient');
  const surrogateNote = h(
    doc,
    'p',
    { class: 'note' },
    'The forward pass is a hard step: a spike when v − v_th > 0. Its derivative is zero almost everywhere, so training uses a surrogate: the smooth curve’s derivative, drawn below for the chosen method and sharpness α.',
  );
  const surrogateCharts = h(doc, 'div', { class: 'charts' });
  element.append(surrogateHead, surrogateNote, surrogateRow, surrogateCharts);

  let model: ModelSpec = NEURON_MODELS[0]!;
  let values: Record<string, number> = model.defaults();
  let protocol: InputProtocol = model.protocol;
  let dtMs = model.dtMs;
  let method: SurrogateName = 'super';
  let alpha = 100;
  let destroyed = false;
  let vChart: Chart | undefined;
  let sChart: Chart | undefined;
  let iChart: Chart | undefined;
  const gChart = lineChart(surrogateCharts, {
    title: 'Step, smooth surrogate and its derivative',
    xLabel: 'v − v_th',
    yLabel: 'value',
    series: [
      { name: 'forward: step H', color: '#000000' },
      { name: 'smooth surrogate', color: '#0072B2', dash: [6, 4] },
      { name: 'derivative (backward)', color: '#D55E00' },
    ],
    height: 200,
  });

  const makeCharts = () => {
    for (const c of [vChart, sChart, iChart]) c?.destroy();
    vChart = lineChart(charts, {
      title: 'Membrane potential (before reset) and threshold',
      xLabel: 'time (ms)',
      yLabel: model.name.startsWith('Izhikevich') ? 'v (mV)' : 'v (v_th = 1)',
      series: [
        { name: 'v', color: '#0072B2' },
        { name: model.thresholdLabel, color: '#000000', dash: [6, 4] },
        { name: 'spike', points: true, color: '#D55E00' },
      ],
    });
    sChart = lineChart(charts, {
      title: model.secondLabel,
      xLabel: 'time (ms)',
      yLabel: model.secondLabel.replace(/^.*\b(\w+) \((.*)\)$/, '$1 ($2)'),
      series: [{ name: model.secondLabel.split(' (')[0]!, color: '#009E73' }],
      height: 160,
    });
    iChart = lineChart(charts, {
      title: 'Input current',
      xLabel: 'time (ms)',
      yLabel: 'I',
      series: [{ name: 'I', color: '#CC79A7' }],
      height: 160,
    });
  };

  const draw = (trace: NeuronTrace) => {
    const isIzhikevich = model.name.startsWith('Izhikevich');
    // Izhikevich's figures cut the spike at 30 mV; one Euler step can overshoot it by far.
    const v = isIzhikevich
      ? Float64Array.from(trace.v, (x, k) => (trace.spikes[k] ? Math.min(x, trace.threshold[k]!) : x))
      : trace.v;
    const spikes = Float64Array.from(trace.spikes, (z, k) => (z ? v[k]! : Number.NaN));
    vChart?.setData(trace.time, [v, trace.threshold, spikes]);
    sChart?.setData(trace.time, [trace.second]);
    iChart?.setData(trace.time, [trace.input]);
  };

  const compute = () => {
    if (destroyed) return;
    const started = performance.now();
    try {
      const trace = model.run(values, protocol, dtMs);
      draw(trace);
      const ms = performance.now() - started;
      const rate = rateHz(trace);
      const duration = trace.time[trace.time.length - 1] ?? 0;
      status.textContent = `${trace.count} spikes in ${duration.toFixed(0)} ms (${rate.toFixed(1)} Hz), ${trace.time.length} steps of ${dtMs} ms; drawn in ${ms.toFixed(1)} ms (computed in JavaScript on the CPU)`;
      element.dataset.spikes = String(trace.count);
      element.dataset.rate = String(rate);
      element.dataset.redrawMs = String(ms);
      let peak = Number.NEGATIVE_INFINITY;
      let crossedTh = Number.NaN;
      trace.spikes.forEach((z, k) => {
        if (z && Number.isNaN(crossedTh)) crossedTh = trace.threshold[k]!;
        if (z) peak = Math.max(peak, trace.v[k]!);
      });
      element.dataset.spikePeak = String(peak);
      element.dataset.spikeThreshold = String(crossedTh);
      ctx.clearError?.(element);
    } catch (error) {
      ctx.error(`neuron playground: ${error instanceof Error ? error.message : String(error)}`, element);
    }
  };

  const drawSurrogate = () => {
    const c = surrogateCurve(method, alpha, Math.max(0.05, 4 / Math.max(alpha, 1)));
    gChart.setData(c.x, [c.step, c.smooth, c.derivative]);
    element.dataset.surrogatePeak = String(Math.max(...c.derivative));
  };

  const buildInput = () => {
    const kinds: InputKind[] =
      model.protocol.kind === 'preset'
        ? ['preset', 'step', 'pulse', 'ramp', 'noise']
        : ['step', 'pulse', 'ramp', 'noise'];
    kindSelect.replaceChildren(
      ...kinds.map((k) => h(doc, 'option', { value: k, selected: k === protocol.kind }, KINDS[k])),
    );
    inputNote.textContent =
      protocol.kind === 'preset'
        ? `Input: ${model.protocol.description}.`
        : model.name.startsWith('Izhikevich')
          ? 'The current enters the voltage equation directly, so a current means the same at every dt.'
          : 'The input is a current I in units of v: each step adds I·dt/τ_syn to the synaptic current, so i settles at I with time constant τ_syn whatever the step dt (adding I once per step would make a smaller dt a stronger input). A steady I pulls v towards v_leak + I.';
    const rows: HTMLElement[] = [];
    const set = (patch: Partial<InputProtocol>) => {
      protocol = { ...protocol, ...patch };
      compute();
    };
    if (protocol.kind !== 'preset') {
      rows.push(
        slider(doc, model.currentLabel, { ...model.current, value: protocol.amplitude }, (v) =>
          set({ amplitude: v }),
        ).row,
        slider(doc, 'onset (ms)', { min: 0, max: 200, step: 1, value: protocol.onset }, (v) =>
          set({ onset: v }),
        ).row,
      );
      if (protocol.kind === 'pulse')
        rows.push(
          slider(doc, 'pulse width (ms)', { min: 1, max: 200, step: 1, value: protocol.width }, (v) =>
            set({ width: v }),
          ).row,
        );
      if (protocol.kind === 'noise')
        rows.push(
          slider(doc, 'noise σ (units of I)', { min: 0, max: 3, step: 0.05, value: protocol.sigma }, (v) =>
            set({ sigma: v }),
          ).row,
        );
    }
    rows.push(
      slider(doc, 'duration (ms)', { min: 20, max: 1000, step: 10, value: protocol.duration }, (v) =>
        set({ duration: v }),
      ).row,
      slider(doc, 'time step dt (ms)', { min: 0.05, max: 2, step: 0.05, value: dtMs }, (v) => {
        dtMs = v;
        compute();
      }).row,
    );
    controls.replaceChildren(...rows);
  };

  const buildParams = () => {
    paramsBox.replaceChildren(
      ...model.params.map((p) => {
        const raw = values[p.key] ?? p.min;
        const shown = p.inverseMs ? 1000 / raw : raw;
        return slider(doc, p.label, { min: p.min, max: p.max, step: p.step, value: shown }, (v) => {
          values = { ...values, [p.key]: p.inverseMs ? 1000 / v : v };
          compute();
        }).row;
      }),
    );
    const methodId = nextId('method');
    const methodSelect = h(
      doc,
      'select',
      { id: methodId },
      ...SURROGATE_NAMES.filter((n) => n !== 'heaviErfc').map((n) =>
        h(doc, 'option', { value: n, selected: n === method }, n),
      ),
    );
    listeners.on(methodSelect, 'change', () => {
      method = methodSelect.value as SurrogateName;
      alpha = surrogate(method).defaultAlpha;
      alphaSlider.set(alpha);
      drawSurrogate();
    });
    const alphaSlider = slider(doc, 'sharpness α', { min: 0.1, max: 200, step: 0.1, value: alpha }, (v) => {
      alpha = v;
      drawSurrogate();
    });
    surrogateRow.replaceChildren(
      h(doc, 'div', { class: 'row' }, h(doc, 'label', { for: methodId }, 'surrogate method'), methodSelect),
      alphaSlider.row,
    );
  };

  const chooseModel = (m: ModelSpec) => {
    model = m;
    values = m.defaults();
    protocol = m.protocol;
    dtMs = m.dtMs;
    explain.textContent = m.explanation;
    equation.textContent = m.equation;
    makeCharts();
    buildInput();
    buildParams();
    compute();
  };

  listeners.on(select, 'change', () => chooseModel(NEURON_MODELS[Number(select.value)]!));
  listeners.on(kindSelect, 'change', () => {
    const kind = kindSelect.value as InputKind;
    protocol =
      kind === 'preset'
        ? model.protocol
        : {
            ...protocol,
            kind,
            amplitude: protocol.kind === 'preset' ? 10 : protocol.amplitude,
            onset: protocol.kind === 'preset' ? 10 : protocol.onset,
            width: protocol.width || 20,
            sigma: protocol.sigma || 0.3,
          };
    buildInput();
    compute();
  });
  chooseModel(model);
  drawSurrogate();
  return {
    title: 'Neuron playground',
    element,
    destroy() {
      destroyed = true;
      listeners.dispose();
      for (const c of [vChart, sChart, iChart, gChart]) c?.destroy();
      element.remove();
    },
  };
}
