import { LIFCell, Linear } from '@snn/neurons';
import { float32, int64, int64Scalar, lintNIR, type NIRGraph, type NIRNode, nirArray, toNIR } from '@snn/nir';
import { describeBackends } from '@snn/test-utils';
import { describe, expect, it } from 'vitest';

const ones = (n: number) => float32(new Array<number>(n).fill(1));
const zeros = (n: number) => float32(new Array<number>(n).fill(0));
const lif = (n: number, extra: Partial<Record<string, unknown>> = {}): NIRNode =>
  ({
    type: 'LIF',
    tau: float32(new Array(n).fill(0.01)),
    r: ones(n),
    v_leak: zeros(n),
    v_threshold: ones(n),
    v_reset: zeros(n),
    ...extra,
  }) as NIRNode;

const chain = (nodes: Record<string, NIRNode>, meta?: NIRGraph['metadata']): NIRGraph => {
  const names = Object.keys(nodes);
  return {
    type: 'NIRGraph',
    nodes,
    edges: names.slice(1).map((n, k) => [names[k]!, n] as const),
    ...(meta ? { metadata: meta } : {}),
  };
};

const codes = (g: NIRGraph) => lintNIR(g).map((w) => `${w.code}${w.node ? `@${w.node}` : ''}`);

describe('lintNIR', () => {
  it('asks for a convention when time-dependent nodes have none, not otherwise', () => {
    const g = chain({
      input: { type: 'Input', shape: int64([3], 'array') },
      lif: lif(3),
      output: { type: 'Output', shape: int64([3], 'array') },
    });
    expect(codes(g)).toEqual(['no-convention']);
    expect(codes({ ...g, metadata: { convention: 'norse' } })).toEqual([]);
  });

  it("warns about parameters Norse's importer drops or ignores", () => {
    const g = chain(
      {
        input: { type: 'Input', shape: int64([2], 'array') },
        lif: lif(2, { v_reset: float32([-0.2, -0.2]), r: float32([2, 2]) }),
        output: { type: 'Output', shape: int64([2], 'array') },
      },
      { convention: 'nir' },
    );
    expect(codes(g)).toEqual(['v-reset-dropped@lif', 'r-ignored@lif']);
  });

  it('finds Flatten dims that count the batch axis, missing shapes, 0-d parameters, cycles and unreachable nodes', () => {
    const g: NIRGraph = {
      type: 'NIRGraph',
      nodes: {
        input: { type: 'Input', shape: int64([8, 4, 4], 'array') },
        flat: {
          type: 'Flatten',
          start_dim: int64Scalar(1),
          end_dim: int64Scalar(-1),
          input_type: int64([8, 4, 4], 'array'),
        },
        fc: { type: 'Affine', weight: float32(new Array(10 * 128).fill(0), [10, 128]), bias: zeros(10) },
        li: {
          type: 'LI',
          tau: nirArray([0.01], [], 'float32'),
          r: nirArray([1], [], 'float32'),
          v_leak: nirArray([0], [], 'float32'),
        },
        rec: { type: 'Linear', weight: float32(new Array(100).fill(0), [10, 10]) },
        lost: { type: 'Scale', scale: ones(10) },
        output: { type: 'Output', shape: int64([10], 'array') },
      },
      edges: [
        ['input', 'flat'],
        ['flat', 'fc'],
        ['fc', 'li'],
        ['li', 'rec'],
        ['rec', 'li'],
        ['li', 'output'],
      ],
      metadata: { convention: 'nir' },
    };
    const found = codes(g);
    expect(found).toContain('flatten-batch@flat');
    expect(found).toContain('scalar-parameter@li');
    expect(found).toContain('cycle@li');
    expect(found).toContain('unreachable@lost');
    expect(found).toContain('norse-unsupported@lost');
    expect(lintNIR(g).find((w) => w.code === 'flatten-batch')!.message).toMatch(/start_dim 0 fits/);
    const conv: NIRGraph = chain(
      {
        input: { type: 'Input', shape: int64([1, 4, 4], 'array') },
        conv: {
          type: 'Conv2d',
          weight: float32(new Array(9).fill(0), [1, 1, 3, 3]),
          stride: int64([1, 1]),
          padding: int64([0, 0]),
          dilation: int64([1, 1]),
          groups: int64Scalar(1),
          bias: zeros(1),
        },
        output: { type: 'Output', shape: int64([1, 2, 2], 'array') },
      },
      { convention: 'nir' },
    );
    expect(codes(conv)).toEqual(['missing-shape@conv']);
  });
});

describeBackends('lintNIR of an @snn export', { only: ['cpu'] }, () => {
  it('states its convention and raises no warnings', async () => {
    const g = await toNIR([new Linear(4, 3, { seed: 1 }), new LIFCell()]);
    const found = lintNIR(g);
    expect(found.filter((w) => w.severity === 'warning')).toEqual([]);
    expect(found.map((w) => w.code)).toEqual(['w-in']);
  });
});
