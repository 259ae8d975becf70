import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../src/main.js';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(app, 'dist', 'cli.js');
const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  bin: Record<string, string>;
};

describe('snn-train --version', () => {
  it('is the version of the @snn/trainer package, from its package.json', () => {
    expect(pkg.name).toBe('@snn/trainer');
    expect(VERSION).toBe(pkg.version);
    expect(pkg.bin['snn-train']).toBe('./dist/cli.js');
  });

  it.runIf(existsSync(cli) || process.env.CI)(
    'the built bin prints it for --version and -V, and exits 0',
    () => {
      for (const flag of ['--version', '-V']) {
        const r = spawnSync(process.execPath, [cli, flag], { encoding: 'utf8' });
        expect(r.status).toBe(0);
        expect(r.stdout.trim()).toBe(pkg.version);
      }
      expect(readFileSync(cli, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    },
  );
});
