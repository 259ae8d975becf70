/**
 * Checks against NIR's Python reader and Norse's importer (scripts/norse_nir.py). Needs Norse, NIR
 * and NIRTorch sources (`NORSE_SRC`, `NORSE_EXTRA_PATH`, as ../shared/bench/norse/setup.sh prints
 * them) and a Python with torch, numpy and h5py (`NORSE_PYTHON`, default /usr/bin/python3).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { disposeState } from '@snn/core';
import { DataLoader } from '@snn/datasets';
import { loadOfflineMnistSubset } from '@snn/datasets/node';
import { ConstantCurrentLIFEncoder } from '@snn/encoders';
import {
  LIBoxCell,
  LIFCell,
  LIFRecurrentCell,
  Linear,
  liBoxParams,
  lifParams,
  runCell,
  sequential,
} from '@snn/neurons';
import { arrayValues, fromNIR, type NIRArray, type NIRGraph, readNIR, toNIR, writeNIR } from '@snn/nir';
import { describeBackends, expectClose, goldenDir } from '@snn/test-utils';
import { fit, model, recurrentSNN } from '@snn/train';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, expect, it } from 'vitest';

const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'scripts', 'norse_nir.py');
const python = process.env.NORSE_PYTHON ?? '/usr/bin/python3';
const ready = !!process.env.NORSE_SRC && existsSync(python);
if (!ready)
  console.warn(
    'skipping the Python checks (nir.read, norse.torch.from_nir): set NORSE_SRC and NORSE_EXTRA_PATH (../shared/bench/norse/setup.sh prints them)',
  );
const work = mkdtempSync(join(tmpdir(), 'snn-nir-py-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function py(...args: string[]): unknown {
  const out = execFileSync(python, [script, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: {
      ...process.env,
      PYTHONPATH: [process.env.NORSE_SRC, process.env.NORSE_EXTRA_PATH, process.env.PYTHONPATH]
        .filter(Boolean)
        .join(':'),
      OPENBLAS_NUM_THREADS: '1',
    },
  });
  return JSON.parse(out);
}

interface PyNode {
  type: string;
  nodes?: Record<string, PyNode>;
  edges?: [string, string][];
  [field: string]: unknown;
}

/** Our graph and what NIR's Python `nir.read` made of the file agree field by field. */
function expectSameAsPython(mine: NIRGraph, theirs: PyNode, label: string): void {
  expect(new Set(theirs.edges!.map((e) => e.join(' → '))), label).toEqual(
    new Set(mine.edges.map((e) => e.join(' → '))),
  );
  expect(Object.keys(theirs.nodes!).sort(), label).toEqual(Object.keys(mine.nodes).sort());
  for (const [name, node] of Object.entries(mine.nodes)) {
    const p = theirs.nodes![name]!;
    expect(p.type, `${label} ${name}`).toBe(node.type);
    if (node.type === 'NIRGraph') {
      expectSameAsPython(node, p, `${label} ${name}`);
      continue;
    }
    for (const [field, v] of Object.entries(node)) {
      if (field === 'type' || field === 'metadata') continue;
      const q = p[field] as { dtype: string; shape: number[]; value: number[] } | string | undefined;
      if (typeof v === 'string') {
        expect(q, `${label} ${name}.${field}`).toBe(v);
        continue;
      }
      if (q === undefined || typeof q === 'string') continue; // Input/Output shapes are types in Python
      const a = v as NIRArray;
      expect({ dtype: q.dtype, shape: q.shape }, `${label} ${name}.${field}`).toEqual({
        dtype: a.dtype,
        shape: a.shape,
      });
      expect(q.value, `${label} ${name}.${field}`).toEqual(arrayValues(a));
    }
  }
}

