#!/usr/bin/env python3
"""Records Norse's tutorial models training step by step: the golden of @snn/train's trajectory test.

Our own code. It builds the Norse MNIST tutorial's recurrent model (and its conv net) from Norse's own
modules, loads initial weights from a small counter-based generator that the TypeScript test
reproduces bit for bit (so the golden stores a recipe and checksums, not 90k–430k floats), trains on
the first training digits in file order, and writes per-step losses, spike hashes and counts,
predictions, gradient and weight checksums and samples.

Besides this reference run (float32, one thread) it trains the same model in ways that only change
the order of float32 sums (the samples of each batch, the hidden neurons or the pixels reversed or
shuffled, two threads) and in float64. Their spread per step is the band a faithful float32 implementation falls
in: spikes must equal Norse's at the steps where all of them agree, values must stay within it.

Usage (README.md beside the golden files has the environment):
    gen-trajectory.py recurrent|conv [--out FILE] [--steps N]
"""
import argparse
import gzip
import hashlib
import json
import math
import os
import platform
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(os.path.dirname(HERE), "test", "golden")
NORSE_COMMIT = "065a3b45cf13bc8156d18987380f6d26c09f08a2"


# ---------------------------------------------------------------------------------------------
# Norse from its source tree, runnable on torch 1.13
# ---------------------------------------------------------------------------------------------
def import_norse():
    src = os.environ.get("NORSE_SRC")
    if not src:
        sys.exit("gen-trajectory: set NORSE_SRC (and NORSE_EXTRA_PATH) as README.md says")
    extra = [p for p in os.environ.get("NORSE_EXTRA_PATH", "").split(":") if p]
    sys.path[:0] = [src, *extra]
    import torch
    import norse.torch  # noqa: F401
    import norse.torch.functional.superspike as superspike

    return torch, adapt_superspike(torch, superspike)


def adapt_superspike(torch, module):
    """Norse HEAD writes SuperSpike in torch 2's style (a forward without ctx plus setup_context);
    torch 1.13 calls forward(ctx, ...). This class calls Norse's own three static methods in the
    order torch 2 would, so the spike and its surrogate are Norse's, unchanged."""
    original = module.SuperSpike
    if not hasattr(original, "setup_context") or int(torch.__version__.split(".")[0]) >= 2:
        return None

    class SuperSpikeTorch113(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, alpha):
            out = original.forward(x, alpha)
            original.setup_context(ctx, (x, alpha), out)
            return out

        @staticmethod
        def backward(ctx, grad_output):
            return original.backward(ctx, grad_output)

    module.SuperSpike = SuperSpikeTorch113
    return "norse.torch.functional.superspike.SuperSpike: Norse's forward/setup_context/backward called from a torch-1.13 autograd.Function"


# ---------------------------------------------------------------------------------------------
# Initial weights: a counter-based generator the TypeScript test reproduces exactly
# ---------------------------------------------------------------------------------------------
M32 = 0xFFFFFFFF


def fmix32(h):
    """MurmurHash3's 32-bit finaliser on uint64 numpy arrays holding 32-bit values."""
    h = h ^ (h >> 16)
    h = (h * 0x85EBCA6B) & M32
    h = h ^ (h >> 13)
    h = (h * 0xC2B2AE35) & M32
    return h ^ (h >> 16)


def uniform01(np, stream, start, count):
    """u_i = (fmix32((i * 0x9E3779B9 + fmix32(stream)) mod 2^32) >> 8) / 2^24 for i in [start, start+count)."""
    mix = int(fmix32(np.array([stream], dtype=np.uint64))[0])
    i = np.arange(start, start + count, dtype=np.uint64)
    h = fmix32((i * 0x9E3779B9 + mix) & M32)
    return (h >> 8).astype(np.float64) / 16777216.0


def init_tensor(np, spec):
    """One weight tensor in PyTorch's layout, float32: uniform(-scale, scale), or a normal-like
    sum of 12 uniforms minus 6 (mean 0, std 1, exact in float64) times scale; one rounding to float32."""
    n = int(np.prod(spec["shape"]))
    if spec["kind"] == "uniform":
        x = (2.0 * uniform01(np, spec["stream"], 0, n) - 1.0) * spec["scale"]
    else:
        u = uniform01(np, spec["stream"], 0, 12 * n).reshape(n, 12)
        z = u[:, 0]
        for j in range(1, 12):
            z = z + u[:, j]
        x = (z - 6.0) * spec["scale"]
    w = x.astype(np.float32).reshape(spec["shape"])
    if spec.get("zero_diagonal"):
        np.fill_diagonal(w, 0.0)
    return w


