import uPlot from 'uplot';
import { exportBar, toCSV } from './export.js';

/** A line chart in a container, redrawn with `setData`. */
export interface Chart {
  setData(xs: ArrayLike<number>, ys: readonly ArrayLike<number>[]): void;
  destroy(): void;
  readonly element: HTMLElement;
}

/**
 * Ten colours told apart with the common colour-vision deficiencies (Okabe–Ito's hues, darkened
 * where needed), each at least 3:1 against white. Charts of several lines also label them directly.
 */
export const PALETTE: readonly string[] = [
  '#000000',
  '#0072B2',
  '#D55E00',
  '#007A5A',
  '#A4508B',
  '#882255',
  '#5E6A00',
  '#6A3D9A',
  '#8C510A',
  '#3B7FA8',
];

/** Options of {@link lineChart}. */
export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly { name: string; points?: boolean; color?: string; dash?: number[] }[];
  height?: number;
  /** A logarithmic y axis (values must be positive). */
  yLog?: boolean;
  /** Write each series' name at its last point, so lines are told apart without colour. */
  directLabels?: boolean;
}

/** Writes each line's name at its last point (direct labels). */
function labelEnds(u: uPlot, o: ChartOptions): void {
  const ctx = u.ctx;
  const xs = u.data[0];
  ctx.save();
  ctx.font = `bold ${Math.round(12 * devicePixelRatio)}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  o.series.forEach((s, k) => {
    const ys = u.data[k + 1];
    if (!ys || !u.series[k + 1]?.show) return;
    let last = ys.length - 1;
    while (last >= 0 && (ys[last] === null || ys[last] === undefined)) last--;
    if (last < 0) return;
    const x = u.valToPos(xs[last]!, 'x', true);
    const y = u.valToPos(ys[last] as number, 'y', true);
    ctx.fillStyle = s.color ?? PALETTE[k % PALETTE.length]!;
    ctx.fillText(s.name, x + 4, y);
  });
  ctx.restore();
}

/**
 * A uPlot line chart that follows its container's width (ResizeObserver). Series with `points`
 * draw dots only (spike markers). Where canvas is unavailable (tests without a browser) it keeps the
 * data and draws nothing.
 */
export function lineChart(container: HTMLElement, o: ChartOptions): Chart {
  const doc = container.ownerDocument;
  const box = doc.createElement('div');
  box.className = 'chart';
  const element = doc.createElement('div');
  element.setAttribute('role', 'img');
  element.setAttribute('aria-label', `${o.title}: ${o.yLabel} against ${o.xLabel}`);
  let last: uPlot.AlignedData | undefined;
  box.append(
    element,
    exportBar(
      doc,
      o.title,
      () => plot?.ctx.canvas,
      () =>
        toCSV(
          [o.xLabel, ...o.series.map((s) => s.name)],
          last
            ? Array.from(last[0], (x, k) => [
                x,
                ...last!.slice(1).map((y) => (y[k] ?? null) as number | null),
              ])
            : [],
        ),
    ),
  );
  container.append(box);
  const width = () => Math.max(240, Math.floor(element.clientWidth || container.clientWidth || 480));
  const canDraw =
    typeof (doc.createElement('canvas') as HTMLCanvasElement).getContext === 'function' &&
    !!(doc.createElement('canvas') as HTMLCanvasElement).getContext('2d');
  let plot: uPlot | undefined;
  let observer: ResizeObserver | undefined;
  const make = (data: uPlot.AlignedData) => {
    plot = new uPlot(
      {
        title: o.title,
        width: width(),
        height: o.height ?? 220,
        scales: { x: { time: false }, ...(o.yLog ? { y: { distr: 3 } } : {}) },
        ...(o.directLabels ? { padding: [8, 28, 0, 0] as [number, number, number, number] } : {}),
        hooks: o.directLabels ? { draw: [(u: uPlot) => labelEnds(u, o)] } : {},
        axes: [{ label: o.xLabel }, { label: o.yLabel }],
        legend: { show: o.series.length > 1 && o.series.length <= 10 },
        series: [
          { label: o.xLabel },
          ...o.series.map((s, k) => {
            const color = s.color ?? PALETTE[k % PALETTE.length]!;
            return s.points
              ? {
                  label: s.name,
                  stroke: color,
                  width: 0,
                  points: { show: true, size: 7, fill: color, stroke: color },
                  paths: () => null,
                }
              : {
                  label: s.name,
                  stroke: color,
                  width: s.dash ? 1.25 : 1.5,
                  points: { show: false },
                  ...(s.dash ? { dash: s.dash } : {}),
                };
          }),
        ],
      },
      data,
      element,
    );
    if (typeof ResizeObserver !== 'undefined') {
      observer = new ResizeObserver(() => plot?.setSize({ width: width(), height: o.height ?? 220 }));
      observer.observe(element);
    }
  };
  return {
    element: box,
    setData(xs, ys) {
      const data = [
        Array.from(xs),
        ...ys.map((y) => Array.from(y, (v) => (Number.isFinite(v) ? v : null))),
      ] as uPlot.AlignedData;
      last = data;
      if (!canDraw) return;
      if (!plot) make(data);
      else plot.setData(data);
    },
    destroy() {
      observer?.disconnect();
      plot?.destroy();
      box.remove();
    },
  };
}
