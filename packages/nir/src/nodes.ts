import { type Param, threshold } from '@snn/core';
import {
  AvgPool2d,
  type Cell,
  Conv2d,
  FeedForwardCell,
  Flatten,
  IAFCell,
  iafStep,
  type Layer,
  LIBoxCell,
  LICell,
  LIFBoxCell,
  LIFCell,
  Linear,
  SumPool2d,
} from '@snn/neurons';
import * as tf from '@tensorflow/tfjs-core';
import { arrayValues, float32Values, pairValues, scalarValue, sizeOf } from './arrays.js';
import { type NeuronPlan, type NIRConvention, neuronPlan, ParamMaker } from './conventions.js';
import { convPadding, flattenShape } from './graph.js';
import {
  cubaBoxStep,
  delayStep,
  integratorStep,
  type SpyxParams,
  type SpyxState,
  spyxStep,
} from './steps.js';
import type { NIRArray, NIRGraph, NIRNode } from './types.js';

/** What a node of an imported model is, for summaries and the visualizer. */
export interface NIRNodeInfo {
  readonly name: string;
  readonly type: Exclude<NIRNode, NIRGraph>['type'];
  /** The `@snn` component it runs as (`'Linear'`, `'LIFCell'`, ...). */
  readonly runsAs: string;
  /** Sample shape in and out (without batch and time). */
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  /** Whether it outputs spikes. */
  readonly spiking: boolean;
  /** Its parameters in words (`tau_mem: 0.01`, `weight: [10, 100]`, ...). */
  readonly params: Readonly<Record<string, string>>;
}

/** A compiled node: a stateless layer or a cell, with an optional input gain. */
export interface Exec {
  readonly info: NIRNodeInfo;
  readonly source: Exclude<NIRNode, NIRGraph>;
  readonly layer?: Layer;
  readonly cell?: Cell<unknown>;
  /** Multiplies the input before the cell (`r`, `w_in`, `dt/tau` folded per convention). */
  readonly gain?: Param;
  /** Weight Variables by NIR field (`weight`, `bias`), to write back in `toNIR`. */
  readonly weights: Readonly<Record<string, tf.Variable>>;
  /** Reads the weights back in NIR's layout (`[out, in, kH, kW]` for convolutions). */
  readonly readWeights?: () => Promise<Record<string, Float32Array>>;
  /** Tensors it owns besides its Variables. */
  readonly owned: readonly tf.Tensor[];
}

/** A stateless layer from a function (used where no `@snn` layer fits). */
function fnLayer(name: string, apply: (x: tf.Tensor) => tf.Tensor, variables: tf.Variable[] = []): Layer {
  return {
    kind: 'layer',
    name,
    trainableVariables: variables,
    apply: (x) => tf.tidy(() => apply(x)),
    dispose: () => {
      for (const v of variables) v.dispose();
    },
  };
}

function summarize(a: NIRArray): string {
  const v = arrayValues(a);
  if (v.length === 0) return '[]';
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  const fmt = (x: number) => String(Number(x.toPrecision(5)));
  if (lo === hi) return a.shape.length === 0 || v.length === 1 ? fmt(lo) : `${fmt(lo)} ×${v.length}`;
  if (v.length <= 4) return `[${v.map(fmt).join(', ')}]`;
  return `[${a.shape.join('×')}] ${fmt(lo)}…${fmt(hi)}`;
}

function describeFields(node: Exclude<NIRNode, NIRGraph>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'type' || k === 'metadata') continue;
    if (typeof v === 'string') out[k] = v;
    else if (v && typeof v === 'object' && 'data' in v) {
      const a = v as NIRArray;
      out[k] = k === 'weight' || k === 'bias' ? `[${a.shape.join('×')}] ${a.dtype}` : summarize(a);
    }
  }
  return out;
}

const variableOf = (a: NIRArray, shape?: readonly number[]) =>
  tf.tidy(() => tf.variable(tf.tensor(float32Values(a), (shape ?? a.shape).slice(), 'float32'), true));

function linearLayer(node: Extract<NIRNode, { type: 'Affine' | 'Linear' }>): {
  layer: Layer;
  weights: Record<string, tf.Variable>;
  readWeights: () => Promise<Record<string, Float32Array>>;
} {
  const [out, inF] = node.weight.shape as [number, number];
  const layer = new Linear(inF, out, { bias: node.type === 'Affine', seed: 0 });
  tf.tidy(() => {
    layer.weight.assign(tf.tensor(float32Values(node.weight), [out, inF], 'float32'));
    if (node.type === 'Affine') layer.bias!.assign(tf.tensor(float32Values(node.bias), [out], 'float32'));
  });
  const weights: Record<string, tf.Variable> =
    node.type === 'Affine' ? { weight: layer.weight, bias: layer.bias! } : { weight: layer.weight };
  return { layer, weights, readWeights: () => readAll(weights, {}) };
}