def sha256(array):
    return hashlib.sha256(array.tobytes()).hexdigest()


# ---------------------------------------------------------------------------------------------
# Data: the first training digits in file order, normalised as torchvision does
# ---------------------------------------------------------------------------------------------
def read_idx(np, path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * k: 8 + 4 * k], "big") for k in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def mnist_head(np, count):
    folder = os.environ.get("SNN_MNIST_DIR")
    if not folder:
        sys.exit("gen-trajectory: set SNN_MNIST_DIR to the folder of the four MNIST .gz files")
    images = read_idx(np, os.path.join(folder, "train-images-idx3-ubyte.gz"))[:count]
    labels = read_idx(np, os.path.join(folder, "train-labels-idx1-ubyte.gz"))[:count]
    return images.copy(), labels.astype(np.int64)


def normalise(torch, images, dtype):
    """ToTensor() (uint8 / 255) then Normalize((0.1307,), (0.3081,)): sub_ and div_ by tensors of dtype."""
    x = torch.from_numpy(images).to(dtype).div(255).unsqueeze(1)  # [N, 1, 28, 28]
    mean = torch.as_tensor([0.1307], dtype=dtype).view(-1, 1, 1)
    std = torch.as_tensor([0.3081], dtype=dtype).view(-1, 1, 1)
    return x.sub_(mean).div_(std)


# ---------------------------------------------------------------------------------------------
# The tutorial's models, from Norse's modules
# ---------------------------------------------------------------------------------------------
def decode(voltages):
    """The tutorial's decode: max over time (PyTorch's first-index rule), then log-softmax."""
    x, _ = torch_module().max(voltages, 0)
    return torch_module().nn.functional.log_softmax(x, dim=1)


def decode_every_tie(voltages):
    """decode with tf.max's tie rule instead: the same values, the gradient to every tied step."""
    m = voltages.max(0).values.detach()
    tied = (voltages == m).to(voltages.dtype).detach()
    x = m + ((voltages - voltages.detach()) * tied).sum(0)
    return torch_module().nn.functional.log_softmax(x, dim=1)


def tie_rule_gradients(torch, np, kind, weights, images, labels, batch):
    """Step 1's gradients under tf.max's tie rule (to choose the sampled entries it changes most)."""
    torch.set_num_threads(1)
    model = (build_recurrent if kind == "recurrent" else build_conv)(torch, weights, Variant("every_tie"))
    x = normalise(torch, images[:batch], torch.float32)
    y = torch.from_numpy(labels[:batch])
    _, _, voltages = model(x)
    torch.nn.functional.nll_loss(decode_every_tie(voltages), y).backward()
    return {n: p.grad.detach().to(torch.float64).numpy().copy() for n, p in named_parameters(model, kind).items()}


_TORCH = []


def torch_module():
    return _TORCH[0]


class Variant:
    """How a run differs from the reference: the same model and data, other float32 sum orders."""

    def __init__(self, name, dtype="float32", threads=1, batch=None, hidden=None, pixels=None):
        """batch, hidden, pixels: permutations (new position j holds the reference's element p[j]);
        hidden permutes the recurrent layer's neurons, or the conv net's fc1 outputs."""
        self.name, self.dtype, self.threads = name, dtype, threads
        self.batch, self.hidden, self.pixels = batch, hidden, pixels

    @staticmethod
    def inverse(p):
        inv = [0] * len(p)
        for j, i in enumerate(p):
            inv[i] = j
        return inv


def permutation_variants(np, batch):
    """Orders of the same sums: reversed, and shuffled by fixed seeds, alone and together."""
    rev = lambda n: list(range(n - 1, -1, -1))  # noqa: E731
    shuffle = lambda n, seed: [int(i) for i in np.random.RandomState(seed).permutation(n)]  # noqa: E731
    out = [Variant("batch_reversed", batch=rev(batch)), Variant("hidden_reversed", hidden=rev(100)),
           Variant("pixels_reversed", pixels=rev(784))]
    for seed in (1, 2, 3):
        out += [Variant(f"batch_shuffled_{seed}", batch=shuffle(batch, seed)),
                Variant(f"hidden_shuffled_{seed}", hidden=shuffle(100, seed))]
    for seed in (4, 5):
        out += [Variant(f"pixels_shuffled_{seed}", pixels=shuffle(784, seed)),
                Variant(f"all_shuffled_{seed}", batch=shuffle(batch, seed), hidden=shuffle(100, seed + 10),
                        pixels=shuffle(784, seed + 20))]
    return out


