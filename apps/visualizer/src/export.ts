import { h } from './dom.js';

/** File-name-safe form of a title: `Readout voltages (10)` → `readout-voltages-10`. */
export function fileName(title: string): string {
  return (
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 60) || 'figure'
  );
}

/** Comma-separated values: a header row and the rows, numbers as JavaScript prints them, text quoted. */
export function toCSV(
  header: readonly string[],
  rows: readonly (readonly (number | string | null)[])[],
): string {
  const cell = (v: number | string | null) =>
    v === null ? '' : typeof v === 'number' ? String(v) : `"${v.replaceAll('"', '""')}"`;
  return `${[header.map(cell).join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n')}\n`;
}

/** Makes the browser download `blob` as `name`. */
function download(doc: Document, blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = h(doc, 'a', { href: url, download: name, hidden: true });
  doc.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Two buttons under a figure: the figure as a PNG and its data as CSV. `canvas()` gives what to
 * save as PNG (undefined before anything is drawn), `csv()` the data.
 */
export function exportBar(
  doc: Document,
  title: string,
  canvas: () => HTMLCanvasElement | undefined,
  csv: () => string,
): HTMLElement {
  const name = fileName(title);
  const png = h(
    doc,
    'button',
    { type: 'button', class: 'small', 'aria-label': `download “${title}” as PNG` },
    'PNG',
  );
  const data = h(
    doc,
    'button',
    { type: 'button', class: 'small', 'aria-label': `download the data of “${title}” as CSV` },
    'CSV',
  );
  png.addEventListener('click', () => {
    canvas()?.toBlob((blob) => {
      if (blob) download(doc, blob, `${name}.png`);
    }, 'image/png');
  });
  data.addEventListener('click', () => download(doc, new Blob([csv()], { type: 'text/csv' }), `${name}.csv`));
  return h(doc, 'div', { class: 'export' }, 'download:', png, data);
}
