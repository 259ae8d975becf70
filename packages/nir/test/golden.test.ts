import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromNIR, type NIRConvention, readNIR } from '@snn/nir';
import { describeBackends, expectClose, expectEqual, goldenDir } from '@snn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  FOREIGN_FILES,
  type ForeignGolden,
  NORSE_FILES,
  type NorseGolden,
  nestedShape,
  type Recorded,
  recordedTensor,
} from './golden-data.js';

const dir = join(goldenDir(), 'nir');
const have = (f: string) => existsSync(join(dir, f));
if (!existsSync(dir))
  console.warn(`NIR golden tests skipped: ${dir} not found (set SNN_GOLDEN_DIR to the golden folder)`);
const json = <T>(f: string): T => JSON.parse(readFileSync(join(dir, f), 'utf8')) as T;
const bytes = (f: string) => new Uint8Array(readFileSync(join(dir, f)));

/** The input of a golden run as a tensor `[T, B, ...]`. */
function inputOf(
  x: Recorded | undefined,
  info: Record<string, unknown>,
  shape: readonly number[],
): tf.Tensor {
  const t = x === undefined ? recordedTensor(info as Recorded, shape) : recordedTensor(x, shape);
  if (!t) throw new Error('golden input is only summarised');
  return t;
}

async function compareLayer(
  got: tf.Tensor,
  want: Recorded,
  spiking: boolean,
  label: string,
): Promise<'exact' | 'close' | 'skipped'> {
  const w = recordedTensor(want, got.shape);
  if (!w) return 'skipped';
  const want_ = await w.data();
  const exact = (await got.data()).every((v, k) => v === want_[k]);
  if (spiking) await expectEqual(got, w, `${label} (spikes)`);
  else await expectClose(got, w, { atol: 1e-6, rtol: 0, label });
  w.dispose();
  return exact ? 'exact' : 'close';
}

describeBackends('golden NIR files written by Norse', {}, ({ backend }) => {
  for (const name of NORSE_FILES) {
    const present = have(`${name}.nir`) && have(`${name}.json`);
    const label = present ? name : `${name} (golden file absent: skipped)`;
    it.skipIf(!present)(
      `${label}: 'norse' reproduces the ORIGINAL Norse model (spikes exact, values ≤ 1e-6)`,
      async () => {
        const g = json<NorseGolden>(`${name}.json`);
        const model = fromNIR(await readNIR(bytes(`${name}.nir`)), { convention: 'norse', dt: g.dt });
        const x = inputOf(g.input.x, g.input as never, [g.T, g.B, ...model.inputShape]);
        const r = model.run(x, { record: true, recordStates: true });
        const verdicts: string[] = [];
        expect(r.output.shape).toEqual(g.original.output_shape);
        verdicts.push(
          `outputs ${await compareLayer(r.output, g.original.outputs, false, `${name} outputs`)}`,
        );
        const layers = model.nodes.filter((n) => n.type !== 'Input' && n.type !== 'Output');
        for (const [k, info] of layers.entries()) {
          const rec = g.original.hidden[String(k)];
          if (rec !== undefined)
            verdicts.push(
              `${k}:${await compareLayer(r.nodes![info.name]!, rec, info.spiking, `${name} layer ${k}`)}`,
            );
          for (const field of ['v', 'i']) {
            const s = g.original.hidden[`${k}.${field}`];
            const mine = r.states?.[info.name]?.[field];
            if (s !== undefined && mine !== undefined)
              verdicts.push(
                `${k}.${field}:${await compareLayer(mine, s, false, `${name} layer ${k}.${field}`)}`,
              );
          }
        }
        console.log(`[${backend}] ${name} norse vs original: ${verdicts.join(' ')}`);
        tf.dispose([
          x,
          ...Object.values(r.nodes!),
          ...Object.values(r.states!).flatMap((s) => Object.values(s)),
        ]);
        model.dispose();
      },
    );

    it.skipIf(!present)(`${label}: 'norse-importer' reproduces norse.torch.from_nir`, async () => {
      const g = json<NorseGolden>(`${name}.json`);
      if (!g.imported.outputs) return;
      const model = fromNIR(await readNIR(bytes(`${name}.nir`)), { convention: 'norse-importer', dt: g.dt });
      const x = inputOf(g.input.x, g.input as never, [g.T, g.B, ...model.inputShape]);
      const r = model.run(x, { record: true });
      const verdict = await compareLayer(r.output, g.imported.outputs, false, `${name} imported outputs`);
      for (const info of model.nodes) {
        const rec = g.imported.hidden?.[info.name];
        if (rec !== undefined && info.type !== 'Input' && info.type !== 'Output')
          await compareLayer(r.nodes![info.name]!, rec, info.spiking, `${name} imported ${info.name}`);
      }
      console.log(`[${backend}] ${name} norse-importer vs from_nir: outputs ${verdict}`);
      tf.dispose([x, ...Object.values(r.nodes!)]);
      model.dispose();
    });
  }

  for (const name of FOREIGN_FILES) {
    const present = have(`foreign/${name}.nir`) && have(`foreign/${name}.json`);
    const label = present ? name : `${name} (golden file absent: skipped)`;
    it.skipIf(!present)(`foreign ${label}: 'norse-importer' reproduces Norse's from_nir run`, async () => {
      const g = json<ForeignGolden>(`foreign/${name}.json`);
      const run = g.run!;
      const model = fromNIR(await readNIR(bytes(`foreign/${name}.nir`)), {
        convention: 'norse-importer',
        dt: g.import.kwargs?.dt ?? 1e-3,
      });
      const shape = run.input.shape;
      const x = inputOf(run.input.x, run.input, shape);
      const r = model.run(x, { record: true });
      expect(r.output.shape).toEqual(run.output_shape);
      const verdict = await compareLayer(
        r.output,
        run.outputs,
        model.nodes.at(-2)!.spiking,
        `${name} outputs`,
      );
      for (const [k, count] of Object.entries(run.hidden_spike_counts ?? {})) {
        const node = r.nodes?.[k];
        if (node && model.nodes.find((n) => n.name === k)?.spiking)
          expect(await tf.sum(node).array(), `${name} spikes of ${k}`).toBe(count);
      }
      console.log(`[${backend}] foreign ${name} norse-importer vs from_nir: outputs ${verdict}`);
      tf.dispose([x, ...Object.values(r.nodes!)]);
      model.dispose();
    });

    const own: Record<string, NIRConvention> = {
      spyx_lif_norse: 'norse',
      snntorch_braille_noDelay_bias_zero: 'snntorch',
      spyx_scnn_mnist: 'spyx',
    };
    it.skipIf(!present)(
      `foreign ${label}: runs with its writer's convention with the right output shape`,
      async () => {
        const g = json<ForeignGolden>(`foreign/${name}.json`);
        const model = fromNIR(await readNIR(bytes(`foreign/${name}.nir`)), {
          convention: own[name]!,
          dt: 1e-3,
        });
        const [T, B] = g.run!.input.shape;
        const x = tf.cast(
          tf.less(tf.randomUniform([T!, B!, ...model.inputShape], 0, 1, 'float32', 7), 0.3),
          'float32',
        );
        const y = model.call(x);
        expect(y.shape).toEqual([T, B, ...model.outputShape]);
        expect(nestedShape(g.run!.outputs).slice(2)).toEqual([...model.outputShape]);
        expect((await y.data()).every(Number.isFinite)).toBe(true);
        tf.dispose([x, y]);
        model.dispose();
      },
    );
  }
});

