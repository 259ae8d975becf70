import { arrayValues, pairValues, scalarValue, sizeOf } from './arrays.js';
import type { NIRArray, NIREdge, NIRGraph, NIRNode } from './types.js';

/** A graph with every nested `NIRGraph` inlined: node names joined with `.`. */
export interface FlatGraph {
  readonly nodes: ReadonlyMap<string, Exclude<NIRNode, NIRGraph>>;
  readonly edges: readonly NIREdge[];
  /** Each inlined node's path of names from the top graph. */
  readonly paths: ReadonlyMap<string, readonly string[]>;
}

function only(names: string[], what: string, graph: string): string {
  if (names.length !== 1) {
    throw new Error(
      `subgraph "${graph}" has ${names.length} ${what} nodes (${names.join(', ') || 'none'}); a nested NIRGraph needs exactly one to be wired into its parent.`,
    );
  }
  return names[0]!;
}

/**
 * Inlines nested `NIRGraph` nodes: a subgraph `g` becomes its nodes `g.<name>`, edges into `g` go
 * to its Input node and edges out of `g` leave from its Output node (both pass data through).
 */
export function flattenGraph(graph: NIRGraph, prefix = '', path: readonly string[] = []): FlatGraph {
  const nodes = new Map<string, Exclude<NIRNode, NIRGraph>>();
  const paths = new Map<string, readonly string[]>();
  const entry = new Map<string, string>();
  const exit = new Map<string, string>();
  const inner: NIREdge[] = [];
  for (const [name, node] of Object.entries(graph.nodes)) {
    const full = `${prefix}${name}`;
    if (node.type === 'NIRGraph') {
      const sub = flattenGraph(node, `${full}.`, [...path, name]);
      for (const [n, v] of sub.nodes) nodes.set(n, v);
      for (const [n, p] of sub.paths) paths.set(n, p);
      inner.push(...sub.edges);
      const kinds = (t: string) =>
        Object.entries(node.nodes)
          .filter(([, v]) => v.type === t)
          .map(([k]) => k);
      entry.set(full, `${full}.${only(kinds('Input'), 'Input', full)}`);
      exit.set(full, `${full}.${only(kinds('Output'), 'Output', full)}`);
    } else {
      nodes.set(full, node);
      paths.set(full, [...path, name]);
    }
  }
  const edges: NIREdge[] = graph.edges.map(([a, b]) => {
    for (const n of [a, b]) {
      if (!(n in graph.nodes))
        throw new Error(`edge (${a} → ${b}) names "${n}", which is not a node of the graph.`);
    }
    const from = `${prefix}${a}`;
    const to = `${prefix}${b}`;
    return [exit.get(from) ?? from, entry.get(to) ?? to] as const;
  });
  return { nodes, edges: [...edges, ...inner], paths };
}

/** The order a graph runs in: each node after its inputs, and the edges that close cycles. */
export interface GraphOrder {
  /** Node names, inputs first; nodes no Input reaches are left out. */
  readonly order: readonly string[];
  /** Edges into a node from one that runs after it: they carry the previous step's output. */
  readonly backEdges: readonly NIREdge[];
  /** Nodes that no Input reaches (they never run). */
  readonly unreachable: readonly string[];
  readonly input: string;
  readonly outputs: readonly string[];
}

/**
 * Orders a flat graph by depth-first search from its Input node: an edge to a node still on the
 * search path closes a cycle and becomes a one-step delay (as NIRTorch runs recurrent graphs).
 */
