import type { PanelContext } from './context.js';
import { digitImage } from './digits.js';
import { h, type Listeners, nextId } from './dom.js';

/** A keyboard-usable picker of the shared input digit. */
export interface DigitPicker {
  readonly element: HTMLElement;
  /** Shows the shared state's digit (after another panel changed it). */
  sync(): void;
}

/**
 * The shared input's dataset digit: a slider (arrow keys step through the digits), previous/next
 * buttons, and the digit's label beside it. Every panel's picker sets the one shared input.
 */
export function digitPicker(ctx: PanelContext, listeners: Listeners): DigitPicker {
  const doc = ctx.doc;
  const id = nextId('digit');
  const max = Math.max(0, ctx.digits.count - 1);
  const input = h(doc, 'input', {
    id,
    type: 'range',
    min: 0,
    max,
    step: 1,
    value: ctx.state.digitIndex ?? 0,
  });
  const out = h(doc, 'output', { for: id, class: 'digit-label' });
  const prev = h(doc, 'button', { type: 'button', 'aria-label': 'previous digit' }, '◀');
  const next = h(doc, 'button', { type: 'button', 'aria-label': 'next digit' }, '▶');
  const element = h(
    doc,
    'div',
    { class: 'row picker' },
    h(doc, 'label', { for: id }, 'dataset digit'),
    prev,
    input,
    next,
    out,
  );
  const sync = () => {
    const k = ctx.state.digitIndex;
    if (k !== undefined) input.value = String(k);
    out.textContent =
      k === undefined
        ? 'drawn by hand (no label)'
        : `#${k} of ${ctx.digits.count}: a ${ctx.state.label ?? '?'}`;
    input.setAttribute('aria-valuetext', out.textContent);
  };
  const choose = (k: number) => {
    const index = Math.min(max, Math.max(0, k));
    ctx.state.image = digitImage(ctx.digits, index);
    ctx.state.label = ctx.digits.labels[index];
    ctx.state.digitIndex = index;
    sync();
    ctx.changed('image');
  };
  listeners.on(input, 'input', () => choose(Number(input.value)));
  listeners.on(prev, 'click', () => choose(Number(input.value) - 1));
  listeners.on(next, 'click', () => choose(Number(input.value) + 1));
  sync();
  return { element, sync };
}

/**
 * The one play/scrub control of the time step shown in every panel's frame and cursor: a slider
 * over the steps and a play/pause button that advances it every 80 ms.
 */
export function timeControl(
  ctx: PanelContext,
  listeners: Listeners,
  steps: () => number,
): { element: HTMLElement; setSteps(T: number): void } {
  const doc = ctx.doc;
  const id = nextId('step');
  const input = h(doc, 'input', { id, type: 'range', min: 0, max: steps() - 1, step: 1, value: 0 });
  const out = h(doc, 'output', { for: id });
  const play = h(doc, 'button', { type: 'button', 'aria-pressed': 'false' }, 'play');
  const element = h(
    doc,
    'div',
    { class: 'row' },
    h(doc, 'label', { for: id }, 'time step'),
    play,
    input,
    out,
  );
  let timer: ReturnType<typeof setInterval> | undefined;
  const show = (t: number) => {
    input.value = String(t);
    out.textContent = `${t + 1} of ${steps()} (t = ${t + 1} ms)`;
    ctx.state.step = t;
    ctx.changed('step');
  };
  const stop = () => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
    play.textContent = 'play';
    play.setAttribute('aria-pressed', 'false');
  };
  listeners.on(input, 'input', () => {
    stop();
    show(Number(input.value));
  });
  listeners.on(play, 'click', () => {
    if (timer !== undefined) return stop();
    play.textContent = 'pause';
    play.setAttribute('aria-pressed', 'true');
    timer = setInterval(() => show((Number(input.value) + 1) % steps()), 80);
  });
  listeners.add(stop);
  out.textContent = `1 of ${steps()} (t = 1 ms)`;
  return {
    element,
    setSteps(T) {
      input.max = String(T - 1);
      if (Number(input.value) > T - 1) show(T - 1);
      else out.textContent = `${Number(input.value) + 1} of ${T} (t = ${Number(input.value) + 1} ms)`;
    },
  };
}
