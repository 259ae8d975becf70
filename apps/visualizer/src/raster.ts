import { h, Listeners, nextId } from './dom.js';
import { exportBar, toCSV } from './export.js';

/** Options of {@link spikeRaster}. */
export interface RasterOptions {
  /** What a row is: `'pixel'` (28×28 input: the readout names row and column) or `'neuron'`. */
  readonly rows: 'pixel' | 'neuron';
  /** Draw only rows that spike at least once (with a checkbox to switch). Default true for pixels. */
  readonly activeOnly?: boolean;
  /** Milliseconds per step (time axis). Default 1. */
  readonly dtMs?: number;
  /** The neuron a drawn row stands for, when only some are drawn (e.g. every 4th). Default the row. */
  readonly rowIndex?: (row: number) => number;
}

/** A spike raster with axes, a hover readout, an active-rows switch and a time cursor. */
export interface SpikeRaster {
  readonly element: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  /** Draws `[T × n]` spikes (time-major); returns the spike count. */
  draw(spikes: ArrayLike<number>, T: number, n: number): number;
  /** Marks step `t` with a vertical line (undefined: none). */
  cursor(t: number | undefined): void;
  /** The rows now drawn, top to bottom (indices into the n inputs). */
  shownRows(): readonly number[];
  destroy(): void;
}

const MARGIN = { left: 48, right: 8, top: 8, bottom: 34 };

/** Nice tick spacing for a span of `span` units with about `target` ticks. */
function tickStep(span: number, target: number): number {
  const raw = span / Math.max(1, target);
  const pow = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? raw;
}

/**
 * A spike raster on a canvas sized to its container (so its text stays readable on a phone): time
 * in ms to the right, one row per pixel or neuron downwards, ticks on both axes. Hovering reads
 * out the time, the row (pixel row and column) and whether it spiked; the canvas' label summarises
 * it for screen readers.
 */
