import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Composable,
  Conv2d,
  IAFCell,
  iafParams,
  LIBoxCell,
  LIFBoxCell,
  LIFCell,
  Linear,
  liBoxParams,
  lifBoxParams,
  lifParams,
  sequential,
} from '@snn/neurons';
import {
  arraysEqual,
  flattenGraph,
  fromNIR,
  type NIRArray,
  type NIRGraph,
  type NIRNode,
  nirLayout,
  orderGraph,
  readNIR,
  toNIR,
  writeNIR,
} from '@snn/nir';
import { describeBackends, goldenDir } from '@snn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { FOREIGN_FILES, NORSE_FILES, type NorseGolden } from './golden-data.js';

const dir = join(goldenDir(), 'nir');
const have = (f: string) => existsSync(join(dir, f));
const bytes = (f: string) => new Uint8Array(readFileSync(join(dir, f)));

/** Node names in run order (Input first). */
function order(g: NIRGraph): string[] {
  return orderGraph(flattenGraph(g)).order.slice();
}

/** Fails with the first difference between two graphs (names mapped by run order). */
function expectSameGraph(a: NIRGraph, b: NIRGraph, label: string, checkStorage = true): void {
  const oa = order(a);
  const ob = order(b);
  expect(oa.length, `${label}: node count`).toBe(ob.length);
  oa.forEach((na, k) => {
    const x = a.nodes[na] as unknown as Record<string, unknown>;
    const y = b.nodes[ob[k]!] as unknown as Record<string, unknown>;
    expect(x.type, `${label}: node ${k} (${na} vs ${ob[k]})`).toBe(y.type);
    const fields = new Set(
      [...Object.keys(x), ...Object.keys(y)].filter((f) => f !== 'type' && f !== 'metadata'),
    );
    for (const f of fields) {
      const u = x[f] as NIRArray | string | undefined;
      const v = y[f] as NIRArray | string | undefined;
      if (typeof u === 'string' || typeof v === 'string' || u === undefined || v === undefined) {
        expect(u, `${label}: ${na}.${f}`).toEqual(v);
        continue;
      }
      expect({ dtype: u.dtype, shape: u.shape }, `${label}: ${na}.${f}`).toEqual({
        dtype: v.dtype,
        shape: v.shape,
      });
      expect(
        arraysEqual(u, v),
        `${label}: ${na}.${f} values ${Array.from(u.data as ArrayLike<number>).slice(0, 4)} vs ${Array.from(v.data as ArrayLike<number>).slice(0, 4)}`,
      ).toBe(true);
      if (checkStorage)
        expect(u.storage ?? 'array', `${label}: ${na}.${f} storage`).toBe(v.storage ?? 'array');
    }
  });
}

/** Rebuilds a golden Norse model from the modules recorded in its JSON. */
function rebuild(g: NorseGolden): Composable[] {
  const t = (v: unknown) => tf.tensor(v as number[]);
  const p = (m: Record<string, unknown>) => m.p as Record<string, unknown>;
  return Object.values(g.model.modules).map((m) => {
    const cls = m.cls.split('.').at(-1)!;
    if (cls === 'Linear') {
      const w = m.weight as number[][];
      const layer = new Linear(w[0]!.length, w.length, { bias: m.bias !== null, seed: 0 });
      layer.weight.assign(t(w));
      if (m.bias) layer.bias!.assign(t(m.bias));
      return layer;
    }
    if (cls === 'Conv2d') {
      const w = tf.tensor(m.weight as number[]); // [out, in, k, k]
      const [cout, cin, k] = w.shape as number[];
      const stride = Array.isArray(m.stride)
        ? (m.stride[0] as number)
        : ((m.stride as number | undefined) ?? 1);
      const pad = Array.isArray(m.padding)
        ? (m.padding[0] as number)
        : ((m.padding as number | undefined) ?? 0);
      const layer = new Conv2d(cin!, cout!, k!, { stride, padding: pad, seed: 0 });
      layer.weight.assign(tf.transpose(w, [2, 3, 1, 0]));
      layer.bias!.assign(t(m.bias));
      return layer;
    }
    const q = p(m);
    const dt = m.dt as number;
    if (cls === 'LIFCell')
      return new LIFCell(
        lifParams({
          tauSynInv: t(q.tau_syn_inv),
          tauMemInv: t(q.tau_mem_inv),
          vLeak: t(q.v_leak),
          vTh: t(q.v_th),
          vReset: t(q.v_reset),
        }),
        dt,
      );
    if (cls === 'LIFBoxCell')
      return new LIFBoxCell(
        lifBoxParams({
          tauMemInv: t(q.tau_mem_inv),
          vLeak: t(q.v_leak),
          vTh: t(q.v_th),
          vReset: t(q.v_reset),
        }),
        dt,
      );
    if (cls === 'LIBoxCell')
      return new LIBoxCell(liBoxParams({ tauMemInv: t(q.tau_mem_inv), vLeak: t(q.v_leak) }), dt);
    if (cls === 'IAFCell') return new IAFCell(iafParams({ vTh: t(q.v_th), vReset: t(q.v_reset) }));
    throw new Error(`unknown module ${m.cls}`);
  });
}

