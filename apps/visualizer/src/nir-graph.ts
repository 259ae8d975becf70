import type { NIREdge, NIRNodeInfo } from '@snn/nir';

const SVG = 'http://www.w3.org/2000/svg';

const COLORS: Record<string, string> = {
  Input: '#e8e8e8',
  Output: '#e8e8e8',
  Affine: '#dbe9f6',
  Linear: '#dbe9f6',
  Conv1d: '#dbe9f6',
  Conv2d: '#dbe9f6',
  Scale: '#eef3f8',
  Flatten: '#f2f2f2',
  SumPool2d: '#eef3f8',
  AvgPool2d: '#eef3f8',
  Delay: '#f5f0e6',
  Threshold: '#fde2cf',
};
const NEURON = '#fde2cf';
const READOUT = '#dff0d8';

function el<K extends keyof SVGElementTagNameMap>(
  doc: Document,
  tag: K,
  attrs: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] {
  const e = doc.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * Draws a NIR model's nodes as boxes in the order they run (name and type, the @snn layer each runs
 * as, output shape, parameters), with arrows for the edges: forward edges straight down, edges that
 * close a cycle as arcs on the right marked `t−1`.
 */
export function drawNIRGraph(
  doc: Document,
  nodes: readonly NIRNodeInfo[],
  edges: readonly NIREdge[],
  backEdges: readonly NIREdge[],
  markerId: string,
): SVGSVGElement {
  const width = 560;
  const boxW = 400;
  const x0 = 40;
  const lineH = 15;
  const gap = 26;
  const heights = nodes.map((n) => 22 + lineH * Math.min(4, Object.keys(n.params).length + 1));
  const tops: number[] = [];
  let y = 10;
  for (const hgt of heights) {
    tops.push(y);
    y += hgt + gap;
  }
  const svg = el(doc, 'svg', {
    viewBox: `0 0 ${width} ${y}`,
    width: '100%',
    role: 'img',
    class: 'nir-graph',
    'aria-label': `NIR graph: ${nodes.map((n) => `${n.name} (${n.type})`).join(', ')}`,
  });
  const defs = el(doc, 'defs', {});
  const marker = el(doc, 'marker', {
    id: markerId,
    viewBox: '0 0 10 10',
    refX: 9,
    refY: 5,
    markerWidth: 6,
    markerHeight: 6,
    orient: 'auto-start-reverse',
  });
  marker.append(el(doc, 'path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#555' }));
  defs.append(marker);
  svg.append(defs);
  const index = new Map(nodes.map((n, k) => [n.name, k]));
  const back = new Set(backEdges.map(([a, b]) => `${a}\u0000${b}`));
  for (const [a, b] of edges) {
    const i = index.get(a);
    const j = index.get(b);
    if (i === undefined || j === undefined) continue;
    if (back.has(`${a}\u0000${b}`)) {
      const ya = tops[i]! + heights[i]! / 2;
      const yb = tops[j]! + heights[j]! / 2;
      const xr = x0 + boxW;
      const bulge = xr + 40 + 12 * Math.abs(i - j);
      svg.append(
        el(doc, 'path', {
          d: `M ${xr} ${ya} C ${bulge} ${ya}, ${bulge} ${yb}, ${xr + 2} ${yb}`,
          fill: 'none',
          stroke: '#d62728',
          'stroke-width': 1.5,
          'marker-end': `url(#${markerId})`,
          class: 'edge back',
        }),
        el(doc, 'text', { x: bulge - 4, y: (ya + yb) / 2, 'font-size': 11, fill: '#d62728' }, 't−1'),
      );
    } else if (j === i + 1) {
      const xa = x0 + boxW / 2;
      svg.append(
        el(doc, 'line', {
          x1: xa,
          y1: tops[i]! + heights[i]!,
          x2: xa,
          y2: tops[j]! - 2,
          stroke: '#555',
          'stroke-width': 1.2,
          'marker-end': `url(#${markerId})`,
          class: 'edge',
        }),
      );
    } else {
      // A forward edge that skips boxes: an arc on the left.
      const ya = tops[i]! + heights[i]! / 2;
      const yb = tops[j]! + heights[j]! / 2;
      const bulge = Math.max(2, x0 - 14 - 3 * Math.abs(j - i));
      svg.append(
        el(doc, 'path', {
          d: `M ${x0} ${ya} C ${bulge} ${ya}, ${bulge} ${yb}, ${x0 - 2} ${yb}`,
          fill: 'none',
          stroke: '#555',
          'stroke-width': 1.2,
          'marker-end': `url(#${markerId})`,
          class: 'edge',
        }),
      );
    }
  }
  nodes.forEach((n, k) => {
    const g = el(doc, 'g', { class: 'node', 'data-name': n.name, 'data-type': n.type });
    const fill = COLORS[n.type] ?? (n.spiking ? NEURON : READOUT);
    g.append(
      el(doc, 'rect', { x: x0, y: tops[k]!, width: boxW, height: heights[k]!, rx: 6, fill, stroke: '#888' }),
    );
    g.append(
      el(
        doc,
        'text',
        { x: x0 + 8, y: tops[k]! + 16, 'font-size': 13, 'font-weight': 600 },
        `${n.name} · ${n.type}`,
      ),
      el(
        doc,
        'text',
        { x: x0 + boxW - 8, y: tops[k]! + 16, 'font-size': 12, 'text-anchor': 'end', fill: '#333' },
        `[${n.outputShape.join('×')}]`,
      ),
    );
    const lines = [
      `runs as ${n.runsAs}${n.spiking ? ' · spikes' : ''}`,
      ...Object.entries(n.params).map(([p, v]) => `${p}: ${v}`),
    ];
    lines.slice(0, 4).forEach((line, r) => {
      g.append(
        el(
          doc,
          'text',
          { x: x0 + 8, y: tops[k]! + 16 + lineH * (r + 1), 'font-size': 11, fill: '#333' },
          line,
        ),
      );
    });
    svg.append(g);
  });
  return svg;
}