def recurrent_spec():
    h = 100
    return {
        "l1.input_weights": dict(shape=[h, 784], kind="normal", scale=math.sqrt(2 / h), stream=1),
        "l1.recurrent_weights": dict(shape=[h, h], kind="normal", scale=math.sqrt(2 / h), stream=2,
                                     zero_diagonal=True),
        "fc_out.weight": dict(shape=[10, h], kind="uniform", scale=1 / math.sqrt(h), stream=3),
    }


def conv_spec():
    return {
        "conv1.weight": dict(shape=[20, 1, 5, 5], kind="uniform", scale=1 / math.sqrt(25), stream=11),
        "conv1.bias": dict(shape=[20], kind="uniform", scale=1 / math.sqrt(25), stream=12),
        "conv2.weight": dict(shape=[50, 20, 5, 5], kind="uniform", scale=1 / math.sqrt(500), stream=13),
        "conv2.bias": dict(shape=[50], kind="uniform", scale=1 / math.sqrt(500), stream=14),
        "fc1.weight": dict(shape=[500, 800], kind="uniform", scale=1 / math.sqrt(800), stream=15),
        "fc1.bias": dict(shape=[500], kind="uniform", scale=1 / math.sqrt(800), stream=16),
        "out.input_weights": dict(shape=[10, 500], kind="normal", scale=1 / math.sqrt(500), stream=17),
    }


def build_recurrent(torch, weights, variant):
    from norse.torch import ConstantCurrentLIFEncoder, LICell, LIFParameters
    from norse.torch.module.lif import LIFRecurrentCell

    class Recurrent(torch.nn.Module):
        """ConstantCurrentLIFEncoder(32) → LIFRecurrentCell(784, 100, alpha 100, v_th 0.5) →
        Linear(100, 10, no bias) → LICell, stepped as the tutorial's SNN.forward."""

        def __init__(self):
            super().__init__()
            self.encoder = ConstantCurrentLIFEncoder(seq_length=32)
            self.l1 = LIFRecurrentCell(784, 100, p=LIFParameters(alpha=100, v_th=torch.tensor(0.5)), dt=0.001)
            self.fc_out = torch.nn.Linear(100, 10, bias=False)
            self.out = LICell(dt=0.001)

        def forward(self, x):
            encoded = self.encoder(x)
            s1 = so = None
            spikes, voltages = [], []
            for t in range(encoded.shape[0]):
                z = encoded[t].reshape(-1, 784)
                z, s1 = self.l1(z, s1)
                spikes.append(z)
                v, so = self.out(self.fc_out(z), so)
                voltages.append(v)
            return encoded, [torch.stack(spikes)], torch.stack(voltages)

    model = Recurrent()
    w_in = torch.from_numpy(weights["l1.input_weights"])
    w_rec = torch.from_numpy(weights["l1.recurrent_weights"])
    w_out = torch.from_numpy(weights["fc_out.weight"])
    if variant.hidden:
        h = torch.tensor(variant.hidden)
        w_in, w_rec, w_out = w_in[h], w_rec[h][:, h], w_out[:, h]
    if variant.pixels:
        w_in = w_in[:, torch.tensor(variant.pixels)]
    with torch.no_grad():
        model.l1.input_weights.copy_(w_in)
        model.l1.recurrent_weights.copy_(w_rec)
        model.fc_out.weight.copy_(w_out)
    return model


