import { describe, expect, it } from 'vitest';
import { lineChartSvg, mostActive } from '../src/plots.js';

/** The y tick labels of a chart, bottom to top (the labels right-aligned left of the y axis). */
const yTicks = (svg: string) =>
  [...svg.matchAll(/<text x="64" y="[\d.]+" text-anchor="end" font-size="12">([^<]+)<\/text>/g)].map((m) =>
    Number(m[1]),
  );

describe('lineChartSvg', () => {
  const accuracy = {
    name: 'test',
    xs: [1, 2, 3, 4, 5],
    ys: [97.64, 98.39, 98.69, 98.5, 98.73],
    markers: true,
  };

  it('spans the data when includeZero is off: a 1-point spread of accuracies fills the axis', () => {
    const svg = lineChartSvg({
      title: 't',
      xLabel: 'epoch',
      yLabel: '%',
      includeZero: false,
      series: [accuracy],
    });
    const ticks = yTicks(svg);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(Math.min(...ticks)).toBeGreaterThan(97);
    expect(Math.max(...ticks)).toBeLessThan(99.5);
    // The points' heights differ by most of the plot (y from 40 to 445 px): 97.64 near the bottom.
    const ys = [...svg.matchAll(/<circle cx="[\d.]+" cy="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(ys).toHaveLength(5);
    expect(Math.max(...ys) - Math.min(...ys)).toBeGreaterThan(300);
  });

  it('reaches 0 by default (losses, voltages), and draws empty series without NaN', () => {
    const ticks = yTicks(lineChartSvg({ title: 't', xLabel: 'x', yLabel: 'y', series: [accuracy] }));
    expect(ticks).toContain(0);
    expect(Math.max(...ticks)).toBeGreaterThanOrEqual(98);
    for (const includeZero of [true, false]) {
      const svg = lineChartSvg({
        title: 't',
        xLabel: 'x',
        yLabel: 'y',
        includeZero,
        series: [{ name: 'a', ys: [] }],
      });
      expect(svg).not.toMatch(/NaN|Infinity/);
    }
  });
});

describe('mostActive', () => {
  it('picks the largest counts first, lower index on ties, at most n and at most all', () => {
    expect(mostActive([0, 3, 1, 3, 0, 7], 3)).toEqual([5, 1, 3]);
    expect(mostActive([0, 0, 0], 2)).toEqual([0, 1]);
    expect(mostActive([2, 1], 10)).toEqual([0, 1]);
    expect(mostActive([], 10)).toEqual([]);
  });
});
