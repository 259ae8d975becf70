import {
  arrayValues,
  float32,
  fromNIR,
  guessChunk,
  int64,
  int64Scalar,
  inverseTau,
  NIRFormatError,
  type NIRGraph,
  type NIRNode,
  nirArray,
  nirLayout,
  readNIR,
  writeNIR,
} from '@snn/nir';
import { describeBackends, expectEqual, expectNoLeak } from '@snn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

const full = (n: number, v: number) => float32(new Array<number>(n).fill(v));
const input = (shape: number[]): NIRNode => ({ type: 'Input', shape: int64(shape, 'array') });
const output = (shape: number[]): NIRNode => ({ type: 'Output', shape: int64(shape, 'array') });
const chain = (nodes: Record<string, NIRNode>): NIRGraph => {
  const names = Object.keys(nodes);
  return { type: 'NIRGraph', nodes, edges: names.slice(1).map((n, k) => [names[k]!, n] as const) };
};

describe('files', () => {
  it('h5py chunk shapes (values from h5py 3.7 guess_chunk)', () => {
    expect(guessChunk([784, 100], 4)).toEqual([98, 25]);
    expect(guessChunk([100, 784], 4)).toEqual([13, 196]);
    expect(guessChunk([50, 20, 5, 5], 4)).toEqual([25, 10, 3, 3]);
    expect(guessChunk([500, 800], 4)).toEqual([63, 100]);
    expect(guessChunk([1000000], 4)).toEqual([7813]);
    expect(guessChunk([38], 8)).toEqual([38]);
  });

  it('refuses what is not HDF5 or not NIR, naming the problem', async () => {
    await expect(readNIR(new TextEncoder().encode('not a nir file'))).rejects.toThrow(NIRFormatError);
    await expect(readNIR(new TextEncoder().encode('not a nir file'))).rejects.toThrow(/HDF5's signature/);
  });

  it('round-trips metadata, nested graphs, string padding, int64 scalars and float64 arrays', async () => {
    const g: NIRGraph = {
      type: 'NIRGraph',
      nodes: {
        input: input([1, 4, 4]),
        conv: {
          type: 'Conv2d',
          input_shape: int64([4, 4]),
          weight: float32(new Array(9).fill(0.5), [1, 1, 3, 3]),
          stride: int64([1, 1]),
          padding: 'same',
          dilation: int64([1, 1]),
          groups: int64Scalar(1),
          bias: full(1, 0.25),
        },
        sub: {
          type: 'NIRGraph',
          nodes: {
            i: input([1, 4, 4]),
            s: { type: 'Scale', scale: nirArray(new Array(16).fill(2), [1, 4, 4], 'float64') },
            o: output([1, 4, 4]),
          },
          edges: [
            ['i', 's'],
            ['s', 'o'],
          ],
          metadata: { note: 'inner' },
        },
        output: output([1, 4, 4]),
      },
      edges: [
        ['input', 'conv'],
        ['conv', 'sub'],
        ['sub', 'output'],
      ],
      metadata: {
        convention: 'nir',
        dt: nirArray([0.001], [], 'float64', 'plain'),
        nested: { depth: int64Scalar(2) },
      },
    };
    const back = await readNIR(await writeNIR(g));
    expect(back.version).toBe('1.0.7');
    expect(back.metadata?.convention).toBe('nir');
    expect(arrayValues((back.metadata!.nested as { depth: never }).depth)).toEqual([2]);
    const conv = back.nodes.conv as Extract<NIRNode, { type: 'Conv2d' }>;
    expect(conv.padding).toBe('same');
    expect(conv.groups).toEqual(int64Scalar(1));
    const sub = back.nodes.sub as NIRGraph;
    expect(sub.metadata).toEqual({ note: 'inner' });
    expect((sub.nodes.s as { scale: { dtype: string } }).scale.dtype).toBe('float64');
    const layout = await nirLayout(await writeNIR(g));
    expect(layout).toContain(
      "/node/nodes/conv/padding dataset dtype=object (string: encoding=utf-8, length=variable) shape=() layout=contiguous = 'same'",
    );
    expect(layout).toContain('/node/nodes/conv/groups dataset dtype=int64 shape=() layout=contiguous = 1');
    expect(layout).toContain('/node/metadata/dt dataset dtype=float64 shape=() layout=contiguous = 0.001');
  });

  it('inverts time constants to the value Norse held', () => {
    expect(inverseTau(Math.fround(1 / 500))).toBe(500);
    expect(inverseTau(Math.fround(1 / 250))).toBe(250);
    expect(inverseTau(Math.fround(1 / 80))).toBe(80);
    expect(Math.fround(1 / Math.fround(1 / 500))).not.toBe(500); // the plain float32 inverse does not
  });
});

describeBackends('fromNIR', {}, ({ epsilon }) => {
  it('says what is missing: a convention, a dt, a single Input', () => {
    const g = chain({
      input: input([2]),
      lif: { type: 'LI', tau: full(2, 0.01), r: full(2, 1), v_leak: full(2, 0) },
      output: output([2]),
    });
    expect(() => fromNIR(g)).toThrow(/say which convention wrote this file/);
    expect(() => fromNIR(g, { convention: 'nir' })).toThrow(/needs the time step/);
    expect(() => fromNIR(g, { convention: 'nope' as never, dt: 1 })).toThrow(/unknown convention "nope"/);
    const two: NIRGraph = {
      ...g,
      nodes: { ...g.nodes, other: input([2]) },
      edges: [...g.edges, ['other', 'lif']],
    };
    expect(() => fromNIR(two, { convention: 'nir', dt: 1e-3 })).toThrow(/2 Input nodes/);
  });

  it("'nir' CubaLIF follows NIR's Euler equations (synaptic current first)", async () => {
    const [tauSyn, tauMem, r, wIn, vTh, dt] = [0.005, 0.01, 1.5, 2, 0.3, 1e-3];
    const g = chain({
      input: input([1]),
      n: {
        type: 'CubaLIF',
        tau_syn: full(1, tauSyn),
        tau_mem: full(1, tauMem),
        r: full(1, r),
        v_leak: full(1, 0),
        v_threshold: full(1, vTh),
        v_reset: full(1, -0.1),
        w_in: full(1, wIn),
      },
      output: output([1]),
    });
    const xs = [1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0, 1];
    let I = 0;
    let v = 0;
    const want: number[] = [];
    for (const x of xs) {
      I += (dt / tauSyn) * (wIn * x - I);
      v += (dt / tauMem) * (0 - v + r * I);
      const z = v > vTh ? 1 : 0;
      if (z) v = -0.1;
      want.push(z);
    }
    const m = fromNIR(g, { convention: 'nir', dt });
    const y = m.call(tf.tensor(xs, [xs.length, 1, 1]));
    expect(want.reduce((a, b) => a + b)).toBeGreaterThan(2);
    await expectEqual(y, want, 'spikes');
    m.dispose();
  });

  it("'spyx' neurons spike from the previous membrane and reset by subtraction", async () => {
    const g = chain({
      input: input([1]),
      n: { type: 'LIF', tau: full(1, 0.004), r: full(1, 0.75), v_leak: full(1, 0), v_threshold: full(1, 1) },
      output: output([1]),
    });
    const xs = [0.6, 0.6, 0.6, 0.6, 0, 0.9, 0.9, 0];
    const beta = 1 - 0.001 / Math.fround(0.004);
    let v = 0;
    const want = xs.map((x) => {
      const z = v > 1 ? 1 : 0;
      v = beta * v + x - z;
      return z;
    });
    const m = fromNIR(g, { convention: 'spyx', dt: 1e-3 });
    await expectEqual(m.call(tf.tensor(xs, [xs.length, 1, 1])), want, 'spyx spikes');
    m.dispose();
  });

  it('a nested subgraph runs as its inlined nodes; a cycle delays by one step', async () => {
    const W = float32([0.5, -0.3, 0.2, 0.4], [2, 2]);
    const lif = (): NIRNode => ({
      type: 'LIF',
      tau: full(2, 0.002),
      r: full(2, 1),
      v_leak: full(2, 0),
      v_threshold: full(2, 0.5),
      v_reset: full(2, 0),
    });
    const flat: NIRGraph = {
      type: 'NIRGraph',
      nodes: {
        input: input([2]),
        lif: lif(),
        rec: { type: 'Affine', weight: W, bias: full(2, 0.1) },
        output: output([2]),
      },
      edges: [
        ['input', 'lif'],
        ['lif', 'rec'],
        ['rec', 'lif'],
        ['lif', 'output'],
      ],
    };
    const nested: NIRGraph = {
      type: 'NIRGraph',
      nodes: {
        input: input([2]),
        rnn: { ...flat, nodes: { ...flat.nodes, input: input([2]), output: output([2]) } },
        output: output([2]),
      },
      edges: [
        ['input', 'rnn'],
        ['rnn', 'output'],
      ],
    };
    const x = tf.randomUniform([12, 3, 2], 0, 2, 'float32', 1);
    const a = fromNIR(flat, { convention: 'nir', dt: 1e-3 });
    const b = fromNIR(nested, { convention: 'nir', dt: 1e-3 });
    expect(a.recurrent && b.recurrent).toBe(true);
    const ya = a.run(x, { record: true });
    await expectEqual(b.call(x), ya.output, 'nested = flat');
    // Reference: the recurrent input is absent at step 0 (no bias either), later W·z(t-1) + b.
    const xs = (await x.array()) as number[][][];
    const w = [0.5, -0.3, 0.2, 0.4].map(Math.fround);
    const want = xs.map(() => [
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
    for (let bi = 0; bi < 3; bi++) {
      let v = [0, 0];
      let z = [0, 0];
      xs.forEach((xt, t) => {
        const drive = [0, 1].map(
          (i) => xt[bi]![i]! + (t > 0 ? w[2 * i]! * z[0]! + w[2 * i + 1]! * z[1]! + Math.fround(0.1) : 0),
        );
        v = v.map((vi, i) => vi + 0.5 * (0 - vi + drive[i]!));
        z = v.map((vi) => (vi > 0.5 ? 1 : 0));
        v = v.map((vi, i) => (z[i] ? 0 : vi));
        want[t]![bi] = z.slice();
      });
    }
    await expectEqual(ya.output, want, 'recurrent spikes');
    expect(want.flat(2).reduce((p, q) => p + q)).toBeGreaterThan(5);
    tf.dispose(Object.values(ya.nodes!));
    a.dispose();
    b.dispose();
  });

  it('Delay, Threshold, Scale, AvgPool2d with padding and a grouped, dilated Conv2d', async () => {
    const g = chain({
      input: input([2, 5, 5]),
      conv: {
        type: 'Conv2d',
        weight: float32(
          Array.from({ length: 2 * 1 * 2 * 2 }, (_, k) => k / 8 - 0.2),
          [2, 1, 2, 2],
        ),
        stride: int64([1, 1]),
        padding: int64([1, 1]),
        dilation: int64([2, 2]),
        groups: int64Scalar(2),
        bias: float32([0.1, -0.1]),
      },
      pool: {
        type: 'AvgPool2d',
        kernel_size: int64([2, 2], 'array'),
        stride: int64([1, 1], 'array'),
        padding: int64([1, 1], 'array'),
      },
      scale: { type: 'Scale', scale: full(2 * 6 * 6, 3) },
      th: { type: 'Threshold', threshold: full(2 * 6 * 6, 0.2) },
      delay: { type: 'Delay', delay: full(2 * 6 * 6, 0.002) },
      output: output([2, 6, 6]),
    });
    const m = fromNIR(g, { convention: 'nir', dt: 1e-3 });
    expect(m.outputShape).toEqual([2, 6, 6]);
    const x = tf.randomUniform([4, 2, 2, 5, 5], -1, 1, 'float32', 2);
    const r = m.run(x, { record: true });
    // Reference: the same ops written out with tfjs (channels-last), per group.
    const ref = tf.tidy(() => {
      const frames = tf.transpose(tf.reshape(x, [8, 2, 5, 5]), [0, 2, 3, 1]) as tf.Tensor4D;
      const padded = tf.pad(frames, [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ]);
      const w = tf.transpose(
        tf.tensor(
          Array.from({ length: 8 }, (_, k) => k / 8 - 0.2),
          [2, 1, 2, 2],
        ),
        [2, 3, 1, 0],
      );
      const parts = [0, 1].map((gi) =>
        tf.conv2d(
          tf.slice(padded, [0, 0, 0, gi], [-1, -1, -1, 1]) as tf.Tensor4D,
          tf.slice(w, [0, 0, 0, gi], [2, 2, 1, 1]) as tf.Tensor4D,
          1,
          'valid',
          'NHWC',
          2,
        ),
      );
      const conv = tf.add(tf.concat(parts, 3), tf.tensor([0.1, -0.1]));
      const pooled = tf.avgPool(
        tf.pad(conv, [
          [0, 0],
          [1, 1],
          [1, 1],
          [0, 0],
        ]) as tf.Tensor4D,
        2,
        1,
        'valid',
      );
      const z = tf.cast(tf.greater(tf.mul(pooled, 3), 0.2), 'float32');
      return tf.reshape(tf.transpose(z, [0, 3, 1, 2]), [4, 2, 2, 6, 6]);
    });
    await expectEqual(r.nodes!.th!, ref, 'threshold of the pooled convolution');
    // Two steps of delay: zeros, zeros, then the threshold's output of steps 0 and 1.
    await expectEqual(tf.slice(r.output, [0], [2]), tf.zeros([2, 2, 2, 6, 6]), 'delay start');
    await expectEqual(tf.slice(r.output, [2], [2]), tf.slice(ref, [0], [2]), 'delayed');
    expect(epsilon).toBeGreaterThan(0);
    m.dispose();
  });

  it('records outputs and states, and leaks no tensor over repeated calls', async () => {
    const g = chain({
      input: input([3]),
      fc: { type: 'Affine', weight: float32([1, 2, 3, 4, 5, 6, 7, 8, 9], [3, 3]), bias: full(3, 0) },
      n: {
        type: 'CubaLIF',
        tau_syn: full(3, 0.005),
        tau_mem: full(3, 0.01),
        r: full(3, 1),
        v_leak: full(3, 0),
        v_threshold: full(3, 1),
        v_reset: full(3, 0),
        w_in: full(3, 1),
      },
      output: output([3]),
    });
    const m = fromNIR(g, { convention: 'norse' });
    const x = tf.randomUniform([6, 2, 3], 0, 1, 'float32', 3);
    const r = m.run(x, { record: true, recordStates: true });
    expect(Object.keys(r.nodes!)).toEqual(['input', 'fc', 'n', 'output']);
    expect(Object.keys(r.states!.n!)).toEqual(['v', 'i']);
    expect(r.states!.n!.v!.shape).toEqual([6, 2, 3]);
    tf.dispose([...Object.values(r.nodes!), ...Object.values(r.states!.n!)]);
    await expectNoLeak('fromNIR feed-forward call', () => {
      for (let k = 0; k < 3; k++) m.call(x).dispose();
    });
    const rec = fromNIR({ ...g, edges: [...g.edges, ['n', 'fc']] }, { convention: 'norse' });
    await expectNoLeak('fromNIR recurrent call', () => {
      for (let k = 0; k < 3; k++) rec.call(x).dispose();
      const all = rec.run(x, { record: true, recordStates: true });
      tf.dispose([
        ...Object.values(all.nodes!),
        ...Object.values(all.states!).flatMap((s) => Object.values(s)),
      ]);
    });
    const y = rec.call(x);
    expect(y.shape).toEqual([6, 2, 3]);
    y.dispose();
    expect(() => m.call(tf.zeros([6, 2, 4]))).toThrow(/input must be \[T, B, 3\]/);
    m.dispose();
    rec.dispose();
    x.dispose();
  });
});
