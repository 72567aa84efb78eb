#!/usr/bin/python3
"""Fails (exit 1, file:line and the include) when a file in src/ or include/cnn/ includes from a layer above its own,
or when a backend kernel calls a differentiable Tensor method. The header -> layer table is docs/design.md's."""
import pathlib
import re
import sys

# Lower rank = lower layer. Equal ranks are siblings and may not include each other.
RANK = {"tensor": 0, "backend": 1, "autograd": 2, "ops": 3, "distributed": 3, "nn": 4, "models": 5,
        "optim": 6, "io": 6, "analysis": 6, "core": 7, "data": 8, "onnx": 8, "train": 9, "viz": 10, "cli": 11}
HEADERS = {
    "tensor": "error shape tensor bfloat16 random ordered_dict window_size",
    "backend": "backend",
    "autograd": "autograd autocast options trace",
    "ops": "ops relu_rule",
    "distributed": "distributed",
    "nn": "nn module aux_outputs sequential init activation batchnorm layers layers_activation layers_conv layers_norm "
          "layers_resample layers_quantized fuse ddp blocks blocks_dense blocks_inception blocks_mobile blocks_resnet blocks_se",
    "models": "models models_plain models_zoo",
    "optim": "optim optim_utils scheduler scheduler_factory",
    "io": "io atomic_file",
    "analysis": "analysis",
    "core": "cnn",
    "data": "data dataset datasets download loader transforms transforms_factory transforms_functional data_splits",
    "onnx": "onnx",
    "train": "train metrics checkpoint run_spec predictor quantize mixup",
    "viz": "viz viz_chart viz_image viz_inside viz_interpret viz_model viz_report viz_tsne",
}
HEADER_LAYER = {f"cnn/{h}.h": layer for layer, names in HEADERS.items() for h in names.split()}
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
# Differentiable (graph-recording) Tensor methods; kernels use tensor/raw.h instead.
RECORDING = re.compile(r"\.(view|reshape|permute|transpose|t|flatten|slice|select|unsqueeze|squeeze|expand|clone|"
                       r"contiguous|detach|backward)\(")


def layer_of_source(root, path):
    rel = path.relative_to(root)
    if rel.parts[0] == "include":
        return HEADER_LAYER.get(f"cnn/{path.name}")
    return rel.parts[1] if rel.parts[0] == "src" and rel.parts[1] in RANK else None


def layer_of_include(root, path, bracket, name):
    if name.startswith("cnn/"):
        return HEADER_LAYER.get(name, "unmapped")
    if bracket == "<":
        return None  # a system or third-party header
    first = name.split("/")[0]
    if (root / "src" / name).exists() and first in RANK:
        return first
    return layer_of_source(root, (path.parent / name).resolve())


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent).resolve()
    files = sorted(p for d in ("src", "include/cnn") for p in (root / d).rglob("*") if p.suffix in (".h", ".cpp"))
    problems = []
    for path in files:
        own = layer_of_source(root, path)
        rel = path.relative_to(root)
        if own is None:
            problems.append(f"{rel}: not in the layer table (scripts/check_layers.py, docs/design.md)")
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if own == "backend" and RECORDING.search(line.split("//")[0]):
                problems.append(f"{rel}:{number}: backend calls a graph-recording Tensor method: {line.strip()}")
            m = INCLUDE.match(line)
            if not m:
                continue
            target = layer_of_include(root, path, m.group(1), m.group(2))
            if target == "unmapped":
                problems.append(f"{rel}:{number}: {m.group(2)} is not in the layer table")
            elif target and target != own and RANK[target] >= RANK[own]:
                problems.append(f"{rel}:{number}: {own} includes {m.group(2)} from layer {target}")
    for p in problems:
        print(p)
    print(f"check_layers: {len(files)} files, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
