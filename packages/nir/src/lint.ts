import { arrayValues } from './arrays.js';
import { statedConvention } from './conventions.js';
import { flattenGraph, flattenShape, inferShapes, orderGraph } from './graph.js';
import type { NIRArray, NIRGraph, NIRNode } from './types.js';

/** One finding of {@link lintNIR}. */
export interface NIRLintWarning {
  /** `'warning'`: results may differ from what the writer meant; `'info'`: worth knowing. */
  readonly severity: 'warning' | 'info';
  /** A stable identifier (`'missing-shape'`, `'v-reset-dropped'`, ...). */
  readonly code: string;
  /** The node concerned (`sub.node` inside nested graphs). */
  readonly node?: string;
  readonly message: string;
}

const DT_DEPENDENT = new Set(['LI', 'LIF', 'CubaLI', 'CubaLIF', 'IF', 'I', 'Delay']);
const NORSE_UNSUPPORTED = new Set(['CubaLI', 'I', 'Scale', 'Threshold', 'Delay']);

const nonZero = (a: NIRArray | undefined) => a !== undefined && arrayValues(a).some((v) => v !== 0);
const notOne = (a: NIRArray | undefined) =>
  a !== undefined && arrayValues(a).some((v) => Math.abs(v - 1) > 1e-6);
const uniform = (a: NIRArray) => {
  const v = arrayValues(a);
  return v.every((x) => x === v[0]);
};

function nodeWarnings(name: string, node: Exclude<NIRNode, NIRGraph>, out: NIRLintWarning[]): void {
  const warn = (code: string, message: string, severity: 'warning' | 'info' = 'warning') =>
    out.push({ severity, code, node: name, message });
  if (NORSE_UNSUPPORTED.has(node.type))
    warn(
      'norse-unsupported',
      `Norse's from_nir has no mapping for ${node.type}: Norse cannot import this graph.`,
    );
  switch (node.type) {
    case 'Input':
    case 'Output':
      if (node.shape.data.length === 0 || arrayValues(node.shape).some((d) => !(d > 0)))
        warn('missing-shape', `${node.type} has no usable shape ([${arrayValues(node.shape).join(', ')}]).`);
      return;
    case 'Conv2d':
    case 'Conv1d':
      if (node.input_shape === undefined)
        warn(
          'missing-shape',
          `${node.type} has no input_shape (Norse's exporter writes None): NIR's type check and nir.write need it; readers infer it from the Input.`,
        );
      return;
    case 'Flatten': {
      const start = Number(node.start_dim.data[0]);
      if (node.input_type === undefined) {
        warn('missing-shape', 'Flatten has no input_type: readers must infer the shape it flattens.');
        return;
      }
      if (start === 0)
        warn(
          'flatten-batch',
          "Flatten starts at dim 0 (NIR counts dims without the batch). Norse's from_nir passes the dims to torch.nn.Flatten verbatim, which then flattens the batch too: batched runs in Norse fail.",
          'info',
        );
      return;
    }
    case 'SumPool2d':
      if (nonZero(node.padding))
        warn('padding-ignored', "SumPool2d padding: Norse's from_nir ignores it (LPPool2d has none).");
      return;
    case 'IF':
    case 'LIF':
    case 'CubaLIF':
      if (nonZero(node.v_reset))
        warn(
          'v-reset-dropped',
          `v_reset is not 0: Norse's from_nir drops it (resets to 0${node.type === 'IF' ? ', and starts IF at 0' : ''}).`,
        );
      if (!uniform(node.v_threshold))
        warn(
          'threshold-per-neuron',
          "thresholds differ between neurons: snnTorch's import_from_nir needs one value.",
          'info',
        );
      break;
    default:
      break;
  }
  if (node.type === 'LIF' || node.type === 'LI' || node.type === 'IF') {
    if (notOne(node.r))
      warn('r-ignored', `r is not 1: Norse's from_nir ignores r for ${node.type} (with a warning).`);
  }
  if (node.type === 'CubaLIF' || node.type === 'CubaLI') {
    if (notOne(node.w_in))
      warn(
        'w-in',
        "w_in is not 1: Norse's from_nir multiplies the input by it, snnTorch's import_from_nir divides v_threshold by it instead; Norse's own exporter writes 1 where its importer needs tau_syn/dt.",
        'info',
      );
  }
  if ('v_leak' in node && nonZero(node.v_leak))
    warn(
      'v-leak',
      "v_leak is not 0: snnTorch's import_from_nir refuses it; Norse's importer also leaks the synaptic current of a CubaLIF towards it.",
      'info',
    );
  for (const [field, v] of Object.entries(node)) {
    if (field === 'type' || field === 'metadata' || typeof v !== 'object' || v === null || !('data' in v))
      continue;
    const a = v as NIRArray;
    if (DT_DEPENDENT.has(node.type) && a.shape.length === 0)
      warn(
        'scalar-parameter',
        `${field} is a 0-d array: NIR's type check and nir.write fail on those; write one value per neuron.`,
      );
  }
}

