import { h, Listeners } from './dom.js';

/** A 28×28 digit shown large; drawing on it with mouse, pen or touch paints a soft brush. */
export interface DigitCanvas {
  readonly element: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  /** Shows an image (784 values in [0, 1]). */
  show(image: Float32Array): void;
  /** The image as drawn. */
  image(): Float32Array;
  destroy(): void;
}

/** A drawable 28×28 canvas; `onChange` fires when the user draws or clears. */
export function digitCanvas(
  doc: Document,
  label: string,
  onChange: (image: Float32Array) => void,
): DigitCanvas {
  const listeners = new Listeners();
  const pixels = new Float32Array(784);
  const canvas = h(doc, 'canvas', {
    width: 168,
    height: 168,
    class: 'digit',
    'aria-label': `${label}: draw a digit here`,
  });
  const clear = h(doc, 'button', { type: 'button' }, 'clear');
  const element = h(doc, 'div', { class: 'digit-box' }, canvas, clear);
  const paint = () => {
    const ctx = canvas.getContext?.('2d');
    if (!ctx) return;
    const img = ctx.createImageData(28, 28);
    for (let p = 0; p < 784; p++) {
      const v = 255 - Math.round(Math.min(1, Math.max(0, pixels[p]!)) * 255);
      img.data.set([v, v, v, 255], p * 4);
    }
    const small = doc.createElement('canvas');
    small.width = 28;
    small.height = 28;
    const sctx = small.getContext('2d');
    if (!sctx) return;
    sctx.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
  };
  let drawing = false;
  const brush = (e: PointerEvent) => {
    const r = canvas.getBoundingClientRect();
    const x = ((e.clientX - r.left) / r.width) * 28;
    const y = ((e.clientY - r.top) / r.height) * 28;
    for (let py = Math.floor(y) - 2; py <= Math.floor(y) + 2; py++) {
      for (let px = Math.floor(x) - 2; px <= Math.floor(x) + 2; px++) {
        if (px < 0 || py < 0 || px >= 28 || py >= 28) continue;
        const d2 = (px + 0.5 - x) ** 2 + (py + 0.5 - y) ** 2;
        pixels[py * 28 + px] = Math.min(1, pixels[py * 28 + px]! + Math.exp(-d2 / 1.2));
      }
    }
    paint();
  };
  listeners.on(canvas, 'pointerdown', (e) => {
    drawing = true;
    canvas.setPointerCapture?.((e as PointerEvent).pointerId);
    brush(e as PointerEvent);
  });
  listeners.on(canvas, 'pointermove', (e) => {
    if (drawing) brush(e as PointerEvent);
  });
  const end = () => {
    if (!drawing) return;
    drawing = false;
    onChange(pixels.slice());
  };
  listeners.on(canvas, 'pointerup', end);
  listeners.on(canvas, 'pointerleave', end);
  listeners.on(clear, 'click', () => {
    pixels.fill(0);
    paint();
    onChange(pixels.slice());
  });
  return {
    element,
    canvas,
    show(image) {
      pixels.set(image);
      paint();
    },
    image: () => pixels.slice(),
    destroy() {
      listeners.dispose();
      element.remove();
    },
  };
}
