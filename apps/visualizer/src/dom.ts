/** A tiny element builder: `h(doc, 'div', { class: 'x' }, child, 'text')`. */
export function h<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  attrs: Record<string, string | number | boolean | undefined> = {},
  ...children: (Node | string | undefined)[]
): HTMLElementTagNameMap[K] {
  const el = doc.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== undefined) el.append(typeof c === 'string' ? doc.createTextNode(c) : c);
  return el;
}

let uid = 0;
/** A unique id for label/input pairs (no fixed ids: several visualizers may share a page). */
export function nextId(prefix: string): string {
  uid++;
  return `snnv-${prefix}-${uid}`;
}

/** A labelled range slider; calls `onInput` with the number. Returns the wrapper and the input. */
export function slider(
  doc: Document,
  label: string,
  opts: { min: number; max: number; step: number; value: number; format?: (v: number) => string },
  onInput: (v: number) => void,
): { row: HTMLElement; input: HTMLInputElement; set: (v: number) => void } {
  const id = nextId('slider');
  const fmt = opts.format ?? ((v: number) => String(Number(v.toPrecision(4))));
  const out = h(doc, 'output', { for: id }, fmt(opts.value));
  const input = h(doc, 'input', {
    id,
    type: 'range',
    min: opts.min,
    max: opts.max,
    step: opts.step,
    value: opts.value,
  });
  input.addEventListener('input', () => {
    out.textContent = fmt(Number(input.value));
    onInput(Number(input.value));
  });
  const row = h(doc, 'div', { class: 'row' }, h(doc, 'label', { for: id }, label), input, out);
  return {
    row,
    input,
    set: (v) => {
      input.value = String(v);
      out.textContent = fmt(v);
    },
  };
}

/** Listeners registered through this are all removed by `dispose()`. */
export class Listeners {
  private readonly off: (() => void)[] = [];
  /** Adds `fn` as a listener of `type` on `target`, removed again by {@link Listeners.dispose}. */
  on<T extends EventTarget>(
    target: T,
    type: string,
    fn: (e: Event) => void,
    options?: AddEventListenerOptions,
  ): void {
    target.addEventListener(type, fn, options);
    this.off.push(() => target.removeEventListener(type, fn, options));
  }
  /** Adds a clean-up function that {@link Listeners.dispose} calls. */
  add(off: () => void): void {
    this.off.push(off);
  }
  /** Removes every listener and runs every clean-up function, once. */
  dispose(): void {
    for (const f of this.off.splice(0)) f();
  }
}