def build_conv(torch, weights, variant):
    from norse.torch import ConstantCurrentLIFEncoder, LIFParameters
    from norse.torch.module.leaky_integrator import LILinearCell
    from norse.torch.module.lif import LIFCell

    F = torch.nn.functional

    class Conv(torch.nn.Module):
        """ConstantCurrentLIFEncoder(48) → per step conv1 → LIF → maxpool 2 → 10·conv2 → LIF →
        maxpool 2 → flatten 800 → fc1 → LIF → relu → LILinearCell(500, 10) (LIF: super, alpha 80)."""

        def __init__(self):
            super().__init__()
            self.encoder = ConstantCurrentLIFEncoder(seq_length=48)
            self.conv1 = torch.nn.Conv2d(1, 20, 5, 1)
            self.conv2 = torch.nn.Conv2d(20, 50, 5, 1)
            self.fc1 = torch.nn.Linear(800, 500)
            self.lif0 = LIFCell(p=LIFParameters(method="super", alpha=80))
            self.lif1 = LIFCell(p=LIFParameters(method="super", alpha=80))
            self.lif2 = LIFCell(p=LIFParameters(method="super", alpha=80))
            self.out = LILinearCell(500, 10)

        def forward(self, x):
            encoded = self.encoder(x)
            s0 = s1 = s2 = so = None
            z0s, z1s, z2s, voltages = [], [], [], []
            for t in range(encoded.shape[0]):
                z = self.conv1(encoded[t])
                z, s0 = self.lif0(z, s0)
                z0s.append(z)
                z = F.max_pool2d(z, 2, 2)
                z = 10 * self.conv2(z)
                z, s1 = self.lif1(z, s1)
                z1s.append(z)
                z = F.max_pool2d(z, 2, 2)
                z = z.view(-1, 800)
                z = self.fc1(z)
                z, s2 = self.lif2(z, s2)
                z2s.append(z)
                v, so = self.out(F.relu(z), so)
                voltages.append(v)
            return encoded, [torch.stack(z0s), torch.stack(z1s), torch.stack(z2s)], torch.stack(voltages)

    model = Conv()
    w = dict(weights)
    if variant.hidden:
        h = torch.tensor(variant.hidden).numpy()
        w["fc1.weight"], w["fc1.bias"] = w["fc1.weight"][h], w["fc1.bias"][h]
        w["out.input_weights"] = w["out.input_weights"][:, h]
    with torch.no_grad():
        for name, p in [("conv1.weight", model.conv1.weight), ("conv1.bias", model.conv1.bias),
                        ("conv2.weight", model.conv2.weight), ("conv2.bias", model.conv2.bias),
                        ("fc1.weight", model.fc1.weight), ("fc1.bias", model.fc1.bias),
                        ("out.input_weights", model.out.input_weights)]:
            p.copy_(torch.from_numpy(w[name].copy()))
    return model


# ---------------------------------------------------------------------------------------------
# One training run
# ---------------------------------------------------------------------------------------------
def named_parameters(model, kind):
    if kind == "recurrent":
        return {"l1.input_weights": model.l1.input_weights, "l1.recurrent_weights": model.l1.recurrent_weights,
                "fc_out.weight": model.fc_out.weight}
    return {"conv1.weight": model.conv1.weight, "conv1.bias": model.conv1.bias,
            "conv2.weight": model.conv2.weight, "conv2.bias": model.conv2.bias, "fc1.weight": model.fc1.weight,
            "fc1.bias": model.fc1.bias, "out.input_weights": model.out.input_weights}


def unpermute(torch, name, t, variant):
    """A parameter (or its gradient) of a permuted variant in the reference's layout."""
    if variant.hidden:
        h = torch.tensor(Variant.inverse(variant.hidden))
        t = {"l1.input_weights": lambda a: a[h], "l1.recurrent_weights": lambda a: a[h][:, h],
             "fc_out.weight": lambda a: a[:, h], "fc1.weight": lambda a: a[h], "fc1.bias": lambda a: a[h],
             "out.input_weights": lambda a: a[:, h]}.get(name, lambda a: a)(t)
    if variant.pixels and name == "l1.input_weights":
        t = t[:, torch.tensor(Variant.inverse(variant.pixels))]
    return t


def spike_digest(np, z):
    """Spikes [T, B, ...] as uint8 bytes: sha256 in PyTorch's layout (NCHW frames) and channels-last."""
    a = (z.detach().cpu().numpy() != 0).astype(np.uint8)
    out = {"shape": list(a.shape), "count": int(a.sum()), "sha256": sha256(a)}
    if a.ndim == 5:
        out["sha256_channels_last"] = sha256(np.ascontiguousarray(a.transpose(0, 1, 3, 4, 2)))
    return out