describe('golden files: reading', () => {
  it.skipIf(!existsSync(dir))(
    'every golden .nir reads back as nir.read reported it (types, edges, dtypes, values)',
    async () => {
      const cases = [
        ...NORSE_FILES.map((n) => [`${n}.nir`, `${n}.json`] as const),
        ...FOREIGN_FILES.map((n) => [`foreign/${n}.nir`, `foreign/${n}.json`] as const),
      ].filter(([a, b]) => have(a) && have(b));
      expect(cases.length).toBeGreaterThan(0);
      for (const [file, meta] of cases) {
        const g = await readNIR(bytes(file));
        const want = json<NorseGolden>(meta);
        expect(new Set(g.edges.map((e) => e.join(' → '))), file).toEqual(
          new Set(want.nir_edges.map((e) => e.join(' → '))),
        );
        expect(Object.keys(g.nodes).sort(), file).toEqual(Object.keys(want.nir_nodes).sort());
        for (const [name, fields] of Object.entries(want.nir_nodes)) {
          const node = g.nodes[name] as unknown as Record<string, unknown>;
          expect(node.type, `${file} ${name}`).toBe(fields.type);
          for (const [field, spec] of Object.entries(fields)) {
            if (field === 'type' || field === 'input_type' || field === 'output_type') continue;
            const s = spec as { dtype?: string; shape?: number[]; value?: unknown };
            const mine = node[field] as
              | { dtype: string; shape: number[]; data: ArrayLike<number | bigint> }
              | undefined;
            if (s?.dtype === undefined || mine === undefined) continue;
            expect(mine.dtype, `${file} ${name}.${field}`).toBe(s.dtype);
            expect(mine.shape, `${file} ${name}.${field}`).toEqual(s.shape);
            if (Array.isArray(s.value)) {
              const flat = (s.value as unknown[]).flat(8) as number[];
              const round = mine.dtype === 'float32' ? Math.fround : (v: number) => v;
              expect(Array.from(mine.data, Number), `${file} ${name}.${field}`).toEqual(flat.map(round));
            }
          }
        }
      }
    },
  );
});