export function spikeRaster(doc: Document, title: string, options: RasterOptions): SpikeRaster {
  const listeners = new Listeners();
  const canvas = h(doc, 'canvas', { class: 'raster', role: 'img', 'aria-label': title });
  const readout = h(
    doc,
    'output',
    { class: 'readout', 'aria-live': 'off' },
    'hover over the raster to read a spike',
  );
  const checkId = nextId('active');
  const check = h(doc, 'input', {
    id: checkId,
    type: 'checkbox',
    checked: options.activeOnly ?? options.rows === 'pixel',
  });
  const caption = h(doc, 'figcaption', {}, title);
  const element = h(
    doc,
    'figure',
    { class: 'raster-figure' },
    caption,
    h(
      doc,
      'div',
      { class: 'row compact' },
      check,
      h(doc, 'label', { for: checkId }, `only ${options.rows}s that spike`),
    ),
    canvas,
    readout,
  );
  const dtMs = options.dtMs ?? 1;
  // Nothing to show (and no empty canvas taking room) until the first draw.
  element.hidden = true;
  let last: { spikes: ArrayLike<number>; T: number; n: number } | undefined;
  // The data as a list of spike events: when (ms) and which row.
  element.append(
    exportBar(
      doc,
      title,
      () => (last ? canvas : undefined),
      () => {
        const rowsOut: number[][] = [];
        if (last)
          for (let t = 0; t < last.T; t++)
            for (let r = 0; r < last.n; r++)
              if (last.spikes[t * last.n + r]! > 0) rowsOut.push([(t + 1) * dtMs, index(r)]);
        return toCSV(['time (ms)', `${options.rows} index`], rowsOut);
      },
    ),
  );
  let rows: number[] = [];
  let at: number | undefined;

  const index = options.rowIndex ?? ((r: number) => r);
  const name = (r: number) =>
    options.rows === 'pixel'
      ? `pixel ${r} (row ${Math.floor(r / 28)}, column ${r % 28})`
      : `neuron ${index(r)}`;

  const render = () => {
    const ctx = canvas.getContext?.('2d');
    if (!last || !ctx) return;
    const { spikes, T, n } = last;
    const active = new Uint8Array(n);
    for (let k = 0; k < T * n; k++) if (spikes[k]! > 0) active[k % n] = 1;
    rows = check.checked ? [...active.keys()].filter((r) => active[r]) : [...active.keys()];
    const cssWidth = Math.max(280, Math.floor(element.clientWidth || 640));
    const plotH = Math.min(360, Math.max(140, rows.length * 2));
    const ratio = globalThis.devicePixelRatio || 1;
    canvas.width = Math.round(cssWidth * ratio);
    canvas.height = Math.round((plotH + MARGIN.top + MARGIN.bottom) * ratio);
    canvas.style.width = `${cssWidth}px`;
    canvas.style.height = `${plotH + MARGIN.top + MARGIN.bottom}px`;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    const w = cssWidth - MARGIN.left - MARGIN.right;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, cssWidth, plotH + MARGIN.top + MARGIN.bottom);
    ctx.strokeStyle = '#767676';
    ctx.strokeRect(MARGIN.left, MARGIN.top, w, plotH);
    const cw = w / T;
    const ch = plotH / Math.max(1, rows.length);
    ctx.fillStyle = '#111';
    rows.forEach((r, y) => {
      for (let t = 0; t < T; t++)
        if (spikes[t * n + r]! > 0)
          ctx.fillRect(
            MARGIN.left + t * cw,
            MARGIN.top + y * ch,
            Math.max(1, cw * 0.8),
            Math.max(1, ch * 0.9),
          );
    });
    // Axes: time (ms) along x, row index along y.
    ctx.fillStyle = '#1b1b1b';
    ctx.font = '12px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const tStep = tickStep(T * dtMs, Math.max(2, Math.floor(w / 70)));
    for (let ms = 0; ms <= T * dtMs + 1e-9; ms += tStep) {
      const x = MARGIN.left + (ms / dtMs) * cw;
      ctx.fillRect(x, MARGIN.top + plotH, 1, 4);
      ctx.fillText(String(Number(ms.toPrecision(4))), x, MARGIN.top + plotH + 5);
    }
    ctx.fillText('time (ms)', MARGIN.left + w / 2, MARGIN.top + plotH + 19);
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    const every = Math.max(1, Math.ceil(rows.length / Math.max(2, Math.floor(plotH / 28))));
    for (let y = 0; y < rows.length; y += every) {
      const py = MARGIN.top + (y + 0.5) * ch;
      ctx.fillRect(MARGIN.left - 4, py, 4, 1);
      ctx.fillText(String(index(rows[y]!)), MARGIN.left - 6, py);
    }
    ctx.save();
    ctx.translate(11, MARGIN.top + plotH / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'center';
    ctx.fillText(`${options.rows} index`, 0, 0);
    ctx.restore();
    if (at !== undefined && at < T) {
      ctx.fillStyle = 'rgba(213, 94, 0, 0.35)';
      ctx.fillRect(MARGIN.left + at * cw, MARGIN.top, Math.max(2, cw), plotH);
    }
  };

  listeners.on(check, 'change', render);
  listeners.on(canvas, 'pointermove', (e) => {
    if (!last) return;
    const r = canvas.getBoundingClientRect();
    const px = (e as PointerEvent).clientX - r.left - MARGIN.left;
    const py = (e as PointerEvent).clientY - r.top - MARGIN.top;
    const w = r.width - MARGIN.left - MARGIN.right;
    const plotH = r.height - MARGIN.top - MARGIN.bottom;
    if (px < 0 || py < 0 || px >= w || py >= plotH || rows.length === 0) return;
    const t = Math.floor((px / w) * last.T);
    const row = rows[Math.floor((py / plotH) * rows.length)]!;
    const spiked = last.spikes[t * last.n + row]! > 0;
    readout.textContent = `t = ${((t + 1) * dtMs).toFixed(1)} ms, ${name(row)}: ${spiked ? 'spike' : 'no spike'}`;
  });
  let observer: ResizeObserver | undefined;
  if (typeof ResizeObserver !== 'undefined') {
    let width = 0;
    observer = new ResizeObserver(() => {
      if (element.clientWidth !== width) {
        width = element.clientWidth;
        render();
      }
    });
    observer.observe(element);
  }

  return {
    element,
    canvas,
    draw(spikes, T, n) {
      last = { spikes, T, n };
      element.hidden = false;
      let count = 0;
      const active = new Set<number>();
      for (let k = 0; k < T * n; k++)
        if (spikes[k]! > 0) {
          count++;
          active.add(k % n);
        }
      canvas.dataset.spikes = String(count);
      canvas.setAttribute(
        'aria-label',
        `${title}: ${count} spikes from ${active.size} of ${n} ${options.rows}s over ${T} steps (${(T * dtMs).toFixed(0)} ms)`,
      );
      render();
      return count;
    },
    cursor(t) {
      at = t;
      render();
    },
    shownRows: () => rows,
    destroy() {
      observer?.disconnect();
      listeners.dispose();
      element.remove();
    },
  };
}
