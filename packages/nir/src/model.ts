import { disposeState, keepState, stateTensors, tidy } from '@snn/core';
import { runCell } from '@snn/neurons';
import * as tf from '@tensorflow/tfjs-core';
import { CONVENTION_DT, checkConvention, type NIRConvention, statedConvention } from './conventions.js';
import { flattenGraph, inferShapes, orderGraph } from './graph.js';
import { compileNode, type Exec, type NIRNodeInfo } from './nodes.js';
import type { NIREdge, NIRGraph } from './types.js';

/** Options of {@link fromNIR}. */
export interface FromNIROptions {
  /**
   * How the writer meant the parameters (see {@link NIRConvention}). Default: the one the file's
   * metadata states (files written by `@snn/nir` say), else an error asks for it.
   */
  readonly convention?: NIRConvention;
  /**
   * The time step (s). Default: the file's metadata, else the convention's (`norse` 1e-3, `snntorch`
   * 1e-4); `nir` and `spyx` need it stated.
   */
  readonly dt?: number;
}

/** Options of {@link NIRModel.run}. */
export interface RunOptions {
  /** Also return every node's output over time, `[T, B, ...]`, by node name. */
  readonly record?: boolean;
  /** Also return every stateful node's states over time (e.g. `v`, `i`), each `[T, B, ...]`. */
  readonly recordStates?: boolean;
}

/** What {@link NIRModel.run} returns; the caller owns (and disposes) every tensor. */
export interface RunResult {
  /** The first Output node's values `[T, B, ...]` (Output nodes in name order). */
  readonly output: tf.Tensor;
  /** Every Output node's values by name. */
  readonly outputs: Readonly<Record<string, tf.Tensor>>;
  /** Every node's output by name, when `record` was asked for. */
  readonly nodes?: Readonly<Record<string, tf.Tensor>>;
  /** Every stateful node's states by name, when `recordStates` was asked for. */
  readonly states?: Readonly<Record<string, Readonly<Record<string, tf.Tensor>>>>;
}

const key = (e: NIREdge) => `${e[0]}\u0000${e[1]}`;

/**
 * A NIR graph running on `@snn`: each node a `@snn/neurons` layer or cell, executed in graph order
 * over time-first inputs `[T, B, ...]`. Edges that close a cycle carry the previous step's output
 * (nothing at the first step), as NIRTorch runs recurrent graphs. Owns its weights as Variables:
 * `dispose()` it when done.
 */
export class NIRModel {
  readonly convention: NIRConvention;
  readonly dt: number;
  /** The graph it was built from. */
  readonly graph: NIRGraph;
  /** Sample shape of the Input node. */
  readonly inputShape: readonly number[];
  /** Sample shape of the first Output node. */
  readonly outputShape: readonly number[];
  /** Whether the graph has cycles (then it runs step by step). */
  readonly recurrent: boolean;
  private readonly execs: ReadonlyMap<string, Exec>;
  private readonly order: readonly string[];
  private readonly inputsOf: ReadonlyMap<string, readonly { from: string; back: boolean }[]>;
  private readonly input: string;
  private readonly outputNames: readonly string[];
  private disposed = false;
  /** Each node's path of names in the (possibly nested) source graph. */
  readonly paths: ReadonlyMap<string, readonly string[]>;

  constructor(graph: NIRGraph, options: FromNIROptions = {}) {
    const stated = statedConvention(graph);
    const convention = options.convention ?? stated.convention;
    if (convention === undefined) {
      throw new Error(
        "fromNIR: say which convention wrote this file: { convention: 'norse' | 'snntorch' | 'spyx' | 'nir' | 'norse-importer' } (NIR files do not record how tau, r, w_in and dt are meant).",
      );
    }
    this.convention = checkConvention(convention, 'fromNIR');
    const dt = options.dt ?? stated.dt ?? CONVENTION_DT[this.convention];
    if (dt === undefined) {
      throw new Error(
        `fromNIR: convention '${this.convention}' needs the time step: pass { dt } (the file does not store it).`,
      );
    }
    if (!(dt > 0 && Number.isFinite(dt)))
      throw new RangeError(`fromNIR: dt must be a positive number of seconds, got ${dt}.`);
    this.dt = dt;
    this.graph = graph;
    const flat = flattenGraph(graph);
    this.paths = flat.paths;
    const order = orderGraph(flat);
    const shapes = inferShapes(flat, order);
    const back = new Set(order.backEdges.map(key));
    this.recurrent = order.backEdges.length > 0;
    this.order = order.order;
    this.input = order.input;
    this.outputNames = [...order.outputs].sort();
    const inputsOf = new Map<string, { from: string; back: boolean }[]>();
    for (const e of flat.edges) {
      if (!shapes.has(e[0]) || !shapes.has(e[1])) continue;
      inputsOf.set(e[1], [...(inputsOf.get(e[1]) ?? []), { from: e[0], back: back.has(key(e)) }]);
    }
    this.inputsOf = inputsOf;
    const execs = new Map<string, Exec>();
    try {
      for (const name of order.order) {
        const first = inputsOf.get(name)?.find((i) => !i.back);
        const inShape = first ? shapes.get(first.from)! : shapes.get(name)!;
        execs.set(
          name,
          compileNode(name, flat.nodes.get(name)!, inShape, shapes.get(name)!, this.convention, dt),
        );
      }
    } catch (error) {
      for (const e of execs.values()) disposeExec(e);
      throw error;
    }
    this.execs = execs;
    this.inputShape = shapes.get(order.input)!;
    this.outputShape = shapes.get(this.outputNames[0]!)!;
  }

