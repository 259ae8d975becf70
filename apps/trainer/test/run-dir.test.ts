import {
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, data, snn, stackTrace, tiny, tmp } from './helpers.js';

// Run directories are shared between people: whatever their files say, the CLI reads nothing
// outside the run directory, never hangs on a device, and names the file and field at fault (exit 5).
describe.runIf(existsSync(cli) || process.env.CI)('run directories you can trust (built CLI)', () => {
  let run: string;
  beforeAll(() => {
    run = tmp('trusted');
    const r = snn(['train', ...tiny, '--checkpoint-every', '30', '--epochs', '1', '--out', run, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    // Kept: the mid-epoch checkpoint at batch 60 and the epoch's end.
    expect(readdirSync(join(run, 'checkpoints')).sort()).toEqual([
      'epoch-0001-batch-000060',
      'epoch-0001-batch-000064',
      'latest.json',
    ]);
  }, 120_000);

  /** A copy of the run to damage. */
  const copy = () => {
    const dir = join(tmp('damaged'), 'run');
    cpSync(run, dir, { recursive: true });
    return dir;
  };
  const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
  const latest = (dir: string) => join(dir, 'checkpoints', 'epoch-0001-batch-000064');
  /** Exit 5, one line naming the problem, no stack trace. */
  const expectRefused = (r: ReturnType<typeof snn>, message: RegExp) => {
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(stackTrace);
  };

  describe('nothing is read outside the run directory', () => {
    it('latest.json naming ../../elsewhere is refused on --resume', () => {
      const dir = copy();
      const elsewhere = join(dirname(dir), 'elsewhere', 'cp');
      cpSync(latest(dir), elsewhere, { recursive: true });
      writeFileSync(
        join(dir, 'checkpoints', 'latest.json'),
        JSON.stringify({ checkpoint: '../../elsewhere/cp' }),
      );
      expectRefused(
        snn(['train', '--resume', dir, '--epochs', '2', ...data]),
        /checkpoints\/latest\.json: "checkpoint" must name a folder of checkpoints\/ .*"\.\.\/\.\.\/elsewhere\/cp"/,
      );
    });

    it('a weightsManifest path ../../../../etc/hostname is refused by eval, its size never read', () => {
      const dir = copy();
      const model = json(join(dir, 'model', 'model.json'));
      model.weightsManifest[0].paths = ['../../../../etc/hostname'];
      writeFileSync(join(dir, 'model', 'model.json'), JSON.stringify(model));
      const r = snn(['eval', dir, ...data]);
      expectRefused(
        r,
        /model\/model\.json: weightsManifest\[0\]\.paths holds "\.\.\/\.\.\/\.\.\/\.\.\/etc\/hostname"/,
      );
      if (existsSync('/etc/hostname'))
        expect(r.stderr).not.toContain(` ${statSync('/etc/hostname').size} bytes`);
    });

    it('weights.bin linked to /dev/zero, or a manifest naming /dev/zero, fails fast instead of hanging', () => {
      const dir = copy();
      rmSync(join(dir, 'model', 'weights.bin'));
      symlinkSync('/dev/zero', join(dir, 'model', 'weights.bin'));
      const t0 = Date.now();
      expectRefused(
        snn(['eval', dir, ...data], { timeout: 60_000 }),
        /model\/weights\.bin: a link that leads outside/,
      );
      const model = json(join(dir, 'model', 'model.json'));
      model.weightsManifest[0].paths = ['/dev/zero'];
      writeFileSync(join(dir, 'model', 'model.json'), JSON.stringify(model));
      expectRefused(
        snn(['eval', dir, ...data], { timeout: 60_000 }),
        /weight files must be relative paths inside/,
      );
      expect(Date.now() - t0).toBeLessThan(60_000);
    });

    it('a metrics.csv linked elsewhere is refused on --resume, its target untouched', () => {
      const dir = copy();
      const target = join(dirname(dir), 'precious.txt');
      writeFileSync(target, 'do not append here\n');
      rmSync(join(dir, 'metrics.csv'));
      symlinkSync(target, join(dir, 'metrics.csv'));
      expectRefused(
        snn(['train', '--resume', dir, '--epochs', '2', ...data]),
        /metrics\.csv: metrics\.csv is a symbolic link; refusing to write through it/,
      );
      expect(readFileSync(target, 'utf8')).toBe('do not append here\n');
    });
  });

  describe('damaged but parseable files: exit 5 naming the file and field', () => {
    const cases: [string, (dir: string) => void, string[], RegExp][] = [
      [
        'a run that stopped before its first checkpoint',
        (d) => rmSync(join(d, 'checkpoints'), { recursive: true }),
        ['train', '--resume'],
        /no checkpoint to resume from \(checkpoints\/latest\.json is missing\)\nThe run stopped before its first checkpoint: start it again/,
      ],
      [
        'latest.json is {}',
        (d) => writeFileSync(join(d, 'checkpoints', 'latest.json'), '{}'),
        ['train', '--resume'],
        /checkpoints\/latest\.json: "checkpoint" must name a folder/,
      ],
      [
        'training.json without optimizer',
        (d) => {
          const t = json(join(latest(d), 'training.json'));
          delete t.optimizer;
          writeFileSync(join(latest(d), 'training.json'), JSON.stringify(t));
        },
        ['train', '--resume'],
        /checkpoints\/epoch-0001-batch-000064\/training\.json: "optimizer" is missing/,
      ],
      [
        'a manifest naming a missing file',
        (d) => {
          const m = json(join(d, 'model', 'model.json'));
          m.weightsManifest[0].paths = ['gone.bin'];
          writeFileSync(join(d, 'model', 'model.json'), JSON.stringify(m));
        },
        ['eval'],
        /model\/gone\.bin: missing/,
      ],
      [
        'config.json that is not JSON',
        (d) => writeFileSync(join(d, 'config.json'), '{"options": {'),
        ['eval'],
        /config\.json: not valid JSON/,
      ],
      [
        'config.json with "model": "evil"',
        (d) => {
          const c = json(join(d, 'config.json'));
          c.options.model = 'evil';
          writeFileSync(join(d, 'config.json'), JSON.stringify(c));
        },
        ['train', '--resume'],
        /config\.json: "options\.model" must be one of recurrent, conv \(got "evil"\)/,
      ],
      [
        'config.json with "hidden": -7',
        (d) => {
          const c = json(join(d, 'config.json'));
          c.options.hidden = -7;
          writeFileSync(join(d, 'config.json'), JSON.stringify(c));
        },
        ['eval'],
        /config\.json: "options\.hidden" must be a whole number from 1 to 10000/,
      ],
    ];
    for (const [name, damage, command, message] of cases) {
      it(name, () => {
        const dir = copy();
        damage(dir);
        const args =
          command[0] === 'eval'
            ? ['eval', dir, ...data]
            : ['train', '--resume', dir, '--epochs', '2', ...data];
        expectRefused(snn(args), message);
      });
    }

    it('config.json with "threads": 12 runs on at most the cores this machine has', () => {
      const dir = copy();
      const c = json(join(dir, 'config.json'));
      c.options.threads = 12;
      writeFileSync(join(dir, 'config.json'), JSON.stringify(c));
      const r = snn(['eval', dir, '--json', ...data]);
      expect(r.code, r.stderr).toBe(0);
      const used = Math.min(12, availableParallelism());
      if (used < 12)
        expect(r.json.find((e) => /threads: 12 asked/.test(String(e.message)))?.message).toBe(
          `threads: 12 asked, ${used} used (this machine has ${availableParallelism()} cores)`,
        );
    });

    it('a damaged latest checkpoint names the older intact one, and --checkpoint resumes from it', () => {
      const dir = copy();
      truncateSync(join(latest(dir), 'optimizer.bin'), 10);
      const r = snn(['train', '--resume', dir, '--epochs', '2', ...data]);
      expectRefused(
        r,
        /optimizer\.bin: 10 bytes where \d+ are expected .*intact checkpoints of this run: epoch-0001-batch-000060/,
      );
      expect(r.stderr).toMatch(/add --checkpoint epoch-0001-batch-000060 to the same command/);
      const again = snn([
        'train',
        '--resume',
        dir,
        '--epochs',
        '2',
        '--checkpoint',
        'epoch-0001-batch-000060',
        '--json',
        ...data,
      ]);
      expect(again.code, again.stderr).toBe(0);
      expect(
        again.json.find((e) => e.event === 'info' && /^resuming /.test(String(e.message)))?.message,
      ).toMatch(/at epoch 1, batch 61$/);
    }, 120_000);
  });

  describe('a new run never mixes with an old one', () => {
    it('train --out on a run directory is refused (exit 2, nothing touched); --overwrite moves it aside', () => {
      const dir = copy();
      const before = readFileSync(join(dir, 'config.json'), 'utf8');
      const r = snn(['train', ...tiny, '--epochs', '1', '--out', dir]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /already holds files .*: a new run would mix with them\. Continue that run with --resume/,
      );
      expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(before);
      const o = snn(['train', ...tiny, '--epochs', '1', '--out', dir, '--overwrite', '--quiet']);
      expect(o.code, o.stderr).toBe(0);
      const aside = readdirSync(dirname(dir)).filter((n) => n.startsWith('run.old-'));
      expect(aside).toHaveLength(1);
      expect(readFileSync(join(dirname(dir), aside[0]!, 'config.json'), 'utf8')).toBe(before);
      expect(readdirSync(join(dir, 'checkpoints')).sort()).toEqual([
        'epoch-0001-batch-000050',
        'epoch-0001-batch-000064',
        'latest.json',
      ]);
    }, 120_000);
  });
});