/**
 * Checks a NIR graph for what a user needs to know before trusting it: missing shapes,
 * `dt`-dependent nodes without a stated convention, parameters Norse's or snnTorch's importers
 * ignore or read differently (`v_reset`, `r`, `w_in`, `v_leak`, SumPool2d padding), node types
 * Norse cannot import, `Flatten` dims that count the batch axis, 0-d parameters, unreachable
 * nodes, cycles and nested graphs. Returns the findings (empty when there is nothing to say).
 *
 * @example
 * ```ts
 * for (const w of lintNIR(graph)) console.log(`${w.severity} ${w.node ?? ''}: ${w.message}`);
 * ```
 */
export function lintNIR(graph: NIRGraph): NIRLintWarning[] {
  const out: NIRLintWarning[] = [];
  const visit = (g: NIRGraph, prefix: string) => {
    for (const [name, node] of Object.entries(g.nodes)) {
      const full = `${prefix}${name}`;
      if (node.type === 'NIRGraph') {
        out.push({
          severity: 'info',
          code: 'nested-graph',
          node: full,
          message: "a nested NIRGraph: Norse's from_nir fails on these (NIRTorch bug); @snn inlines it.",
        });
        visit(node, `${full}.`);
      } else nodeWarnings(full, node, out);
    }
  };
  visit(graph, '');
  const stated = statedConvention(graph);
  const flatTypes = [...Object.values(graph.nodes)].some(function has(n: NIRNode): boolean {
    return n.type === 'NIRGraph' ? Object.values(n.nodes).some(has) : DT_DEPENDENT.has(n.type);
  });
  if (flatTypes && stated.convention === undefined)
    out.push({
      severity: 'warning',
      code: 'no-convention',
      message:
        'the graph has time-dependent nodes but states no convention: tau, r, w_in and dt mean different things to Norse, snnTorch and Spyx; say which wrote it (fromNIR(graph, { convention, dt })).',
    });
  flattenChecks(graph, '', out);
  try {
    const flat = flattenGraph(graph);
    const order = orderGraph(flat);
    for (const n of order.unreachable)
      out.push({
        severity: 'warning',
        code: 'unreachable',
        node: n,
        message: 'no path from the Input reaches this node: it never runs.',
      });
    for (const [a, b] of order.backEdges)
      out.push({
        severity: 'info',
        code: 'cycle',
        node: b,
        message: `the edge ${a} → ${b} closes a cycle: it carries ${a}'s output of the previous step (nothing at the first), as NIRTorch runs it.`,
      });
    inferShapes(flat, order);
  } catch (error) {
    out.push({
      severity: 'warning',
      code: 'invalid-graph',
      message: error instanceof Error ? error.message : String(error),
    });
  }
  return out;
}

/** Flatten nodes written with torch's batch-counting dims: one dim less would fit the next layer. */
function flattenChecks(g: NIRGraph, prefix: string, out: NIRLintWarning[]): void {
  for (const [a, b] of g.edges) {
    const node = g.nodes[a];
    const next = g.nodes[b];
    if (node?.type === 'NIRGraph') flattenChecks(node, `${prefix}${a}.`, out);
    if (node?.type !== 'Flatten' || node.input_type === undefined) continue;
    if (!(next?.type === 'Affine' || next?.type === 'Linear')) continue;
    const input = arrayValues(node.input_type);
    const start = Number(node.start_dim.data[0]);
    const end = Number(node.end_dim.data[0]);
    const features = next.weight.shape[1];
    const lastOf = (s: number) => {
      try {
        return flattenShape(input, s, end).at(-1);
      } catch {
        return undefined;
      }
    };
    if (start >= 1 && lastOf(start) !== features && lastOf(start - 1) === features)
      out.push({
        severity: 'warning',
        code: 'flatten-batch',
        node: `${prefix}${a}`,
        message: `Flatten(start_dim=${start}) of [${input.join(', ')}] does not give the ${features} features ${b} takes: its dims seem to count the batch axis (NIR's exclude it); start_dim ${start - 1} fits.`,
      });
  }
}
