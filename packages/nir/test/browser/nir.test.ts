import { useBackend } from '@snn/core';
import { LIBoxCell, LIFCell, Linear, lifParams, sequential } from '@snn/neurons';
import { fromNIR, type NIRConvention, readNIR, toNIR, writeNIR } from '@snn/nir';
import { BROWSER_LOADERS, expectClose, expectEqual } from '@snn/test-utils/browser';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  FOREIGN_FILES,
  type ForeignGolden,
  NORSE_FILES,
  type NorseGolden,
  recordedTensor,
} from '../golden-data.js';

declare const __SNN_GOLDEN_DIR__: string;
const golden = __SNN_GOLDEN_DIR__;
if (!golden) console.warn('browser NIR golden tests skipped: SNN_GOLDEN_DIR is not set');

async function fetchGolden(file: string): Promise<Response | undefined> {
  if (!golden) return undefined;
  const r = await fetch(`/@fs${golden}/nir/${file}`);
  return r.ok ? r : undefined;
}

describe('@snn/nir in Chromium', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    for (const name of NORSE_FILES) {
      it(`[${backend}] ${name}: read in the browser, 'norse' reproduces Norse's original outputs, 'norse-importer' its importer's`, async (ctx) => {
        const nir = await fetchGolden(`${name}.nir`);
        const meta = await fetchGolden(`${name}.json`);
        if (!nir || !meta) {
          ctx.skip(`golden ${name} not available (SNN_GOLDEN_DIR unset or file held back)`);
          return;
        }
        await useBackend(backend, { loaders: BROWSER_LOADERS });
        const g = (await meta.json()) as NorseGolden;
        const graph = await readNIR(new Uint8Array(await nir.arrayBuffer()));
        for (const [convention, want] of [
          ['norse', g.original.outputs],
          ['norse-importer', g.imported.outputs],
        ] as [NIRConvention, unknown][]) {
          if (!want) continue;
          const model = fromNIR(graph, { convention, dt: g.dt });
          const x = recordedTensor(g.input.x, [g.T, g.B, ...model.inputShape])!;
          const r = model.run(x, { record: true });
          await expectClose(r.output, recordedTensor(want as never, r.output.shape)!, {
            atol: 1e-6,
            rtol: 0,
            label: `${name} ${convention}`,
          });
          const layers = model.nodes.filter((n) => n.type !== 'Input' && n.type !== 'Output');
          if (convention === 'norse')
            for (const [k, info] of layers.entries()) {
              const rec = g.original.hidden[String(k)];
              const t = rec === undefined ? undefined : recordedTensor(rec, r.nodes![info.name]!.shape);
              if (t && info.spiking) await expectEqual(r.nodes![info.name]!, t, `${name} layer ${k} spikes`);
            }
          model.dispose();
        }
      });
    }
  }

  for (const backend of ['wasm', 'cpu'] as const) {
    for (const name of FOREIGN_FILES) {
      it(`[${backend}] foreign ${name}: 'norse-importer' reproduces Norse's from_nir run`, async (ctx) => {
        const nir = await fetchGolden(`foreign/${name}.nir`);
        const meta = await fetchGolden(`foreign/${name}.json`);
        if (!nir || !meta) {
          ctx.skip(`golden foreign/${name} not available (SNN_GOLDEN_DIR unset or file held back)`);
          return;
        }
        await useBackend(backend, { loaders: BROWSER_LOADERS });
        const g = (await meta.json()) as ForeignGolden;
        const model = fromNIR(await readNIR(new Uint8Array(await nir.arrayBuffer())), {
          convention: 'norse-importer',
          dt: g.import.kwargs?.dt ?? 1e-3,
        });
        const run = g.run!;
        const x = recordedTensor((run.input.x ?? run.input) as never, run.input.shape)!;
        const y = model.call(x);
        expect(y.shape).toEqual(run.output_shape);
        await expectClose(y, recordedTensor(run.outputs, y.shape)!, { atol: 1e-6, rtol: 0, label: name });
        model.dispose();
      });
    }
  }

  for (const backend of ['webgl', 'webgpu', 'wasm', 'cpu'] as const) {
    it(`[${backend}] toNIR → writeNIR → readNIR → fromNIR runs as the original network`, async () => {
      await useBackend(backend, { loaders: BROWSER_LOADERS });
      const net = sequential(
        new Linear(8, 6, { seed: 1 }),
        new LIFCell(lifParams({ vTh: 0.2 })),
        new Linear(6, 3, { seed: 2 }),
        new LIBoxCell(),
      );
      const bytes = await writeNIR(await toNIR(net));
      expect(Array.from(bytes.subarray(0, 4))).toEqual([0x89, 0x48, 0x44, 0x46]);
      const model = fromNIR(await readNIR(bytes));
      const x = tf.cast(tf.less(tf.randomUniform([10, 2, 8], 0, 1, 'float32', 1), 0.5), 'float32');
      const y = model.call(x);
      expect(y.shape).toEqual([10, 2, 3]);
      expect((await y.data()).every(Number.isFinite)).toBe(true);
      model.dispose();
      net.dispose();
    });
  }
});