def run(torch, np, kind, variant, weights, images, labels, steps, batch, lr, grad_steps):
    torch.set_num_threads(variant.threads)
    dtype = torch.float64 if variant.dtype == "float64" else torch.float32
    torch.set_default_dtype(dtype)
    model = (build_recurrent if kind == "recurrent" else build_conv)(torch, weights, variant)
    model = model.to(dtype)
    params = named_parameters(model, kind)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    x_all = normalise(torch, images, dtype)
    y_all = torch.from_numpy(labels)
    records = []
    for step in range(steps):
        x = x_all[step * batch:(step + 1) * batch]
        y = y_all[step * batch:(step + 1) * batch]
        order = torch.tensor(variant.batch) if variant.batch else torch.arange(batch)
        x, y = x[order], y[order]
        if variant.pixels:
            x = x.reshape(batch, 1, 784)[:, :, torch.tensor(variant.pixels)].reshape(batch, 1, 28, 28)
        optimizer.zero_grad()
        encoded, spikes, voltages = model(x)
        log_probs = decode(voltages)
        loss = torch.nn.functional.nll_loss(log_probs, y)
        loss.backward()
        back = torch.argsort(order)  # the reference's sample order

        def ref_order(t):
            """[T, B, ...] or [B, ...] (batch axis 1 or 0) of this variant in the reference's order."""
            return t.index_select(1 if t.dim() > 2 else 0, back)

        enc = ref_order(encoded.reshape(encoded.shape[0], batch, 784))
        if variant.pixels:
            enc = enc[..., torch.tensor(Variant.inverse(variant.pixels))]
        hidden = [ref_order(z) for z in spikes]
        if variant.hidden:  # the last spiking layer's neurons
            hidden[-1] = hidden[-1][..., torch.tensor(Variant.inverse(variant.hidden))]
        last = hidden[-1].detach()
        rec = {
            "loss": loss.item(),
            "encoded": spike_digest(np, enc),
            "spikes": [spike_digest(np, z) for z in hidden],
            "spikes_per_sample": [int(v) for v in last.sum(dim=tuple(d for d in range(last.dim()) if d != 1)).tolist()],
            "predictions": [int(v) for v in ref_order(log_probs).argmax(1).tolist()],
            "log_probs": ref_order(log_probs).detach().to(torch.float64).numpy(),
        }
        if step < grad_steps:
            rec["grads"] = {n: unpermute(torch, n, p.grad, variant).detach().to(torch.float64).numpy().copy()
                            for n, p in params.items()}
        optimizer.step()
        rec["weights"] = {n: unpermute(torch, n, p, variant).detach().to(torch.float64).numpy().copy()
                          for n, p in params.items()}
        records.append(rec)
    torch.set_default_dtype(torch.float32)
    return records


# ---------------------------------------------------------------------------------------------
# The golden file
# ---------------------------------------------------------------------------------------------
def f32(v):
    """A float32 as the shortest decimal that reads back to it (Math.fround recovers it)."""
    import numpy as np

    return float(repr(np.float32(v)).replace("np.float32(", "").rstrip(")"))


def summary(np, a):
    return {"sum": float(a.astype(np.float64).sum()), "l2": float(np.sqrt((a.astype(np.float64) ** 2).sum())),
            "max_abs": float(np.abs(a).max())}


def band(x):
    """A spread rounded up to two significant digits (a tolerance needs no more)."""
    return float("%.2g" % (float(x) * 1.05)) if x else 0.0


def sample_indices(np, grad, tie_change, count=12):
    """Flat indices (PyTorch layout) to compare: the largest gradients, evenly spaced ones, and those
    tf.max's tie rule changes most (so a wrong tie rule shows in the samples)."""
    flat = np.abs(grad.reshape(-1))
    top = np.argsort(-flat, kind="stable")[:count]
    spaced = (np.arange(count) * flat.size) // count
    ties = np.argsort(-tie_change.reshape(-1), kind="stable")[:count]
    return sorted(set(int(i) for i in top) | set(int(i) for i in spaced) | set(int(i) for i in ties))


def spread(values, ref):
    return band(max((abs(v - ref) for v in values), default=0.0))


