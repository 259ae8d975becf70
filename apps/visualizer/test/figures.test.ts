// The small pure pieces behind the figures: CSV export, file names, smoothing, most active
// neurons, the surrogate curve.
import { describe, expect, it } from 'vitest';
import { fileName, toCSV } from '../src/export.js';
import { mostActive } from '../src/panels/activity.js';
import { surrogateCurve } from '../src/panels/neuron.js';
import { smoothed } from '../src/panels/train.js';

describe('figure helpers', () => {
  it('toCSV quotes text (doubling quotes), prints numbers, leaves gaps empty', () => {
    expect(
      toCSV(
        ['time (ms)', 'say "hi"'],
        [
          [1, 0.5],
          [2, null],
        ],
      ),
    ).toBe('"time (ms)","say ""hi"""\n1,0.5\n2,\n');
    expect(fileName('Readout voltages (10 classes)')).toBe('readout-voltages-10-classes');
    expect(fileName('—')).toBe('figure');
  });

  it('smoothed is a bias-corrected moving average: a constant stays constant, a step is followed', () => {
    expect(smoothed([2, 2, 2, 2])).toEqual([2, 2, 2, 2].map(() => expect.closeTo(2, 12)));
    const s = smoothed([...new Array(50).fill(1), ...new Array(50).fill(0)]);
    expect(s[49]).toBeCloseTo(1, 12);
    expect(s[55]!).toBeLessThan(0.6);
    expect(s[99]!).toBeLessThan(0.01);
  });

  it('mostActive picks the neurons that spike most, in index order, ties to the lower index', () => {
    // T = 2, H = 4: neuron 2 spikes twice, 0 and 3 once, 1 never.
    const z = Float32Array.from([1, 0, 1, 0, 0, 0, 1, 1]);
    expect(mostActive(z, 2, 4, 2)).toEqual([0, 2]);
    expect(mostActive(z, 2, 4, 3)).toEqual([0, 2, 3]);
    expect(mostActive(z, 2, 4, 10)).toEqual([0, 1, 2, 3]);
  });

  it('surrogateCurve: the derivative of the chosen method and its smooth step, from 0 to 1', () => {
    const sup = surrogateCurve('super', 100, 0.2, 401);
    expect(Math.max(...sup.derivative)).toBeCloseTo(1, 9);
    expect(sup.smooth[0]).toBe(0);
    expect(sup.smooth[400]).toBeCloseTo(1, 12);
    expect(sup.step[200]).toBe(0);
    expect(sup.step[201]).toBe(1);
    const tri = surrogateCurve('triangle', 0.3, 2, 401);
    expect(Math.max(...tri.derivative)).toBeCloseTo(0.3, 9);
    expect(tri.derivative[0]).toBe(0);
    const flat = surrogateCurve('heaviside', 0, 1, 11);
    expect(Math.max(...flat.derivative)).toBe(0);
    expect(Math.max(...flat.smooth)).toBe(0);
  });
});
