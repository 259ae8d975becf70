#!/usr/bin/env python3
"""Records how PyTorch normalises each pixel byte 0..255 (our own code; the fixture of pixelTable's test).

torchvision's ToTensor() turns a uint8 image into float32 and divides it by 255; Normalize(mean, std)
then runs `tensor.sub_(mean).div_(std)` with mean and std as float32 tensors. torchvision is not
needed: the same two float32 operations on a [1, 1, 256] tensor of every byte give the same floats.

Usage (from the repository root; any torch works, the fixture records the version):
    /usr/bin/python3 packages/datasets/scripts/torch-pixel-table.py > packages/datasets/test/fixtures/torch-pixel-table.json
"""
import json
import struct
import sys

import torch

# The datasets of packages/datasets/src/registry.ts, with their (mean, std).
DATASETS = {"mnist": (0.1307, 0.3081), "fashion-mnist": (0.286, 0.353), "kmnist": (0.1918, 0.3483)}


def bits(values):
    """float32 values as 8-digit hex of their IEEE bits (exact, unlike decimals)."""
    return [struct.unpack("<I", struct.pack("<f", v))[0].to_bytes(4, "big").hex() for v in values]


def main():
    raw = torch.arange(256, dtype=torch.uint8).view(1, 1, 256)
    scaled = raw.to(torch.float32).div(255)  # ToTensor
    tables = {}
    for name, (mean, std) in DATASETS.items():
        m = torch.as_tensor([mean], dtype=torch.float32).view(-1, 1, 1)
        s = torch.as_tensor([std], dtype=torch.float32).view(-1, 1, 1)
        normalised = scaled.clone().sub_(m).div_(s)  # Normalize
        tables[name] = {"mean": mean, "std": std, "f32_bits": bits(normalised.flatten().tolist())}
    doc = {
        "what": "float32 value of each pixel byte 0..255 after ToTensor() and Normalize(mean, std), as PyTorch computes it",
        "command": "/usr/bin/python3 packages/datasets/scripts/torch-pixel-table.py",
        "torch": torch.__version__,
        "scaled_f32_bits": bits(scaled.flatten().tolist()),
        "normalized": tables,
    }
    json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
