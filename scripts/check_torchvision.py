#!/usr/bin/python3
"""Checks every zoo model torchvision also has: same weights and input, same eval-mode output (docs/zoo.md).

For each model: build torchvision's with random weights (its own initialisation, plus random batch-norm
statistics so that eval mode is not the identity), write the state_dict and a 1x3x224x224 input as safetensors
(torch + json + struct, no safetensors package), run `cnn run` on them, and compare the outputs. Prints the max
relative difference per model, max |cnn - torch| / max |torch|, and PASS/FAIL at 1e-4.

Run with Debian's PyTorch:  /usr/bin/python3 scripts/check_torchvision.py [--cnn build/cnn] [--models resnet18 ...]
"""
import argparse
import json
import pathlib
import struct
import subprocess
import sys
import tempfile
import time

import torch
import torchvision

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
from gen_safetensors import save_file  # noqa: E402

TOLERANCE = 1e-4

# (name shown, registry name, torchvision constructor, its keyword arguments, extra `cnn run` flags)
MODELS = [(name, name, getattr(torchvision.models, name), {}, []) for name in [
    "alexnet", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
    "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d", "resnext101_32x8d",
    "wide_resnet50_2", "mobilenet_v2", "densenet121", "densenet161", "densenet169", "densenet201",
    "shufflenet_v2_x0_5", "shufflenet_v2_x1_0", "shufflenet_v2_x1_5", "shufflenet_v2_x2_0",
    "squeezenet1_0", "squeezenet1_1", "efficientnet_b0", "efficientnet_b1", "efficientnet_b2", "efficientnet_b3",
]] + [
    ("googlenet", "googlenet", torchvision.models.googlenet, {"aux_logits": False, "init_weights": True}, []),
    ("googlenet (aux_logits)", "googlenet", torchvision.models.googlenet, {"aux_logits": True, "init_weights": True},
     ["--aux-logits"]),
    ("mobilenet_v2 (width 0.5)", "mobilenet_v2", torchvision.models.mobilenet_v2, {"width_mult": 0.5},
     ["--width-mult", "0.5"]),
]


def load_file(path):
    """The float32 tensors of a safetensors file."""
    data = pathlib.Path(path).read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        raw = bytearray(data[8 + n + begin:8 + n + end])
        out[name] = torch.frombuffer(raw, dtype=torch.float32).reshape(entry["shape"])
    return out


def randomize_batch_norm(model):
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.normal_(0.0, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0.0, 0.1)


def check(cnn, folder, label, name, make, kwargs, flags, drop_batch_counts=False):
    torch.manual_seed(0)
    model = make(**kwargs).eval()
    randomize_batch_norm(model)
    x = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        expected = model(x)
    weights, inputs, output = folder / "w.safetensors", folder / "x.safetensors", folder / "y.safetensors"
    state = model.state_dict()
    if drop_batch_counts:  # as many published safetensors files are: no num_batches_tracked, no metadata
        state = {k: v for k, v in state.items() if not k.endswith("num_batches_tracked")}
    save_file(state, weights, None if drop_batch_counts else {"format": "pt"})
    save_file({"input": x}, inputs)
    start = time.time()
    run = subprocess.run([cnn, "run", "--model", name, "--weights", weights, "--input", inputs, "--output", output,
                          *flags], capture_output=True, text=True)
    seconds = time.time() - start
    params = sum(p.numel() for p in model.parameters())
    if run.returncode != 0:
        return label, params, float("inf"), seconds, run.stderr.strip().splitlines()[0]
    got = load_file(output)["output"]
    rel = ((got - expected).abs().max() / expected.abs().max()).item()
    return label, params, rel, seconds, ""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cnn", default=str(ROOT / "build" / "release" / "cnn"),
                        help="the cnn binary (default: build/release/cnn)")
    parser.add_argument("--models", nargs="*", help="only these registry names")
    parser.add_argument("--no-batch-counts", action="store_true",
                        help="save the state_dicts without num_batches_tracked and without metadata")
    args = parser.parse_args()
    torch.set_num_threads(2)
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}; input 1x3x224x224; "
          f"tolerance {TOLERANCE:g} (max |cnn - torch| / max |torch|)\n")
    print(f"{'model':<26} {'parameters':>12} {'max rel diff':>13} {'cnn run':>8}  result")
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for label, name, make, kwargs, flags in MODELS:
            if args.models and name not in args.models:
                continue
            label, params, rel, seconds, error = check(args.cnn, pathlib.Path(tmp), label, name, make, kwargs, flags,
                                                        args.no_batch_counts)
            ok = rel <= TOLERANCE
            failures += not ok
            print(f"{label:<26} {params:>12,} {rel:>13.2e} {seconds:>7.1f}s  {'PASS' if ok else 'FAIL'} {error}",
                  flush=True)
    print(f"\n{'all passed' if failures == 0 else f'{failures} failed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
