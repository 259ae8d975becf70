import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, deadPid, metricsRows, snn, snnUntil, stackTrace, tiny, tmp, weights } from './helpers.js';

// Resume is bit-exact: a run stopped anywhere and resumed ends with the same weights.bin, byte for
// byte, as the same run never stopped.
describe.runIf(existsSync(cli) || process.env.CI)('resume (built CLI)', () => {
  const run = [...tiny, '--checkpoint-every', '10'];
  let straight: string;
  beforeAll(() => {
    straight = tmp('straight');
    const r = snn(['train', ...run, '--epochs', '2', '--out', straight, '--json']);
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);

  /** Batch rows of a run's metrics: each (epoch, batch) once, all of them. */
  const expectMetricsOnce = (dir: string) => {
    const rows = metricsRows(dir);
    const batches = rows.filter((r) => r.kind === 'batch').map((r) => `${r.epoch}:${r.batch}`);
    expect(new Set(batches).size).toBe(batches.length);
    expect(batches).toHaveLength(128);
    expect(rows.filter((r) => r.kind === 'epoch').map((r) => r.epoch)).toEqual([1, 2]);
  };

  it('after an epoch boundary: 1 epoch, then --resume --epochs 2 gives the same weights.bin', () => {
    const dir = tmp('boundary');
    expect(snn(['train', ...run, '--epochs', '1', '--out', dir, '--quiet']).code).toBe(0);
    const r = snn(['train', '--resume', dir, '--epochs', '2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const resumed = r.json.find((e) => e.event === 'info' && /^resuming /.test(String(e.message)));
    expect(resumed?.message).toMatch(/after epoch 1 \(at epoch 2, batch 1\)$/);
    expect(weights(dir).equals(weights(straight))).toBe(true);
    expectMetricsOnce(dir);
  }, 120_000);

  it('from a --checkpoint-every checkpoint in mid-epoch (--checkpoint names it) to the same weights.bin', () => {
    const dir = tmp('every');
    cpSync(straight, dir, { recursive: true });
    const r = snn(['train', '--resume', dir, '--checkpoint', 'epoch-0002-batch-000060', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.find((e) => e.event === 'info' && /^resuming /.test(String(e.message)))?.message).toMatch(
      /at epoch 2, batch 61$/,
    );
    expect(r.json.filter((e) => e.event === 'batch')).toHaveLength(4);
    expect(weights(dir).equals(weights(straight))).toBe(true);
    expectMetricsOnce(dir);
  }, 120_000);

  it('after kill -9: resumes from the last checkpoint, re-runs what came after it once, same weights.bin', async () => {
    const dir = tmp('kill');
    const killed = await snnUntil(
      ['train', ...run, '--epochs', '2', '--out', dir, '--json'],
      (e) => e.event === 'batch' && e.epoch === 1 && Number(e.batch) >= 25,
      'SIGKILL',
    );
    expect(killed.signalled).toBe(true);
    expect(existsSync(join(dir, 'model'))).toBe(false);
    expect(existsSync(join(dir, 'run.lock'))).toBe(true); // left by the killed process, taken over
    const r = snn(['train', '--resume', dir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const resumed = r.json.find((e) => e.event === 'info' && /^resuming /.test(String(e.message)));
    expect(resumed?.message).toMatch(/at epoch 1, batch (21|31|41|51|61)$/);
    expect(weights(dir).equals(weights(straight))).toBe(true);
    expectMetricsOnce(dir);
    expect(
      readdirSync(join(dir, 'checkpoints')).every((f) => /^(latest\.json|epoch-\d+-batch-\d+)$/.test(f)),
    ).toBe(true);
    expect(existsSync(join(dir, 'run.lock'))).toBe(false);
  }, 180_000);

  it('after Ctrl-C (SIGINT) in mid-epoch: exit 130, then --resume gives the same weights.bin', async () => {
    const dir = tmp('sigint');
    const stopped = await snnUntil(
      ['train', ...run, '--epochs', '2', '--out', dir, '--json'],
      (e) => e.event === 'batch' && e.epoch === 2 && Number(e.batch) >= 3,
      'SIGINT',
    );
    expect(stopped.code).toBe(130);
    expect(stopped.events.find((e) => e.event === 'result')?.aborted).toBe(true);
    expect(
      stopped.events.find(
        (e) => e.event === 'warning' && /stopping after the current batch/.test(String(e.message)),
      ),
    ).toBeTruthy();
    const r = snn(['train', '--resume', dir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(weights(dir).equals(weights(straight))).toBe(true);
    expectMetricsOnce(dir);
  }, 180_000);

  it("Ctrl-C during an epoch's last batch keeps that epoch: its test pass runs on resume, its accuracy is reported", async () => {
    // One batch per epoch, large enough that the signal lands while it trains.
    const one = [
      '--limit-train',
      '512',
      '--batch-size',
      '512',
      '--seq-length',
      '32',
      '--hidden',
      '100',
      '--limit-test',
      '200',
    ];
    const args = [...tiny, ...one, '--epochs', '2'];
    const whole = tmp('last-straight');
    const s = snn(['train', ...args, '--out', whole, '--json']);
    expect(s.code, s.stderr).toBe(0);
    const epochOne = s.json.find((e) => e.event === 'epoch' && e.epoch === 1)!;

    const dir = tmp('last');
    const stopped = await snnUntil(
      ['train', ...args, '--out', dir, '--json'],
      (e) => e.event === 'start',
      'SIGINT',
    );
    expect(stopped.code).toBe(130);
    expect(stopped.events.filter((e) => e.event === 'batch')).toHaveLength(1);
    expect(stopped.events.some((e) => e.event === 'epoch')).toBe(false);
    const r = snn(['train', '--resume', dir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.find((e) => e.event === 'info' && /^resuming /.test(String(e.message)))?.message).toMatch(
      /at the end of epoch 1 \(its test pass was interrupted: it runs first\)/,
    );
    const resumedOne = r.json.find((e) => e.event === 'epoch' && e.epoch === 1);
    expect(resumedOne?.testAccuracy).toBe(epochOne.testAccuracy);
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toMatch(
      new RegExp(
        `\\| 1 \\| [\\d.]+ \\| [\\d.]+% \\| [\\d.]+ \\| ${(100 * Number(epochOne.testAccuracy)).toFixed(2)}%`,
      ),
    );
    expect(weights(dir).equals(weights(whole))).toBe(true);
  }, 240_000);

  it('--resume --lr applies the new rate from that batch on and records the change', () => {
    const dir = tmp('lr');
    expect(snn(['train', ...run, '--epochs', '1', '--out', dir, '--quiet']).code).toBe(0);
    const r = snn(['train', '--resume', dir, '--epochs', '2', '--lr', '0.001', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const epoch2 = r.json.filter((e) => e.event === 'batch' && e.epoch === 2);
    expect(epoch2.every((e) => e.learningRate === 0.001)).toBe(true);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(config.options.lr).toBe(0.001);
    expect(config.resumes).toEqual([
      expect.objectContaining({
        at: { epoch: 2, batch: 1 },
        changed: expect.objectContaining({ lr: { from: 0.002, to: 0.001 } }),
      }),
    ]);
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toMatch(
      /Resumed at epoch 2, batch 1 with lr 0\.002 → 0\.001/,
    );
    const rows = metricsRows(dir).filter((x) => x.kind === 'batch');
    expect(rows.filter((x) => x.epoch === 1).every((x) => x.learningRate === 0.002)).toBe(true);
    expect(rows.filter((x) => x.epoch === 2).every((x) => x.learningRate === 0.001)).toBe(true);
  }, 120_000);

  it('refuses to change what defines the run, and cleans what killed processes left half-written', () => {
    const dir = tmp('fixed');
    cpSync(straight, dir, { recursive: true });
    const hidden = snn(['train', '--resume', dir, '--hidden', '17']);
    expect(hidden.code).toBe(2);
    expect(hidden.stderr).toMatch(/--hidden cannot change when resuming \(the run has 16, you gave 17\)/);
    // Temporaries of a process that no longer runs (the pid of a finished child).
    const dead = deadPid();
    const stale = [
      `checkpoints/epoch-0003-batch-000010.tmp-${dead}-0badc0de`,
      `config.json.tmp-${dead}-0badc0de`,
    ];
    mkdirSync(join(dir, stale[0]!), { recursive: true });
    writeFileSync(join(dir, stale[1]!), 'half');
    const r = snn(['train', '--resume', dir, '--epochs', '3', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(stackTrace);
    for (const s of stale) expect(existsSync(join(dir, s)), s).toBe(false);
  }, 120_000);
});
