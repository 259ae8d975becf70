import {
  type LIFParams,
  type LIParams,
  lifCurrentEncoderStep,
  lifParams,
  lifRecurrentStep,
  lifStep,
  liLinearStep,
  liParams,
  liStep,
} from '@snn/neurons';
import {
  camelParams,
  describeBackends,
  expectClose,
  expectEqual,
  goldenSkipReason,
  hasGolden,
  type Nested,
  readGolden,
} from '@snn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, it } from 'vitest';

interface Case {
  name: string;
  dt: number;
  T: number;
  params: Record<string, unknown>;
  inputs: { x: Nested; input_weights?: Nested; recurrent_weights?: Nested };
  initial_state: Record<string, Nested>;
  outputs: Record<string, Nested[]>;
  states: Record<string, Nested[]>;
  max_abs_diff_f32_vs_f64: Record<string, number>;
}
type Step = (
  x: tf.Tensor,
  state: Record<string, tf.Tensor>,
  c: Case,
) => readonly [tf.Tensor, Record<string, tf.Tensor>];

const w = (c: Case, k: 'input_weights' | 'recurrent_weights') => tf.tensor(c.inputs[k] as number[]);

const MODELS: Record<string, { output: string; step: Step }> = {
  'lif_feed_forward_step.json': {
    output: 'z',
    step: (x, s, c) =>
      lifStep(x, s as never, lifParams(camelParams(c.params) as Partial<LIFParams>), c.dt) as never,
  },
  'lif_step.json': {
    output: 'z',
    step: (x, s, c) =>
      lifRecurrentStep(
        x,
        s as never,
        w(c, 'input_weights'),
        w(c, 'recurrent_weights'),
        lifParams(camelParams(c.params) as Partial<LIFParams>),
        c.dt,
      ) as never,
  },
  'li_feed_forward_step.json': {
    output: 'v',
    step: (x, s, c) =>
      liStep(x, s as never, liParams(camelParams(c.params) as Partial<LIParams>), c.dt) as never,
  },
  'li_step.json': {
    output: 'v',
    step: (x, s, c) =>
      liLinearStep(
        x,
        s as never,
        w(c, 'input_weights'),
        liParams(camelParams(c.params) as Partial<LIParams>),
        c.dt,
      ) as never,
  },
  'lif_current_encoder.json': {
    output: 'z',
    step: (x, s, c) => {
      const [z, v] = lifCurrentEncoderStep(
        x,
        s.v!,
        lifParams(camelParams(c.params) as Partial<LIFParams>),
        c.dt,
      );
      return [z, { v }];
    },
  },
};

for (const [file, model] of Object.entries(MODELS)) {
  const golden = hasGolden(file) ? readGolden<{ cases: Case[] }>(file) : undefined;
  describe.skipIf(!golden)(`${file} (Norse golden trace)`, () => {
    // Norse's traces live outside the repository (../shared/golden): without them the suite shows one
    // skipped test whose name says where it looked, rather than passing silently.
    if (!golden) it.skip(goldenSkipReason(file), () => {});
    describeBackends(file, {}, ({ epsilon }) => {
      for (const c of golden?.cases ?? []) {
        it(`${c.name}: spikes identical, states within float32 error, every one of ${c.T} steps`, async () => {
          const xs = tf.tensor(c.inputs.x as number[]);
          const steps = tf.unstack(xs);
          let state: Record<string, tf.Tensor> = {};
          for (const [k, v] of Object.entries(c.initial_state)) state[k] = tf.tensor(v as number[]);
          const outputs: tf.Tensor[] = [];
          const states: Record<string, tf.Tensor[]> = {};
          for (const x of steps) {
            const [out, next] = model.step(x, state, c);
            outputs.push(out);
            for (const [k, v] of Object.entries(next)) {
              states[k] ??= [];
              states[k].push(v);
            }
            state = next;
          }
          const exact = model.output === 'z';
          const expectedOut = c.outputs[model.output] as number[];
          if (exact) await expectEqual(tf.stack(outputs), expectedOut, `${c.name} ${model.output}`);
          for (const [k, trace] of Object.entries(c.states)) {
            if (k === 'z') {
              await expectEqual(tf.stack(states[k]!), trace as number[], `${c.name} state.z`);
              continue;
            }
            // A few times the natural float32 error that Norse's own float32-vs-float64 run shows.
            const natural = c.max_abs_diff_f32_vs_f64[k] ?? 1e-6;
            const atol = Math.max(4 * natural, 8 * epsilon);
            await expectClose(tf.stack(states[k]!), trace as number[], {
              atol,
              rtol: 0,
              label: `${c.name} state.${k}`,
            });
          }
          if (!exact) {
            const natural = c.max_abs_diff_f32_vs_f64[model.output] ?? 1e-6;
            await expectClose(tf.stack(outputs), expectedOut, {
              atol: Math.max(4 * natural, 8 * epsilon),
              rtol: 0,
            });
          }
        });
      }
    });
  });
}