export function orderGraph(flat: FlatGraph): GraphOrder {
  // The graph's own Input and Output: nested graphs' inlined ones have edges on both sides.
  const into = new Set(flat.edges.map((e) => e[1]));
  const from = new Set(flat.edges.map((e) => e[0]));
  const inputs = [...flat.nodes].filter(([k, n]) => n.type === 'Input' && !into.has(k)).map(([k]) => k);
  const outputs = [...flat.nodes].filter(([k, n]) => n.type === 'Output' && !from.has(k)).map(([k]) => k);
  if (inputs.length !== 1)
    throw new Error(
      `the graph has ${inputs.length} Input nodes (${inputs.join(', ') || 'none'}); @snn runs graphs with exactly one.`,
    );
  if (outputs.length === 0) throw new Error('the graph has no Output node, so nothing comes out of it.');
  const next = new Map<string, string[]>();
  for (const [a, b] of flat.edges) next.set(a, [...(next.get(a) ?? []), b]);
  const state = new Map<string, 'open' | 'done'>();
  const post: string[] = [];
  const back: NIREdge[] = [];
  // Iterative DFS (graphs may be deep).
  const stack: { node: string; k: number }[] = [{ node: inputs[0]!, k: 0 }];
  state.set(inputs[0]!, 'open');
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const succ = next.get(top.node) ?? [];
    if (top.k < succ.length) {
      const s = succ[top.k++]!;
      const st = state.get(s);
      if (st === 'open') back.push([top.node, s]);
      else if (st === undefined) {
        state.set(s, 'open');
        stack.push({ node: s, k: 0 });
      }
    } else {
      state.set(top.node, 'done');
      post.push(top.node);
      stack.pop();
    }
  }
  const order = post.reverse();
  const unreachable = [...flat.nodes.keys()].filter((k) => !state.has(k));
  for (const o of outputs) {
    if (!state.has(o)) throw new Error(`Output node "${o}" is not reachable from Input "${inputs[0]}".`);
  }
  return { order, backEdges: back, unreachable, input: inputs[0]!, outputs };
}

/** `torch.nn.Flatten`-style output shape of one sample, dims counted without the batch. */
export function flattenShape(shape: readonly number[], startDim: number, endDim: number): number[] {
  const n = shape.length;
  const s = startDim < 0 ? startDim + n : startDim;
  const e = endDim < 0 ? endDim + n : endDim;
  if (!(s >= 0 && e < n && s <= e)) {
    throw new RangeError(
      `Flatten(start_dim=${startDim}, end_dim=${endDim}) does not fit an input of shape [${shape.join(', ')}] (NIR counts dims without the batch axis).`,
    );
  }
  return [...shape.slice(0, s), sizeOf(shape.slice(s, e + 1)), ...shape.slice(e + 1)];
}

/** Output length of a convolution or pooling along one axis (PyTorch's formula). */
export function convLength(n: number, kernel: number, stride: number, padding: number, dilation = 1): number {
  return Math.floor((n + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1);
}

/** The zero padding of a convolution along each axis (`'same'` → PyTorch's left padding). */
export function convPadding(
  padding: NIRArray | 'same' | 'valid',
  kernel: readonly number[],
  dilation: readonly number[],
): { before: number[]; after: number[] } {
  if (padding === 'valid') return { before: kernel.map(() => 0), after: kernel.map(() => 0) };
  if (padding === 'same') {
    const total = kernel.map((k, i) => dilation[i]! * (k - 1));
    const before = total.map((t) => Math.floor(t / 2));
    return { before, after: total.map((t, i) => t - before[i]!) };
  }
  const v = arrayValues(padding);
  const p = kernel.map((_, i) => (v.length === 1 ? v[0]! : v[i]!));
  return { before: p, after: p };
}

/** The sample shape (without batch) each node outputs, given the Input's. */
export function inferShapes(flat: FlatGraph, order: GraphOrder): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  const backSet = new Set(order.backEdges.map(([a, b]) => `${a}\u0000${b}`));
  for (const name of order.order) {
    const node = flat.nodes.get(name)!;
    let input: number[] | undefined;
    if (name === order.input && node.type === 'Input') input = arrayValues(node.shape);
    else {
      const preds = flat.edges.filter(([a, b]) => b === name && !backSet.has(`${a}\u0000${b}`));
      if (preds.length === 0)
        throw new Error(`node "${name}" gets input only through a cycle: nothing starts it.`);
      for (const [a] of preds) {
        const s = shapes.get(a)!;
        if (input !== undefined && input.join() !== s.join()) {
          throw new Error(
            `node "${name}" sums inputs of different shapes: [${input.join(', ')}] and [${s.join(', ')}] (from "${a}").`,
          );
        }
        input = s;
      }
    }
    shapes.set(name, outputShape(name, node, input!));
  }
  return shapes;
}