  /** The nodes in the order they run, with shapes, parameters and the `@snn` component each runs as. */
  get nodes(): readonly NIRNodeInfo[] {
    return this.order.map((n) => this.execs.get(n)!.info);
  }

  /** The weights (Affine, Linear and convolution weights and biases) as trainable Variables. */
  get trainableVariables(): readonly tf.Variable[] {
    return [...this.execs.values()].flatMap((e) => Object.values(e.weights));
  }

  /** The weight Variables of a node by NIR field name (`weight`, `bias`). */
  weightsOf(name: string): Readonly<Record<string, tf.Variable>> {
    return this.execs.get(name)?.weights ?? {};
  }

  /** The nodes' compiled forms, in run order (for `toNIR`). */
  compiled(): readonly Exec[] {
    return this.order.map((n) => this.execs.get(n)!);
  }

  /** Runs the model on `x` `[T, B, ...inputShape]`; returns the Output `[T, B, ...outputShape]`. */
  call(x: tf.Tensor): tf.Tensor {
    const r = this.run(x);
    for (const v of Object.values(r.outputs)) if (v !== r.output) v.dispose();
    return r.output;
  }

  /** Runs the model, optionally recording every node's output and state over time. */
  run(x: tf.Tensor, options: RunOptions = {}): RunResult {
    if (this.disposed) throw new Error('NIRModel was disposed; build a new one with fromNIR.');
    const want = this.inputShape;
    if (x.rank !== want.length + 2 || x.shape.slice(2).join() !== want.join()) {
      throw new Error(
        `NIRModel: input must be [T, B, ${want.join(', ')}] (time first, then batch, then the Input node's shape), got [${x.shape.join(', ')}].`,
      );
    }
    return this.recurrent ? this.runSteps(x, options) : this.runSequence(x, options);
  }

  private gather(name: string, value: (from: string, back: boolean) => tf.Tensor | undefined): tf.Tensor {
    let sum: tf.Tensor | undefined;
    for (const { from, back } of this.inputsOf.get(name) ?? []) {
      const v = value(from, back);
      if (v !== undefined) sum = sum === undefined ? v : tf.add(sum, v);
    }
    if (sum === undefined) throw new Error(`node "${name}" has no input at this step.`);
    return sum;
  }

  /** Feed-forward graphs: each node over the whole sequence at once. */
  private runSequence(x: tf.Tensor, options: RunOptions): RunResult {
    return tidy(() => {
      const [T, B] = x.shape as [number, number];
      const values = new Map<string, tf.Tensor>();
      const states: Record<string, Record<string, tf.Tensor>> = {};
      // Each value is freed once the nodes that read it have run (unless recorded or an output).
      const readers = new Map<string, number>();
      for (const inputs of this.inputsOf.values())
        for (const { from } of inputs) readers.set(from, (readers.get(from) ?? 0) + 1);
      const keep = new Set(this.outputNames);
      for (const name of this.order) {
        const e = this.execs.get(name)!;
        const { y, recorded } = tidy(() => {
          const input = name === this.input ? x : this.gather(name, (from) => values.get(from));
          if (e.layer) {
            const flat = tf.reshape(input, [T * B, ...e.info.inputShape]);
            return { y: tf.reshape(e.layer.apply(flat), [T, B, ...e.info.outputShape]), recorded: undefined };
          }
          const drive = e.gain === undefined ? input : tf.mul(input, e.gain);
          const [out, final, rec] = runCell(e.cell!, drive, undefined, {
            recordStates: options.recordStates ?? false,
          });
          disposeState(final);
          return { y: out, recorded: rec };
        });
        values.set(name, y);
        if (recorded) states[name] = flattenStates(recorded);
        if (options.record) continue;
        for (const { from } of this.inputsOf.get(name) ?? []) {
          const left = (readers.get(from) ?? 1) - 1;
          readers.set(from, left);
          if (left === 0 && !keep.has(from)) {
            values.get(from)?.dispose();
            values.delete(from);
          }
        }
      }
      return this.result(values, options, states);
    });
  }