/** Reads Variables as float32 arrays, transposing those named in `perm` back to NIR's layout. */
async function readAll(
  weights: Record<string, tf.Variable>,
  perm: Record<string, number[]>,
): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(weights)) {
    const p = perm[k];
    const t = p ? tf.transpose(v, p) : v;
    out[k] = Float32Array.from(await t.data());
    if (t !== v) t.dispose();
  }
  return out;
}

function conv2dLayer(node: Extract<NIRNode, { type: 'Conv2d' }>, name: string) {
  const [cOut, cInG, kh, kw] = node.weight.shape as [number, number, number, number];
  const groups = scalarValue(node.groups, `${name}.groups`);
  const stride = pairValues(node.stride, `${name}.stride`);
  const dil = pairValues(node.dilation, `${name}.dilation`);
  const pad = convPadding(node.padding, [kh, kw], dil);
  const symmetric = pad.before.every((p, i) => p === pad.after[i]) && pad.before[0] === pad.before[1];
  if (groups === 1 && kh === kw && stride[0] === stride[1] && dil[0] === 1 && dil[1] === 1 && symmetric) {
    const layer = new Conv2d(cInG, cOut, kh, { stride: stride[0], padding: pad.before[0]!, seed: 0 });
    // NIR (PyTorch) stores [out, in, kH, kW]; `@snn`'s Conv2d keeps tfjs's [kH, kW, in, out].
    tf.tidy(() => {
      layer.weight.assign(
        tf.transpose(tf.tensor(float32Values(node.weight), [cOut, cInG, kh, kw]), [2, 3, 1, 0]),
      );
      layer.bias!.assign(tf.tensor(float32Values(node.bias), [cOut], 'float32'));
    });
    const weights = { weight: layer.weight, bias: layer.bias! };
    return {
      layer: layer as Layer,
      weights,
      runsAs: 'Conv2d',
      readWeights: () => readAll(weights, { weight: [3, 2, 0, 1] }),
    };
  }
  // Dilation, groups, rectangular kernels, uneven padding: tfjs's conv2d, one call per group.
  const weight = tf.tidy(() =>
    tf.variable(
      tf.transpose(tf.tensor(float32Values(node.weight), [cOut, cInG, kh, kw]), [2, 3, 1, 0]),
      true,
    ),
  );
  const bias = variableOf(node.bias, [cOut]);
  const outG = cOut / groups;
  const layer = fnLayer(
    'conv2d',
    (x) => {
      let h = tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D;
      h = tf.pad(h, [
        [0, 0],
        [pad.before[0]!, pad.after[0]!],
        [pad.before[1]!, pad.after[1]!],
        [0, 0],
      ]);
      const parts = tf
        .split(h, groups, 3)
        .map((xg, g) =>
          tf.conv2d(
            xg as tf.Tensor4D,
            tf.slice(weight, [0, 0, 0, g * outG], [kh, kw, cInG, outG]) as tf.Tensor4D,
            stride,
            'valid',
            'NHWC',
            dil,
          ),
        );
      const y = tf.add(groups === 1 ? parts[0]! : tf.concat(parts, 3), bias);
      return tf.transpose(y, [0, 3, 1, 2]);
    },
    [weight, bias],
  );
  return {
    layer,
    weights: { weight, bias },
    runsAs: 'conv2d (tfjs)',
    readWeights: () => readAll({ weight, bias }, { weight: [3, 2, 0, 1] }),
  };
}