def step_records(np, runs, spec, samples, labels, batch, steps, grad_steps):
    """Per step: the reference's values, and the largest distance of any variant from them (the band)."""
    ref = runs["reference"]
    alts = [r for name, r in runs.items() if name != "reference"]
    out_steps = []
    diverged = False
    for k in range(steps):
        r = ref[k]
        agree = all(a[k]["spikes"] == r["spikes"] and a[k]["encoded"] == r["encoded"] for a in alts)
        diverged = diverged or not agree
        s = {
            "step": k + 1,
            "loss": f32(r["loss"]),
            "loss_band": spread([a[k]["loss"] for a in alts], r["loss"]),
            "encoded": r["encoded"],
            "spikes": r["spikes"],
            "spike_count_band": [spread([a[k]["spikes"][j]["count"] for a in alts], z["count"])
                                 for j, z in enumerate(r["spikes"])],
            "spikes_agree": agree,
            "all_agree_so_far": not diverged,
            "predictions": r["predictions"],
            "predictions_band": max(sum(p != q for p, q in zip(a[k]["predictions"], r["predictions"])) for a in alts),
            "spikes_per_sample": r["spikes_per_sample"],
        }
        if k < grad_steps:
            # Each sample's log-probability of its label (the loss is minus their mean).
            picked = lambda lp: lp[np.arange(batch), labels[k * batch:(k + 1) * batch]]  # noqa: E731
            s["label_log_probs"] = [f32(v) for v in picked(r["log_probs"])]
            s["log_probs_band"] = band(max(np.abs(a[k]["log_probs"] - r["log_probs"]).max() for a in alts))
            s["grads"] = {}
            for n in spec:
                g = r["grads"][n]
                flat = g.reshape(-1)
                s["grads"][n] = {
                    **summary(np, g),
                    "samples": [f32(flat[i]) for i in samples[n]],
                    "band": {
                        "samples": [band(max(abs(a[k]["grads"][n].reshape(-1)[i] - flat[i]) for a in alts))
                                    for i in samples[n]],
                        "max_abs_diff": band(max(np.abs(a[k]["grads"][n] - g).max() for a in alts)),
                        "l2": spread([summary(np, a[k]["grads"][n])["l2"] for a in alts], summary(np, g)["l2"]),
                    },
                }
        s["weights"] = {}
        for n in spec:
            w = r["weights"][n]
            flat = w.reshape(-1)
            s["weights"][n] = {
                **summary(np, w),
                "samples": [f32(flat[i]) for i in samples[n]],
                "band": {
                    "samples": [band(max(abs(a[k]["weights"][n].reshape(-1)[i] - flat[i]) for a in alts))
                                for i in samples[n]],
                    "max_abs_diff": band(max(np.abs(a[k]["weights"][n] - w).max() for a in alts)),
                    "l2": spread([summary(np, a[k]["weights"][n])["l2"] for a in alts], summary(np, w)["l2"]),
                },
            }
        out_steps.append(s)
    return out_steps


