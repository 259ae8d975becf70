"""Checks @snn/nir's files against NIR's Python package and Norse (tests call this; see README).

    python3 norse_nir.py read FILE [FILE ...] -> JSON: nir.read(FILE) as {type, nodes, edges, metadata}
                                                 (several files: {FILE: graph, ...})
    python3 norse_nir.py run FILE INPUT DT [unbatched]
        -> JSON: norse.torch.from_nir(nir.read(FILE), dt=DT) stepped over INPUT (JSON {"x": [T][B][...]}),
           each sample alone with `unbatched`

Needs numpy, h5py, torch, NIR, NIRTorch and Norse importable (NORSE_SRC and NORSE_EXTRA_PATH on
PYTHONPATH). Two shims let Norse's sources run on torch 1.13 (as the golden files' generator did):
its SuperSpike autograd function (torch >= 2 style) is replaced by a forward-only threshold (no
gradients are taken here), and `nir.version` is set when NIR is not pip-installed.
"""

import json
import sys

import numpy as np


def _shims():
    import nir

    if not hasattr(nir, "version"):
        nir.version = "unknown"
    import torch
    import norse.torch.functional.superspike as superspike

    def forward_only(x, alpha):
        return torch.gt(x, torch.as_tensor(0.0)).to(x.dtype)

    superspike.SuperSpike.apply = staticmethod(forward_only)
    import norse.torch.functional.threshold as threshold

    if hasattr(threshold, "SuperSpike"):
        threshold.SuperSpike.apply = staticmethod(forward_only)


def _array(v):
    a = np.asarray(v)
    kind = "string" if a.dtype.kind in "USO" else str(a.dtype)
    if kind == "string":
        return {"dtype": "string", "shape": list(a.shape), "value": np.vectorize(
            lambda s: s.decode() if isinstance(s, bytes) else str(s))(a).tolist() if a.size else []}
    return {"dtype": kind, "shape": list(a.shape), "value": a.astype(np.float64).ravel().tolist()}


def _node(node):
    import nir

    d = node.to_dict() if not isinstance(node, nir.NIRGraph) else None
    if isinstance(node, nir.NIRGraph):
        return {
            "type": "NIRGraph",
            "nodes": {k: _node(v) for k, v in node.nodes.items()},
            "edges": [list(e) for e in node.edges],
            "metadata": {k: _array(v) for k, v in (node.metadata or {}).items()},
        }
    out = {"type": d.pop("type")}
    for k, v in d.items():
        if k == "metadata":
            out[k] = {mk: _array(mv) for mk, mv in (v or {}).items()}
        elif isinstance(v, str):
            out[k] = v
        elif v is not None:
            out[k] = _array(v)
    return out


def read(path):
    import nir

    g = nir.read(path)
    return _node(g)


def run(path, input_path, dt, unbatched=False):
    import nir
    import torch
    import norse.torch

    with open(input_path) as f:
        x = torch.tensor(np.asarray(json.load(f)["x"], dtype=np.float32))
    module = norse.torch.from_nir(nir.read(path), dt=dt)

    def steps(xs):
        state = None
        outs = []
        with torch.no_grad():
            for t in range(xs.shape[0]):
                y, state = module(xs[t], state)
                outs.append(y.detach().numpy().astype(np.float64))
        return np.stack(outs)

    # Unbatched: each sample alone (Norse applies a NIR Flatten verbatim, so batched runs of graphs
    # whose Flatten counts from the sample's first dim flatten the batch too).
    y = np.stack([steps(x[:, b]) for b in range(x.shape[1])], 1) if unbatched else steps(x)
    return {"outputs": y.tolist(), "shape": list(y.shape)}


if __name__ == "__main__":
    _shims()
    if sys.argv[1] == "read":
        files = sys.argv[2:]
        print(json.dumps(read(files[0]) if len(files) == 1 else {f: read(f) for f in files}))
    elif sys.argv[1] == "run":
        print(json.dumps(run(sys.argv[2], sys.argv[3], float(sys.argv[4]), "unbatched" in sys.argv[5:])))
    else:
        raise SystemExit(__doc__)