function conv1dLayer(node: Extract<NIRNode, { type: 'Conv1d' }>, name: string) {
  const [cOut, cInG, k] = node.weight.shape as [number, number, number];
  const groups = scalarValue(node.groups, `${name}.groups`);
  const stride = scalarValue(node.stride, `${name}.stride`);
  const dil = scalarValue(node.dilation, `${name}.dilation`);
  const pad = convPadding(node.padding, [k], [dil]);
  const weight = tf.tidy(() =>
    tf.variable(tf.transpose(tf.tensor(float32Values(node.weight), [cOut, cInG, k]), [2, 1, 0]), true),
  );
  const bias = variableOf(node.bias, [cOut]);
  const outG = cOut / groups;
  const layer = fnLayer(
    'conv1d',
    (x) => {
      const h = tf.pad(tf.transpose(x, [0, 2, 1]), [
        [0, 0],
        [pad.before[0]!, pad.after[0]!],
        [0, 0],
      ]) as tf.Tensor3D;
      const parts = tf
        .split(h, groups, 2)
        .map((xg, g) =>
          tf.conv1d(
            xg as tf.Tensor3D,
            tf.slice(weight, [0, 0, g * outG], [k, cInG, outG]) as tf.Tensor3D,
            stride,
            'valid',
            'NWC',
            dil,
          ),
        );
      return tf.transpose(tf.add(groups === 1 ? parts[0]! : tf.concat(parts, 2), bias), [0, 2, 1]);
    },
    [weight, bias],
  );
  return {
    layer,
    weights: { weight, bias },
    readWeights: () => readAll({ weight, bias }, { weight: [2, 1, 0] }),
  };
}

function poolLayer(
  node: Extract<NIRNode, { type: 'SumPool2d' | 'AvgPool2d' }>,
  name: string,
  ignorePadding: boolean,
) {
  const k = pairValues(node.kernel_size, `${name}.kernel_size`);
  const s = pairValues(node.stride, `${name}.stride`);
  const p = ignorePadding ? ([0, 0] as const) : pairValues(node.padding, `${name}.padding`);
  if (k[0] === k[1] && s[0] === s[1] && p[0] === 0 && p[1] === 0) {
    return {
      layer: node.type === 'SumPool2d' ? new SumPool2d(k[0], s[0]) : new AvgPool2d(k[0], s[0]),
      runsAs: node.type,
    };
  }
  const layer = fnLayer(node.type, (x) => {
    const h = tf.pad(tf.transpose(x, [0, 2, 3, 1]), [
      [0, 0],
      [p[0], p[0]],
      [p[1], p[1]],
      [0, 0],
    ]) as tf.Tensor4D;
    let y: tf.Tensor = tf.avgPool(h, k, s, 'valid');
    // Sum pooling as PyTorch's LPPool2d(1): the average times the window size.
    if (node.type === 'SumPool2d') y = tf.mul(y, k[0] * k[1]);
    return tf.transpose(y, [0, 3, 1, 2]);
  });
  return { layer, runsAs: `${node.type} (tfjs)` };
}

function filled(shape: readonly number[], v: Param): tf.Tensor {
  return typeof v === 'number' ? tf.fill(shape.slice(), v) : tf.add(tf.zeros(shape.slice()), v);
}

function neuronCell(plan: NeuronPlan, dt: number): Cell<unknown> {
  switch (plan.kind) {
    case 'lif':
      return new LIFCell(plan.params, dt) as Cell<unknown>;
    case 'li':
      return new LICell(plan.params, dt) as Cell<unknown>;
    case 'lifBox':
      return new LIFBoxCell(plan.params, dt) as Cell<unknown>;
    case 'liBox':
      return new LIBoxCell(plan.params, dt) as Cell<unknown>;
    case 'iaf':
      if (plan.initialV === plan.params.vReset) return new IAFCell(plan.params) as Cell<unknown>;
      return new FeedForwardCell(
        'IAFCell',
        iafStep,
        (shape) => ({ v: filled(shape, plan.initialV) }),
        plan.params,
        dt,
      ) as Cell<unknown>;
    case 'integrator':
      return new FeedForwardCell(
        'Integrator',
        (x, s: { v: tf.Tensor }) => integratorStep(x, s),
        (shape) => ({ v: tf.zeros(shape.slice()) }),
        {},
        dt,
      ) as Cell<unknown>;
    case 'cubaBox':
      return new FeedForwardCell(
        'NorseImportedCubaLIF',
        cubaBoxStep,
        (shape, p) => ({
          synapse: { v: filled(shape, p.synapse.vLeak) },
          lif: { v: filled(shape, p.lif.vLeak) },
        }),
        { wIn: plan.wIn, synapse: plan.synapse, r: plan.r, lif: plan.lif },
        dt,
      ) as Cell<unknown>;
    case 'spyx':
      return new FeedForwardCell(
        'SpyxNeuron',
        (x, s: SpyxState, p: SpyxParams) => spyxStep(x, s, p),
        (shape) => ({ v: tf.zeros(shape.slice()), i: tf.zeros(shape.slice()) }),
        { alpha: plan.alpha, beta: plan.beta, threshold: plan.threshold },
        dt,
      ) as Cell<unknown>;
  }
}