def golden(torch, np, kind, steps, grad_steps, shim):
    cfg = dict(recurrent=dict(T=32, batch=64, lr=2e-3, spec=recurrent_spec()),
               conv=dict(T=48, batch=64, lr=1e-3, spec=conv_spec()))[kind]
    batch, lr, spec = cfg["batch"], cfg["lr"], cfg["spec"]
    weights = {n: init_tensor(np, s) for n, s in spec.items()}
    images, labels = mnist_head(np, steps * batch)
    variants = [Variant("reference"), Variant("float64", dtype="float64"), Variant("two_threads", threads=2)]
    if kind == "recurrent":
        variants += permutation_variants(np, batch)
    else:
        shuffle = lambda n, seed: [int(i) for i in np.random.RandomState(seed).permutation(n)]  # noqa: E731
        variants += [Variant("batch_reversed", batch=list(range(batch - 1, -1, -1)))]
        variants += [Variant(f"batch_shuffled_{seed}", batch=shuffle(batch, seed)) for seed in (1, 2, 3, 4)]
        variants += [Variant(f"fc1_shuffled_{seed}", hidden=shuffle(500, seed)) for seed in (1, 2, 3)]
    runs = {}
    for v in variants:
        print(f"gen-trajectory: {kind} {v.name}", file=sys.stderr, flush=True)
        runs[v.name] = run(torch, np, kind, v, weights, images, labels, steps, batch, lr, grad_steps)
    step1 = runs["reference"][0]["grads"]
    every_tie = tie_rule_gradients(torch, np, kind, weights, images, labels, batch)
    tie_change = {n: np.abs(every_tie[n] - step1[n]) for n in spec}
    samples = {n: sample_indices(np, step1[n], tie_change[n]) for n in spec}
    out_steps = step_records(np, runs, spec, samples, labels, batch, steps, grad_steps)
    fixed = None
    if kind == "conv":
        # The same batches at the initial weights (learning rate 0): step 2's loss and gradients
        # without the trajectory's drift (see README.md).
        fixed_runs = {}
        for v in variants:
            print(f"gen-trajectory: {kind} {v.name} at the initial weights", file=sys.stderr, flush=True)
            fixed_runs[v.name] = run(torch, np, kind, v, weights, images, labels, steps, batch, 0.0, grad_steps)
        fixed = step_records(np, fixed_runs, spec, samples, labels, batch, steps, grad_steps)
    ref = runs["reference"]
    return {
        "schema": "snn-trajectory/1",
        "model": kind,
        "source": {
            "norse": {"commit": NORSE_COMMIT, "src": "NORSE_SRC (pure Python)", "superspike_shim": shim},
            "torch": torch.__version__, "numpy": np.__version__, "python": platform.python_version(),
            "command": f"packages/train/scripts/gen-trajectory.py {kind} --steps {steps}",
        },
        "config": {"T": cfg["T"], "batch": batch, "steps": steps, "learning_rate": lr,
                   "optimizer": "torch.optim.Adam (betas 0.9, 0.999; eps 1e-8)", "loss": "nll_loss(decode(voltages))",
                   "data": f"MNIST training digits 0..{steps * batch - 1} in file order, batch k = digits 64(k-1)..64k-1",
                   "normalisation": "ToTensor() then Normalize((0.1307,), (0.3081,)) in float32"},
        "init": {
            "generator": ("u(stream, i) = (fmix32((i * 0x9E3779B9 + fmix32(stream)) mod 2^32) >> 8) / 2^24 "
                          "(fmix32: MurmurHash3's finaliser); uniform: float32((2u_i - 1) * scale); normal: "
                          "float32((sum_{j<12} u(stream, 12i + j) - 6) * scale); index i in PyTorch's row-major layout"),
            "tensors": {n: {**{k: v for k, v in s.items()}, "sha256": sha256(weights[n])} for n, s in spec.items()},
        },
        "variants": {name: {"losses": [r["loss"] for r in runs[name]],
                            "spike_counts": [[z["count"] for z in r["spikes"]] for r in runs[name]],
                            "spikes_agree": [runs[name][k]["spikes"] == ref[k]["spikes"] for k in range(steps)]}
                     for name in runs if name != "reference"},
        "sample_indices": samples,
        "tie_rule": {
            "what": "step 1's gradients with tf.max's tie rule in decode (the gradient to every tied step) minus Norse's",
            "max_abs_diff": {n: float(tie_change[n].max()) for n in spec},
            "l2_diff": {n: abs(summary(np, every_tie[n])["l2"] - summary(np, step1[n])["l2"]) for n in spec},
        },
        **({"fixed_weight_steps": fixed} if fixed else {}),
        "steps": out_steps,
    }


def dumps(doc):
    """Compact JSON, one top-level key per line and one step per line (small, and diffs stay readable)."""
    compact = lambda v: json.dumps(v, separators=(",", ":"))  # noqa: E731
    lines = []
    for k, v in doc.items():
        steps = k in ("steps", "fixed_weight_steps")
        body = "[\n" + ",\n".join(compact(x) for x in v) + "\n]" if steps else compact(v)
        lines.append(f"{json.dumps(k)}:{body}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model", choices=["recurrent", "conv"])
    ap.add_argument("--steps", type=int)
    ap.add_argument("--out")
    args = ap.parse_args()
    torch, shim = import_norse()
    _TORCH.append(torch)
    import numpy as np

    steps = args.steps or (20 if args.model == "recurrent" else 2)
    doc = golden(torch, np, args.model, steps, grad_steps=3, shim=shim)
    out = args.out or os.path.join(GOLDEN, f"trajectory-{args.model}.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        f.write(dumps(doc))
    os.replace(tmp, out)
    print(f"gen-trajectory: wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
