import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, snn, stackTrace, tiny, tmp } from './helpers.js';

// Impossible settings are refused up front with the reason (exit 2), before anything is written;
// a run that cannot learn says so (exit 6).
describe.runIf(existsSync(cli) || process.env.CI)('limits and dead runs (built CLI)', () => {
  it('sizes no backend can hold, a negative Poisson rate and zero bench repeats: exit 2 with the reason', () => {
    const out = join(tmp('limits'), 'run');
    for (const [args, message] of [
      [
        ['train', '--hidden', '100000000', '--out', out],
        /--hidden must be a whole number from 1 to 10000 \(the recurrent weights grow with its square/,
      ],
      [
        ['train', '--seq-length', '100000000', '--out', out],
        /--seq-length must be a whole number from 1 to 10000 \(backpropagation through time keeps every step/,
      ],
      [
        ['train', '--encoder', 'poisson', '--f-max', '-100', '--out', out],
        /--f-max must be a rate in Hz above 0 and at most 1000 .*\(got -100\)/,
      ],
      [['bench', '--repeats', '0'], /--repeats must be at least 1 \(got 0\)/],
      // Options without a command are train's (`npm start -- --epochs 5`).
      [['--epochs', '0', '--out', out], /--epochs must be a whole number from 1 to 1000000 \(got 0\)/],
    ] as const) {
      const r = snn([...args]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(stackTrace);
    }
    expect(existsSync(out)).toBe(false);
  });

  it('a run whose loss sits at ln 10 with chance accuracy for a whole epoch (--lr 9.99) stops: exit 6', () => {
    const out = tmp('dead');
    const r = snn(['train', ...tiny, '--lr', '9.99', '--epochs', '3', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(6);
    expect(r.stdout).toMatch(/training is not learning: over epoch 1 the loss stayed at ln 10 = 2\.3026/);
    expect(r.json.filter((e) => e.event === 'epoch')).toHaveLength(1);
  }, 120_000);

  it('`snn-train --epochs 1 …` trains (the default command)', () => {
    const out = tmp('default');
    const r = snn(['--epochs', '1', ...tiny, '--limit-train', '64', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.find((e) => e.event === 'result')?.aborted).toBe(false);
  }, 120_000);
});