describeBackends('toNIR', { only: ['cpu'] }, () => {
  for (const name of NORSE_FILES) {
    const present = have(`${name}.nir`) && have(`${name}.json`);
    it.skipIf(!present)(
      `${present ? name : `${name} (golden file absent: skipped)`}: toNIR(convention 'norse') of the rebuilt model equals Norse's export, array by array, and its file has the same HDF5 layout`,
      async () => {
        const g = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as NorseGolden;
        const golden = await readNIR(bytes(`${name}.nir`));
        const inputShape = Array.from((golden.nodes.input_tensor as { shape: NIRArray }).shape.data, Number);
        const layers = rebuild(g);
        const mine = await toNIR(sequential(...layers), { convention: 'norse', inputShape });
        expectSameGraph(mine, golden, name);
        // The file, with our node names replaced by Norse's (torch.fx's), has Norse's layout.
        const names = new Map(order(mine).map((n, k) => [n, order(golden)[k]!]));
        const renamed: NIRGraph = {
          type: 'NIRGraph',
          nodes: Object.fromEntries(Object.entries(mine.nodes).map(([n, v]) => [names.get(n)!, v])),
          edges: mine.edges.map(([a, b]) => [names.get(a)!, names.get(b)!] as const),
        };
        const ours = (await nirLayout(await writeNIR(renamed, { version: golden.version! }))).sort();
        const want = readFileSync(join(dir, `${name}.layout.txt`), 'utf8')
          .split('\n')
          .filter((l) => l && !l.startsWith('#'))
          .sort();
        expect(ours).toEqual(want);
        for (const l of layers) if (typeof l !== 'function') l.dispose();
      },
    );
  }

  const files = [...NORSE_FILES.map((n) => `${n}`), ...FOREIGN_FILES.map((n) => `foreign/${n}`)];
  for (const f of files) {
    const present = have(`${f}.nir`);
    it.skipIf(!present)(
      `${present ? f : `${f} (golden file absent: skipped)`}: writeNIR(readNIR(file)) has the file's exact layout; writeNIR(toNIR(fromNIR(g))) reads back equal`,
      async () => {
        const g = await readNIR(bytes(`${f}.nir`));
        if (have(`${f}.layout.txt`)) {
          const want = readFileSync(join(dir, `${f}.layout.txt`), 'utf8')
            .split('\n')
            .filter((l) => l && !l.startsWith('#'));
          expect(await nirLayout(await writeNIR(g))).toEqual(want);
        }
        const convention = f.includes('snntorch') ? 'snntorch' : f.includes('scnn') ? 'spyx' : 'norse';
        const model = fromNIR(g, { convention, dt: 1e-3 });
        const back = await readNIR(await writeNIR(await toNIR(model)));
        expectSameGraph(back, g, f);
        expect(back.edges).toEqual(g.edges);
        expect(back.version).toBe(g.version);
        model.dispose();
      },
    );
  }
});

/** A small network in each family, run directly and through NIR with each convention. */
function nets(): Record<string, () => Composable[]> {
  const lin = (i: number, o: number, seed: number, bias = true) => {
    const l = new Linear(i, o, { seed, bias });
    l.weight.assign(tf.mul(l.weight, 3));
    return l;
  };
  return {
    'Linear → LIFCell → Linear → LIBoxCell': () => [
      lin(8, 6, 1),
      new LIFCell(lifParams({ vTh: 0.3, tauSynInv: 150 })),
      lin(6, 3, 2),
      new LIBoxCell(liBoxParams({ tauMemInv: 50 })),
    ],
    'Linear → LIFBoxCell(vReset -0.2) → Linear → IAFCell': () => [
      lin(8, 6, 3),
      new LIFBoxCell(lifBoxParams({ tauMemInv: 250, vTh: 0.2, vReset: -0.2, vLeak: 0.05 })),
      lin(6, 4, 4, false),
      new IAFCell(iafParams({ vTh: 0.5 })),
    ],
  };
}

describeBackends('toNIR then fromNIR, per convention', {}, () => {
  for (const [label, make] of Object.entries(nets())) {
    for (const convention of ['nir', 'norse', 'snntorch'] as const) {
      it(`${label}: '${convention}' runs as the original`, async () => {
        const layers = make();
        const seq = sequential(...layers);
        const T = 30;
        const x = tf.cast(tf.less(tf.randomUniform([T, 2, 8], 0, 1, 'float32', 5), 0.4), 'float32');
        const { runCell } = await import('@snn/neurons');
        const [direct, final] = runCell(seq, x, undefined);
        const graph = await toNIR(seq, { convention });
        expect(graph.metadata?.convention).toBe(convention);
        const model = fromNIR(await readNIR(await writeNIR(graph)));
        const y = model.call(x);
        const a = await y.data();
        const b = await direct.data();
        let worst = 0;
        a.forEach((v, k) => {
          worst = Math.max(worst, Math.abs(v - b[k]!));
        });
        expect(worst, `${label} via ${convention}: max |difference|`).toBeLessThan(
          convention === 'norse' ? 1e-6 : 2e-5,
        );
        tf.dispose([x, y, direct, ...(final as tf.Tensor[]).flat(3).filter((t) => t instanceof tf.Tensor)]);
        model.dispose();
        seq.dispose();
      });
    }
  }
});

describeBackends('toNIR input checks', { only: ['cpu'] }, () => {
  it('asks for the input shape when it cannot be inferred, and refuses functions', async () => {
    await expect(toNIR([new LIFCell()])).rejects.toThrow(/pass \{ inputShape \}/);
    await expect(toNIR([new Linear(2, 2, { seed: 1 }), (t: tf.Tensor) => tf.relu(t)])).rejects.toThrow(
      /plain function/,
    );
    const n: NIRNode = (await toNIR([new Linear(2, 3, { seed: 1 })])).nodes['0']!;
    expect(n.type).toBe('Affine');
  });
});
