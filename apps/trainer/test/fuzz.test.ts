// The trainer's readers of run files (config.json, metrics.jsonl), fed thousands of random and
// mutated inputs: each ends in the documented error (CheckpointError, exit 5; UsageError for a
// folder that is no run) or a valid result, never another error or a hang.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mutatedBytes, mutatedJson, mutatedJsonText } from '@snn/test-utils/fuzz';
import { CheckpointError } from '@snn/train';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { checkSavedOptions, DEFAULTS, RULES, resolveOptions, UsageError } from '../src/options.js';
import { MetricsLog, readMetrics, readRunConfig } from '../src/run-dir.js';

/** Inputs each property runs (reported by the README). */
const RUNS = { options: 5000, config: 500, metrics: 500 };
const async = { timeout: 5000, markInterruptAsFailure: true } as const;

const root = mkdtempSync(join(tmpdir(), 'snn-fuzz-run-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let outcomes = { valid: 0, refused: 0 };
const expectBoth = () => {
  expect(outcomes.valid, 'some inputs should be valid').toBeGreaterThan(0);
  expect(outcomes.refused, 'some inputs should be refused').toBeGreaterThan(0);
  outcomes = { valid: 0, refused: 0 };
};

describe('fuzz: run directory files', () => {
  const saved = { ...DEFAULTS, model: 'conv', limitTrain: 1024, threads: 2, dataDir: '/data/mnist' };

  it(`checkSavedOptions: ${RUNS.options} mutated option sets pass the CLI's own rules or name the field`, () => {
    fc.assert(
      fc.property(mutatedJson(saved), (options) => {
        const r = checkSavedOptions(options);
        if ('problem' in r) {
          expect(r.field).toMatch(/^options(\.\w+)?$/);
          outcomes.refused++;
          return;
        }
        // One schema: what config.json may hold is exactly what the command line accepts.
        for (const [key, rule] of Object.entries(RULES))
          expect(rule(r.options[key as keyof typeof r.options])).toBeUndefined();
        expect(() => resolveOptions(r.options)).not.toThrow();
        outcomes.valid++;
      }),
      { numRuns: RUNS.options, seed: 16 },
    );
    expectBoth();
  });

  it(`readRunConfig: ${RUNS.config} mutated config.json files end in CheckpointError or checked options`, async () => {
    const config = { options: saved, backend: 'wasm', createdAt: '2026-01-01T00:00:00Z' };
    let k = 0;
    await fc.assert(
      fc.asyncProperty(mutatedJsonText(config), async (text) => {
        const dir = join(root, `config-${k++}`);
        mkdirSync(dir);
        writeFileSync(join(dir, 'config.json'), text);
        try {
          const c = await readRunConfig(dir);
          expect(() => resolveOptions(c.options)).not.toThrow();
          outcomes.valid++;
        } catch (error) {
          expect(error, String(error)).toBeInstanceOf(CheckpointError);
          expect((error as CheckpointError).file).toBe('config.json');
          outcomes.refused++;
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: RUNS.config, seed: 16, ...async },
    );
    expectBoth();
    // A folder without config.json is not a run: a usage error, not a damaged file.
    await expect(readRunConfig(root)).rejects.toBeInstanceOf(UsageError);
  }, 120_000);

  it(`metrics.jsonl: ${RUNS.metrics} mutated files are read line by line and truncated on resume without error`, async () => {
    const lines = [
      { kind: 'batch', epoch: 1, batch: 1, loss: 2.3 },
      { kind: 'batch', epoch: 1, batch: 2, loss: 2.2 },
      { kind: 'epoch', epoch: 1, loss: 2.25, testAccuracy: 0.2 },
      { kind: 'batch', epoch: 2, batch: 1, loss: 2.1 },
    ];
    const text = `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`;
    let k = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          mutatedBytes(fc.constant(new TextEncoder().encode(text))),
          mutatedJsonText(lines[0]).map((t) => new TextEncoder().encode(`${t}\n`)),
        ),
        async (bytes) => {
          const dir = join(root, `metrics-${k++}`);
          mkdirSync(dir);
          writeFileSync(join(dir, 'metrics.jsonl'), bytes);
          try {
            const rows = await readMetrics(dir);
            for (const r of rows) expect(['batch', 'epoch']).toContain(r.kind);
            const log = await MetricsLog.open(dir, { epoch: 1, nextBatch: 0, done: [0] });
            await log.close();
            const kept = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').filter(Boolean);
            for (const line of kept) {
              const row = JSON.parse(line);
              // Resuming at epoch 2, batch 1: only epoch 1's rows stay, each counted from 1.
              expect(row.epoch).toBe(1);
              if (row.kind === 'batch') expect(row.batch).toBeGreaterThanOrEqual(1);
            }
            outcomes.valid++;
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: RUNS.metrics, seed: 16, ...async },
    );
    expect(outcomes.valid).toBe(RUNS.metrics);
    outcomes = { valid: 0, refused: 0 };
  }, 120_000);
});