describeBackends('NIR files in Python (nir.read, norse.torch.from_nir)', { only: ['wasm'] }, () => {
  it.skipIf(!ready)(
    "an @snn model's export: nir.read reads it as written; Norse's from_nir runs it as @snn does",
    async () => {
      // Built from @snn layers Norse's importer maps: Linear, LIFCell (CubaLIF), a recurrent LIF
      // (CubaLIF with a cycle through its recurrent weights), LIBoxCell (LI).
      const seq = sequential(
        new Linear(16, 12, { seed: 1 }),
        new LIFCell(lifParams({ vTh: 0.4, tauSynInv: 150, tauMemInv: 80 })),
        new LIFRecurrentCell(12, 10, lifParams({ vTh: 0.5 }), { seed: 2 }),
        new Linear(10, 4, { seed: 3 }),
        new LIBoxCell(liBoxParams({ tauMemInv: 50 })),
      );
      for (const v of seq.trainableVariables) v.assign(tf.mul(v, 2.5));
      const graph = await toNIR(seq, { convention: 'nir' });
      const file = join(work, 'snn.nir');
      writeFileSync(file, await writeNIR(graph));
      expectSameAsPython(graph, py('read', file) as PyNode, 'snn.nir');

      const T = 40;
      const x = tf.cast(tf.less(tf.randomUniform([T, 3, 16], 0, 1, 'float32', 4), 0.35), 'float32');
      writeFileSync(join(work, 'x.json'), JSON.stringify({ x: await x.array() }));
      const norse = py('run', file, join(work, 'x.json'), '0.001') as { outputs: number[]; shape: number[] };
      const [ours, final] = runCell(seq, x, undefined);
      expect(norse.shape).toEqual(ours.shape);
      await expectClose(ours, norse.outputs, { atol: 1e-5, rtol: 1e-5, label: "Norse's from_nir vs @snn" });
      // And our own reader agrees with Norse's importer bit for bit or nearly.
      const imported = fromNIR(await readNIR(readFileSync(file)), { convention: 'norse-importer' });
      await expectClose(imported.call(x), norse.outputs, {
        atol: 1e-6,
        rtol: 1e-6,
        label: "'norse-importer' vs Norse",
      });
      imported.dispose();
      tf.dispose([x, ours]);
      disposeState(final);
      seq.dispose();
    },
    300_000,
  );

  it.skipIf(!ready)(
    'a tutorial model trained with @snn/train (constant-current encoder, recurrent LIF, LI readout) exported for Norse: from_nir loads it and gives the same readout',
    async () => {
      const ds = await loadOfflineMnistSubset();
      const T = 16;
      const m = model({
        encoder: new ConstantCurrentLIFEncoder(T),
        network: recurrentSNN({ hiddenFeatures: 30, seed: 1 }),
      });
      const normalize = { mean: ds.info.mean, std: ds.info.std };
      await fit(m, new DataLoader(ds.train, { batchSize: 128, limit: 512, seed: 0, normalize }), {
        epochs: 1,
        learningRate: 4e-3,
      });
      const batch = new DataLoader(ds.test, { batchSize: 4, shuffle: false, normalize }).batches(0).next()
        .value!;
      const want = m.forward(batch.images);
      const graph = await toNIR(m, { importable: 'norse' });
      expect(Object.values(graph.nodes).some((n) => n.type === 'CubaLI')).toBe(false);
      const file = join(work, 'trained.nir');
      writeFileSync(file, await writeNIR(graph));
      const flat = tf.reshape(batch.images, [4, 784]);
      const x = tf.tile(tf.expandDims(flat, 0), [T, 1, 1]);
      writeFileSync(join(work, 'images.json'), JSON.stringify({ x: await x.array() }));
      const norse = py('run', file, join(work, 'images.json'), '0.001') as {
        outputs: number[];
        shape: number[];
      };
      expect(norse.shape).toEqual([T, 4, 10]);
      await expectClose(tf.tensor(norse.outputs, norse.shape), want.readout, {
        atol: 2e-5,
        rtol: 1e-4,
        label: "Norse's from_nir vs the trained @snn model",
      });
      tf.dispose([
        flat,
        x,
        batch.images,
        batch.labels,
        want.logProbs,
        want.readout,
        want.encoded,
        ...want.spikes,
      ]);
      m.dispose();
    },
    300_000,
  );

  const dir = join(goldenDir(), 'nir');
  const files = [
    'lif_linear',
    'lif_box',
    'lif_box_vreset',
    'if_linear',
    'if_vreset',
    'conv',
    'foreign/spyx_lif_norse',
    'foreign/snntorch_braille_noDelay_bias_zero',
    'foreign/spyx_scnn_mnist',
  ];
  it.skipIf(!ready || !existsSync(dir))(
    'golden files after writeNIR(toNIR(fromNIR(g))): nir.read reads them equal to the originals',
    async () => {
      const pairs: { f: string; path: string; out: string; g: NIRGraph }[] = [];
      for (const f of files) {
        const path = join(dir, `${f}.nir`);
        if (!existsSync(path)) continue;
        const g = await readNIR(readFileSync(path));
        const m = fromNIR(g, {
          convention: f.includes('snntorch') ? 'snntorch' : f.includes('scnn') ? 'spyx' : 'norse',
          dt: 1e-3,
        });
        const out = join(work, `${f.replace('/', '_')}.nir`);
        writeFileSync(out, await writeNIR(await toNIR(m)));
        m.dispose();
        pairs.push({ f, path, out, g });
      }
      // One Python process reads them all (importing torch and Norse takes seconds).
      const read = py('read', ...pairs.flatMap((p) => [p.path, p.out])) as Record<string, PyNode>;
      for (const { f, path, out, g } of pairs) {
        expect(read[out], f).toEqual(read[path]);
        expectSameAsPython(g, read[out]!, f);
      }
      const checked = pairs.length;
      expect(checked).toBeGreaterThan(0);
    },
    300_000,
  );
});