  /** Graphs with cycles: every node step by step. */
  private runSteps(x: tf.Tensor, options: RunOptions): RunResult {
    const T = x.shape[0]!;
    const xs = tf.unstack(x);
    const keepAll = options.record ?? false;
    const needed = new Set<string>(this.outputNames);
    for (const inputs of this.inputsOf.values()) for (const i of inputs) if (i.back) needed.add(i.from);
    // Per step: the outputs kept (all when recording, else the Outputs and what cycles feed back).
    const perStep: Map<string, tf.Tensor>[] = [];
    const statesPerStep: Map<string, unknown>[] = [];
    let cellStates = new Map<string, unknown>();
    try {
      for (let t = 0; t < T; t++) {
        const prev = perStep[t - 1];
        const { outs, next } = tidy(() => {
          const values = new Map<string, tf.Tensor>();
          const next = new Map<string, unknown>();
          for (const name of this.order) {
            const e = this.execs.get(name)!;
            const input =
              name === this.input
                ? xs[t]!
                : this.gather(name, (from, back) => (back ? prev?.get(from) : values.get(from)));
            if (e.layer) values.set(name, e.layer.apply(input));
            else {
              const drive = e.gain === undefined ? input : tf.mul(input, e.gain);
              const [out, s] = e.cell!.step(drive, cellStates.get(name));
              values.set(name, out);
              next.set(name, keepState(s));
            }
          }
          const outs = new Map<string, tf.Tensor>();
          for (const [k, v] of values) if (keepAll || needed.has(k)) outs.set(k, tf.keep(v));
          return { outs, next };
        });
        if (options.recordStates) statesPerStep.push(next);
        else {
          const live = new Set(stateTensors([...next.values()]));
          for (const old of stateTensors([...cellStates.values()])) if (!live.has(old)) old.dispose();
        }
        cellStates = next;
        perStep.push(outs);
      }
      return tidy(() => {
        const values = new Map<string, tf.Tensor>();
        for (const k of perStep[0]!.keys()) values.set(k, tf.stack(perStep.map((m) => m.get(k)!)));
        const states: Record<string, Record<string, tf.Tensor>> = {};
        if (options.recordStates) {
          for (const name of statesPerStep[0]!.keys()) {
            const steps = statesPerStep.map((m) => flattenStates(m.get(name)));
            states[name] = Object.fromEntries(
              Object.keys(steps[0]!).map((f) => [f, tf.stack(steps.map((s) => s[f]!))]),
            );
          }
        }
        return this.result(values, options, states);
      });
    } finally {
      tf.dispose(xs);
      const all = new Set<tf.Tensor>();
      for (const m of perStep) for (const v of m.values()) all.add(v);
      for (const t of stateTensors([...cellStates.values()])) all.add(t);
      for (const m of statesPerStep) for (const t of stateTensors([...m.values()])) all.add(t);
      tf.dispose([...all].filter((t) => !t.isDisposed));
    }
  }

  private result(
    values: Map<string, tf.Tensor>,
    options: RunOptions,
    states: Record<string, Record<string, tf.Tensor>>,
  ): RunResult {
    const outputs = Object.fromEntries(this.outputNames.map((n) => [n, values.get(n)!]));
    const base = { output: outputs[this.outputNames[0]!]!, outputs };
    const nodes = options.record ? Object.fromEntries(values) : undefined;
    return {
      ...base,
      ...(nodes ? { nodes } : {}),
      ...(options.recordStates ? { states } : {}),
    };
  }

  /** Frees every Variable and tensor the model owns. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const e of this.execs.values()) disposeExec(e);
  }
}

function disposeExec(e: Exec): void {
  e.layer?.dispose();
  e.cell?.dispose();
  tf.dispose(e.owned as tf.Tensor[]);
}

/** A recorded state as a flat record of `[T, B, ...]` tensors (`synapse.v`, `lif.v`, ...). */
function flattenStates(state: unknown, prefix = ''): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  if (state instanceof tf.Tensor) out[prefix || 'value'] = state;
  else if (state && typeof state === 'object') {
    for (const [k, v] of Object.entries(state))
      Object.assign(out, flattenStates(v, prefix ? `${prefix}.${k}` : k));
  }
  return out;
}

/**
 * Builds a runnable model from a NIR graph, reading its parameters as `convention` says (see
 * {@link NIRConvention}): `model.call(x)` maps `[T, B, ...]` inputs to `[T, B, ...]` outputs.
 *
 * @example
 * ```ts
 * const model = fromNIR(await readNIR(bytes), { convention: 'norse', dt: 1e-3 });
 * const y = model.call(x); // x: [T, B, 8] → y: [T, B, 3]
 * ```
 */
export function fromNIR(graph: NIRGraph, options: FromNIROptions = {}): NIRModel {
  return new NIRModel(graph, options);
}