function checkParamShape(
  name: string,
  node: { type: string },
  param: string,
  shape: readonly number[],
  input: number[],
) {
  const n = sizeOf(shape);
  if (n !== 1 && n !== sizeOf(input)) {
    throw new Error(
      `node "${name}" (${node.type}): ${param} has shape [${shape.join(', ')}] but its input is [${input.join(', ')}].`,
    );
  }
}

function outputShape(name: string, node: Exclude<NIRNode, NIRGraph>, input: number[]): number[] {
  switch (node.type) {
    case 'Input':
    case 'Output':
      return input;
    case 'Affine':
    case 'Linear': {
      const [out, inF] = node.weight.shape;
      if (node.weight.shape.length !== 2)
        throw new Error(
          `node "${name}": ${node.type} weight must be 2-D [out, in], got [${node.weight.shape}].`,
        );
      if (input[input.length - 1] !== inF)
        throw new Error(
          `node "${name}": ${node.type} takes ${inF} features but gets [${input.join(', ')}]${input.length > 1 ? ' (a Flatten before it?)' : ''}.`,
        );
      return [...input.slice(0, -1), out!];
    }
    case 'Conv2d': {
      const [cOut, cInG, kh, kw] = node.weight.shape as [number, number, number, number];
      const groups = scalarValue(node.groups, `${name}.groups`);
      if (input.length !== 3 || input[0] !== cInG * groups)
        throw new Error(
          `node "${name}": Conv2d needs [${cInG * groups}, H, W] input, got [${input.join(', ')}].`,
        );
      const stride = pairValues(node.stride, `${name}.stride`);
      const dil = pairValues(node.dilation, `${name}.dilation`);
      const pad = convPadding(node.padding, [kh, kw], dil);
      return [
        cOut,
        convLength(input[1]! + pad.before[0]! + pad.after[0]!, kh, stride[0], 0, dil[0]),
        convLength(input[2]! + pad.before[1]! + pad.after[1]!, kw, stride[1], 0, dil[1]),
      ];
    }
    case 'Conv1d': {
      const [cOut, cInG, k] = node.weight.shape as [number, number, number];
      const groups = scalarValue(node.groups, `${name}.groups`);
      if (input.length !== 2 || input[0] !== cInG * groups)
        throw new Error(
          `node "${name}": Conv1d needs [${cInG * groups}, N] input, got [${input.join(', ')}].`,
        );
      const stride = scalarValue(node.stride, `${name}.stride`);
      const dil = scalarValue(node.dilation, `${name}.dilation`);
      const pad = convPadding(node.padding, [k], [dil]);
      return [cOut, convLength(input[1]! + pad.before[0]! + pad.after[0]!, k, stride, 0, dil)];
    }
    case 'SumPool2d':
    case 'AvgPool2d': {
      if (input.length !== 3)
        throw new Error(`node "${name}": ${node.type} needs [C, H, W], got [${input}].`);
      const k = pairValues(node.kernel_size, `${name}.kernel_size`);
      const s = pairValues(node.stride, `${name}.stride`);
      const p = pairValues(node.padding, `${name}.padding`);
      return [input[0]!, convLength(input[1]!, k[0], s[0], p[0]), convLength(input[2]!, k[1], s[1], p[1])];
    }
    case 'Flatten':
      return flattenShape(
        input,
        scalarValue(node.start_dim, `${name}.start_dim`),
        scalarValue(node.end_dim, `${name}.end_dim`),
      );
    case 'Scale':
      checkParamShape(name, node, 'scale', node.scale.shape, input);
      return input;
    case 'Threshold':
      checkParamShape(name, node, 'threshold', node.threshold.shape, input);
      return input;
    case 'Delay':
      checkParamShape(name, node, 'delay', node.delay.shape, input);
      return input;
    case 'I':
    case 'IF':
      checkParamShape(name, node, 'r', node.r.shape, input);
      return input;
    case 'LI':
    case 'LIF':
      checkParamShape(name, node, 'tau', node.tau.shape, input);
      return input;
    case 'CubaLI':
    case 'CubaLIF':
      checkParamShape(name, node, 'tau_mem', node.tau_mem.shape, input);
      return input;
  }
}
