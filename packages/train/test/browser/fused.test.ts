import { Random, useBackend } from '@snn/core';
import {
  ConstantCurrentLIFEncoder,
  poissonEncode,
  signedPoissonEncode,
  spikeLatencyEncode,
} from '@snn/encoders';
import * as N from '@snn/neurons';
import { BROWSER_BACKENDS, BROWSER_LOADERS, expectClose } from '@snn/test-utils/browser';
import { LOSSES, model, recurrentSNN, trainStep } from '@snn/train';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

const make = (fused: boolean, T = 12) =>
  model({
    encoder: new ConstantCurrentLIFEncoder(T),
    network: recurrentSNN({ hiddenFeatures: 40, seed: 3, fused }),
  });

/** Normalised digit-like inputs: mostly background, a blob of bright pixels. */
function digits(batch: number): tf.Tensor {
  return tf.tidy(() => {
    const u = tf.randomUniform([batch, 1, 28, 28], 0, 1, 'float32', 7);
    return tf.where(tf.greater(u, 0.8), tf.mul(u, 2.8), tf.fill(u.shape, -0.4242));
  });
}

for (const backend of BROWSER_BACKENDS) {
  describe(`[${backend}] fast paths equal the reference composition in Chromium`, () => {
    beforeAll(async () => {
      const choice = await useBackend(backend, { loaders: BROWSER_LOADERS });
      expect(choice.name).toBe(backend);
    });

    it('the tutorial recurrent model: same readout and gradients as the composition', async () => {
      const fast = make(true);
      const ref = make(false);
      const x = digits(8);
      const labels = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
      await expectClose(fast.forward(x).readout, ref.forward(x).readout, {
        atol: 1e-4,
        rtol: 1e-4,
        label: 'readout',
      });
      const grads = (m: typeof fast) =>
        tf.variableGrads(() => LOSSES.nll(m.forward(x), labels), m.trainableVariables as tf.Variable[]).grads;
      const gf = grads(fast);
      const gr = grads(ref);
      for (const [k, v] of fast.trainableVariables.entries()) {
        const b = gr[ref.trainableVariables[k]!.name]!;
        const scale = (await tf.max(tf.abs(b)).data())[0]!;
        await expectClose(gf[v.name]!, b, { atol: 1e-4 * Math.max(scale, 1e-3), rtol: 1e-3, label: v.name });
      }
      fast.dispose();
      ref.dispose();
    });

    it('spikeLinear, liSequence, lifSequence, spikeConv2d, maxPool2d equal their compositions', async () => {
      const s = tf.cast(tf.greater(tf.randomUniform([6, 4, 30], 0, 1, 'float32', 3), 0.85), 'float32');
      const w = tf.randomNormal([10, 30], 0, 1, 'float32', 4);
      const ref = (a: tf.Tensor, b: tf.Tensor) =>
        tf.reshape(N.linear(tf.reshape(a, [24, 30]), b), [6, 4, 10]);
      await expectClose(N.spikeLinear(s, w), ref(s, w), { atol: 1e-4 });
      const gw = (f: typeof ref) => tf.grad((b: tf.Tensor) => tf.sum(tf.square(f(s, b))))(w);
      await expectClose(
        gw((a, b) => N.spikeLinear(a, b)),
        gw(ref),
        { atol: 1e-3, rtol: 1e-4 },
      );
      const c = tf.randomNormal([20, 4, 10], 0, 3, 'float32', 5);
      const li = (x: tf.Tensor) => {
        const [v] = N.runSequence((xt, st: N.LIState) => N.liStep(xt, st), x, N.liInitialState([4, 10]));
        return v;
      };
      await expectClose(N.liSequence(c), li(c), { atol: 1e-4 });
      const up = tf.randomNormal([20, 4, 10], 0, 1, 'float32', 8);
      const gli = (f: (x: tf.Tensor) => tf.Tensor) => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(f(x), up)))(c);
      await expectClose(gli(N.liSequence), gli(li), { atol: 1e-4, rtol: 1e-4, label: 'liSequence d/dx' });
      // The conv net's pieces: feed-forward LIF over time-major frames, spike convolution, pooling.
      const p = N.lifParams({ method: 'super', alpha: 2 });
      const frames = tf.mul(tf.randomUniform([12, 6, 6, 3], -0.5, 1.5, 'float32', 6), 30);
      const stepped = N.runSequence(
        (x, st: N.LIFState) => N.lifStep(x, st, p),
        tf.reshape(frames, [4, 3, 6, 6, 3]),
        N.lifInitialState([3, 6, 6, 3], p),
      )[0];
      const z = N.lifSequence(frames, p, 1e-3, 4) as tf.Tensor4D;
      await expectClose(z, tf.reshape(stepped, [12, 6, 6, 3]), { atol: 0 });
      const k = tf.randomNormal([3, 3, 3, 5], 0, 1, 'float32', 7) as tf.Tensor4D;
      await expectClose(N.spikeConv2d(z, k), N.conv2dValid(z, k), { atol: 1e-4 });
      await expectClose(N.maxPool2d(z), tf.maxPool(z, 2, 2, 'valid'), { atol: 0 });
      // Its gradient goes to each window's first maximum (PyTorch's rule; spikes tie everywhere).
      const upP = tf.randomNormal([12, 3, 3, 3], 0, 1, 'float32', 9);
      const gp = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(N.maxPool2d(a as tf.Tensor4D), upP)))(z);
      const [zs, us] = [await z.data(), await upP.data()];
      const want = new Float32Array(zs.length);
      for (let f = 0; f < 12; f++)
        for (let oy = 0; oy < 3; oy++)
          for (let ox = 0; ox < 3; ox++)
            for (let ch = 0; ch < 3; ch++) {
              let best = -1;
              for (const [di, dj] of [
                [0, 0],
                [0, 1],
                [1, 0],
                [1, 1],
              ] as const) {
                const at = ((f * 6 + 2 * oy + di) * 6 + 2 * ox + dj) * 3 + ch;
                if (best < 0 || zs[at]! > zs[best]!) best = at;
              }
              want[best] = us[((f * 3 + oy) * 3 + ox) * 3 + ch]!;
            }
      await expectClose(gp, tf.tensor(want, z.shape), { atol: 0, label: 'maxPool2d gradient' });
      const gk = (f: (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor) =>
        tf.grad((b: tf.Tensor) => tf.sum(tf.square(f(z, b as tf.Tensor4D))))(k);
      await expectClose(gk(N.spikeConv2d), gk(N.conv2dValid), { atol: 1e-3, rtol: 1e-4 });
    });

    it('lifRecurrentSequence and the LIF current encoder equal their step compositions, gradients included', async () => {
      for (const p of [
        N.lifParams({ alpha: 100 }),
        N.lifParams({ method: 'triangle', alpha: 0.5, vTh: 0.6 }),
      ]) {
        const c = tf.mul(tf.randomUniform([10, 3, 16], -0.2, 1, 'float32', 9), 40);
        const w = tf.randomNormal([16, 16], 0, 0.5, 'float32', 10);
        const composed = (a: tf.Tensor, b: tf.Tensor) => {
          const [z] = N.runSequence(
            (x, st: N.LIFRecurrentState) => N.lifRecurrentStep(x, st, tf.eye(16), b, p),
            a,
            N.lifRecurrentInitialState([3, 16], p),
          );
          return z;
        };
        await expectClose(N.lifRecurrentSequence(c, w, p), composed(c, w), {
          atol: 0,
          label: `spikes ${p.method}`,
        });
        const up = tf.randomNormal([10, 3, 16], 0, 1, 'float32', 11);
        const loss = (f: typeof composed) => (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), up));
        const [gcF, gwF] = tf.grads(loss((a, b) => N.lifRecurrentSequence(a, b, p)))([c, w]);
        const [gcR, gwR] = tf.grads(loss(composed))([c, w]);
        await expectClose(gcF!, gcR!, { atol: 1e-4, rtol: 1e-3, label: `d/dcurrents ${p.method}` });
        await expectClose(gwF!, gwR!, { atol: 1e-3, rtol: 1e-3, label: `d/dweights ${p.method}` });
        const x = tf.mul(tf.randomUniform([4, 7], 0, 1, 'float32', 12), 3);
        const encoded = (a: tf.Tensor) => {
          let v = tf.zeros([4, 7]);
          const zs: tf.Tensor[] = [];
          for (let t = 0; t < 12; t++) {
            const [z, next] = N.lifCurrentEncoderStep(a, v, p);
            zs.push(z);
            v = next;
          }
          return tf.stack(zs);
        };
        await expectClose(N.lifCurrentEncoderSequence(x, 12, p), encoded(x), { atol: 0, label: 'encoder' });
        const upE = tf.randomNormal([12, 4, 7], 0, 1, 'float32', 13);
        const ge = (f: (a: tf.Tensor) => tf.Tensor) =>
          tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), upE)))(x);
        await expectClose(
          ge((a) => N.lifCurrentEncoderSequence(a, 12, p)),
          ge(encoded),
          { atol: 1e-4, rtol: 1e-3, label: 'encoder d/dx' },
        );
      }
    });

    it('the integrals from a given state: spikes, final states and every gradient equal the composition', async () => {
      const p = N.lifParams({ vTh: 0.5, alpha: 30 });
      const [T, B, H] = [10, 2, 6];
      const c = tf.mul(tf.randomUniform([T, B, H], -0.5, 1.5, 'float32', 91), 4);
      const w = tf.randomNormal([H, H], 0, 1.2, 'float32', 92);
      const z0 = tf.cast(tf.greater(tf.randomUniform([B, H], 0, 1, 'float32', 93), 0.6), 'float32');
      const v0 = tf.randomUniform([B, H], -0.3, 0.6, 'float32', 94);
      const i0 = tf.randomUniform([B, H], -2, 2, 'float32', 95);
      const eye = tf.eye(H);
      type Run = (cs: tf.Tensor, ww: tf.Tensor, z: tf.Tensor, v: tf.Tensor, i: tf.Tensor) => tf.Tensor[];
      const cases: [string, Run, Run][] = [
        [
          'lifRecurrentIntegral',
          (cs, ww, z, v, i) => {
            const [zs, s] = N.lifRecurrentIntegral(cs, ww, { z, v, i }, p);
            return [zs, s.z, s.v, s.i];
          },
          (cs, ww, z, v, i) => {
            const [zs, s] = N.runSequence(
              (x, st: N.LIFRecurrentState) => N.lifRecurrentStep(x, st, eye, ww, p),
              cs,
              {
                z,
                v,
                i,
              },
            );
            return [zs, s.z, s.v, s.i];
          },
        ],
        [
          'lifIntegral',
          (cs, ww, _z, v, i) => {
            const [zs, s] = N.lifIntegral(tf.add(cs, tf.sum(ww)), { v, i }, p);
            return [zs, s.v, s.i];
          },
          (cs, ww, _z, v, i) => {
            const [zs, s] = N.runSequence(
              (x, st: N.LIFState) => N.lifStep(x, st, p),
              tf.add(cs, tf.sum(ww)),
              { v, i },
            );
            return [zs, s.v, s.i];
          },
        ],
        [
          'liIntegral',
          (cs, ww, _z, v, i) => {
            const [vs, s] = N.liIntegral(tf.mul(cs, tf.mean(ww)), { v, i });
            return [vs, s.v, s.i];
          },
          (cs, ww, _z, v, i) => {
            const [vs, s] = N.runSequence((x, st: N.LIState) => N.liStep(x, st), tf.mul(cs, tf.mean(ww)), {
              v,
              i,
            });
            return [vs, s.v, s.i];
          },
        ],
      ];
      for (const [name, fast, ref] of cases) {
        const a = fast(c, w, z0, v0, i0);
        const b = ref(c, w, z0, v0, i0);
        for (const [k, t] of b.entries())
          await expectClose(a[k]!, t, { atol: 1e-4, label: `${name} output ${k}` });
        const loss = (f: Run) => (cs: tf.Tensor, ww: tf.Tensor, z: tf.Tensor, v: tf.Tensor, i: tf.Tensor) =>
          tf.addN(f(cs, ww, z, v, i).map((t, k) => tf.sum(tf.mul(t, k + 0.5))));
        const args = name === 'lifRecurrentIntegral' ? [c, w, z0, v0, i0] : [c, w, v0, i0];
        const wrap = (f: Run) =>
          name === 'lifRecurrentIntegral'
            ? loss(f)
            : (cs: tf.Tensor, ww: tf.Tensor, v: tf.Tensor, i: tf.Tensor) => loss(f)(cs, ww, z0, v, i);
        const gA = tf.grads(wrap(fast) as (...t: tf.Tensor[]) => tf.Tensor)(args);
        const gB = tf.grads(wrap(ref) as (...t: tf.Tensor[]) => tf.Tensor)(args);
        for (const [k, g] of gB.entries()) {
          const scale = Math.max(1, (await tf.max(tf.abs(g)).data())[0]!);
          await expectClose(gA[k]!, g, { atol: 2e-4 * scale, rtol: 1e-3, label: `${name} gradient ${k}` });
        }
      }
    });

    it("Poisson spikes are the seed's `U < p·x` on every backend (host loop on cpu/wasm, tensor ops elsewhere)", async () => {
      const xs = [0, 0.3, 1, 0.5, -0.2, 0.25, 0.7, 0.05, 0.9999, 2];
      const T = 200;
      const p = Math.fround(1e-3 * 400);
      const u = new Random(11).uniformArray(T * xs.length);
      const want = Array.from(u, (v, k) => (v < Math.fround(p * xs[k % xs.length]!) ? 1 : 0));
      const x = tf.tensor2d(xs, [2, 5]);
      const got = poissonEncode(x, T, { fMax: 400, seed: 11 });
      expect(got.shape).toEqual([T, 2, 5]);
      expect(Array.from(await got.data())).toEqual(want);
      const signed = signedPoissonEncode(x, T, { fMax: 400, seed: 11 });
      const wantSigned = Array.from(u, (v, k) => {
        const a = xs[k % xs.length]!;
        return v < Math.fround(p * Math.abs(a)) ? Math.sign(a) : 0;
      });
      expect(Array.from(await signed.data(), (v) => v + 0)).toEqual(wantSigned);
      tf.dispose([x, got, signed]);
    });

    it("first spikes by Norse's rule (kernel on cpu/wasm, a where-loop elsewhere), gradient included", async () => {
      // Columns: time runs down; a signed train keeps [-1, 1, 1] (the running sum is not positive).
      const columns = [
        [1, 0, 1, 1],
        [0, 0.5, 2, 0],
        [-1, 1, 1, 1],
        [0, 0, 0, 0],
      ];
      const rows = [0, 1, 2, 3].map((t) => columns.map((c) => c[t]!));
      const spikes = tf.tensor2d(rows);
      const want = [
        [1, 0, -1, 0],
        [0, 0.5, 1, 0],
        [0, 0, 1, 0],
        [0, 0, 0, 0],
      ];
      const before = tf.memory().numTensors;
      const first = spikeLatencyEncode(spikes);
      expect(await first.array()).toEqual(want);
      first.dispose();
      expect(tf.memory().numTensors).toBe(before);
      const free = [
        [1, 1, 1, 1],
        [0, 1, 1, 1],
        [0, 0, 1, 1],
        [0, 0, 0, 1],
      ];
      const w = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], [4, 4]);
      const g = tf.grad((s: tf.Tensor) => tf.sum(tf.mul(spikeLatencyEncode(s), w)))(spikes);
      expect(await g.array()).toEqual(free.map((r, t) => r.map((f, j) => f * (t * 4 + j + 1))));
      g.dispose();
      expect(tf.memory().numTensors).toBe(before + 1); // w
      tf.dispose([spikes, w]);
    });

    it('kernel launches per time step of a training step (printed; bounded)', async () => {
      const x = digits(16);
      const labels = tf.tensor1d(
        [...Array(16).keys()].map((k) => k % 10),
        'int32',
      );
      // Kernels that compute in a training step at T steps: Reshape and Identity only relabel a
      // tensor's data (no shader runs on webgl/webgpu), and custom gradients' scopes are not kernels.
      const launches = async (T: number) => {
        const m = make(true, T);
        const profile = await tf.profile(() => {
          const { value, grads } = tf.variableGrads(
            () => LOSSES.nll(m.forward(x, { training: true }), labels),
            m.trainableVariables as tf.Variable[],
          );
          tf.dispose([value, ...Object.values(grads)]);
        });
        m.dispose();
        return profile.kernels.filter((k) => !['Reshape', 'Identity', 'unnamed scope'].includes(k.name))
          .length;
      };
      const [at8, at16] = [await launches(8), await launches(16)];
      // What each further step costs (the loss and the optimizer's kernels are per batch).
      const perStep = (at16 - at8) / 8;
      console.log(
        `[${backend}] kernels that compute in a training step: ${at8} at T 8, ${at16} at T 16: ${perStep} per time step`,
      );
      // cpu/wasm: whole-sequence kernels (the backward's recurrent product runs inside its kernel,
      // on the backend's matrix product), so none per step; webgpu: whole-sequence programs (a
      // thread per neuron, a workgroup per sample for the recurrent layer), none per step either;
      // webgl: 5 step programs (encoder, LIF state with its spikes, LIF backward, LI, LI backward)
      // and 2 recurrent products per step (the step composition took 178 kernels per step).
      expect(perStep).toBe(backend === 'webgl' ? 7 : 0);
    });

    it('a training step reads nothing synchronously until its loss, and leaks nothing', async () => {
      const m = make(true, 8);
      const optimizer = tf.train.adam(2e-3);
      const images = digits(16);
      const batch = () => ({
        images: tf.clone(images),
        labels: tf.tensor1d(
          [...Array(16).keys()].map((k) => k % 10),
          'int32',
        ),
        indices: new Int32Array(16),
      });
      await trainStep(m, batch(), optimizer);
      const b = tf.backend() as unknown as { readSync: (...a: unknown[]) => unknown };
      const original = b.readSync;
      let syncReads = 0;
      b.readSync = function (this: unknown, ...args: unknown[]) {
        syncReads++;
        return original.apply(this, args);
      };
      const before = tf.memory().numTensors;
      try {
        await trainStep(m, batch(), optimizer);
      } finally {
        b.readSync = original;
      }
      expect(tf.memory().numTensors).toBe(before);
      // cpu and wasm run the fused kernels, whose loops read host memory directly (no GPU stall);
      // the GPU backends must not stall the pipeline at all.
      if (backend === 'webgl' || backend === 'webgpu') expect(syncReads).toBe(0);
      optimizer.dispose();
      m.dispose();
    });
  });
}