const RUNS_AS: Record<NeuronPlan['kind'], string> = {
  lif: 'LIFCell',
  li: 'LICell',
  lifBox: 'LIFBoxCell',
  liBox: 'LIBoxCell',
  iaf: 'IAFCell',
  integrator: 'Integrator',
  cubaBox: 'LIBoxCell → LIFBoxCell',
  spyx: 'Spyx neuron',
};

/** Compiles one node of a flat graph for a convention and time step. */
export function compileNode(
  name: string,
  node: Exclude<NIRNode, NIRGraph>,
  inputShape: readonly number[],
  outputShape: readonly number[],
  convention: NIRConvention,
  dt: number,
): Exec {
  const base = { name, type: node.type, inputShape, outputShape, params: describeFields(node) };
  const make = (runsAs: string, spiking: boolean, rest: Omit<Exec, 'info' | 'source'>): Exec => ({
    info: { ...base, runsAs, spiking },
    source: node,
    ...rest,
  });
  switch (node.type) {
    case 'Input':
    case 'Output':
      return make('identity', false, {
        layer: fnLayer(node.type, (x) => tf.clone(x)),
        weights: {},
        owned: [],
      });
    case 'Affine':
    case 'Linear': {
      const { layer, weights, readWeights } = linearLayer(node);
      return make('Linear', false, { layer, weights, readWeights, owned: [] });
    }
    case 'Conv2d': {
      const { layer, weights, runsAs, readWeights } = conv2dLayer(node, name);
      return make(runsAs, false, { layer, weights, readWeights, owned: [] });
    }
    case 'Conv1d': {
      const { layer, weights, readWeights } = conv1dLayer(node, name);
      return make('conv1d (tfjs)', false, { layer, weights, readWeights, owned: [] });
    }
    case 'SumPool2d':
    case 'AvgPool2d': {
      const { layer, runsAs } = poolLayer(
        node,
        name,
        convention === 'norse-importer' && node.type === 'SumPool2d',
      );
      return make(runsAs, false, { layer, weights: {}, owned: [] });
    }
    case 'Flatten': {
      const start = scalarValue(node.start_dim, `${name}.start_dim`);
      const end = scalarValue(node.end_dim, `${name}.end_dim`);
      const out = flattenShape(inputShape, start, end);
      const toEnd = end === -1 || end === inputShape.length - 1;
      const s = start < 0 ? start + inputShape.length : start;
      const layer = toEnd
        ? new Flatten(s + 1)
        : fnLayer('Flatten', (x) => tf.reshape(x, [x.shape[0]!, ...out]));
      return make('Flatten', false, { layer, weights: {}, owned: [] });
    }
    case 'Scale': {
      const p = new ParamMaker(inputShape);
      const s = p.field(node.scale);
      return make('scale', false, {
        layer: fnLayer('Scale', (x) => tf.mul(x, s)),
        weights: {},
        owned: p.tensors,
      });
    }
    case 'Threshold': {
      const p = new ParamMaker(inputShape);
      const th = p.field(node.threshold);
      return make('threshold', true, {
        layer: fnLayer('Threshold', (x) => threshold(tf.sub(x, th))),
        weights: {},
        owned: p.tensors,
      });
    }
    case 'Delay': {
      const steps = arrayValues(node.delay).map((d) => Math.round(d / dt));
      if (steps.some((d) => !(d >= 0))) throw new RangeError(`node "${name}": delays must be ≥ 0 seconds.`);
      const full = steps.length === 1 ? new Array<number>(sizeOf(inputShape)).fill(steps[0]!) : steps;
      const D = Math.max(0, ...full);
      const cell = new FeedForwardCell(
        'Delay',
        delayStep,
        (shape) => ({ past: tf.zeros([D, ...shape]) }),
        { steps: full, shape: inputShape },
        dt,
      ) as Cell<unknown>;
      return make(`Delay (${D} steps)`, false, { cell, weights: {}, owned: [] });
    }
    default: {
      const p = new ParamMaker(inputShape);
      const plan = neuronPlan(node, convention, dt, p);
      const spiking = !(
        plan.kind === 'li' ||
        plan.kind === 'liBox' ||
        plan.kind === 'integrator' ||
        (plan.kind === 'spyx' && plan.threshold === undefined)
      );
      const gain = 'gain' in plan ? plan.gain : undefined;
      return make(RUNS_AS[plan.kind], spiking, {
        cell: neuronCell(plan, dt),
        ...(gain === undefined ? {} : { gain }),
        weights: {},
        owned: p.tensors,
      });
    }
  }
}
