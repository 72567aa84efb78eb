#!/usr/bin/env python3
"""Exports each model family with `cnn export`, runs the file in ONNX Runtime and compares with cnnkit's own
forward pass (`cnn run`) on the same random input, with the same weights: the ONNX initializers (state_dict
names) are written back as a safetensors file and loaded strictly by `cnn run`, so the check also proves the names.

Usage: python3 -m pip install onnx onnxruntime numpy
       python3 scripts/check_onnx.py [--cnn build/release/cnn] [--write-doc docs/deploy.md]
Writes a Markdown table (and, with --write-doc, puts it between the ORT-TABLE markers of that file)."""
import argparse
import json
import pathlib
import platform
import struct
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnx.numpy_helper
import onnxruntime as ort

FAMILIES = [  # model, C,H,W, batch, opset, extra export flags
    ("resnet18", "3,224,224", 2, 13, []),
    ("resnet18_cifar", "3,32,32", 4, 17, ["--dynamic-batch"]),
    ("vgg11_bn", "3,224,224", 1, 13, []),
    ("mobilenet_v1", "3,224,224", 1, 13, []),
    ("mobilenet_v2", "3,224,224", 2, 13, []),
    ("mobilenet_v2", "3,224,224", 1, 10, []),
    ("densenet121", "3,224,224", 1, 13, []),
    ("googlenet", "3,224,224", 1, 13, []),
    ("shufflenet_v2_x1_0", "3,224,224", 1, 13, []),
    ("squeezenet1_1", "3,224,224", 1, 13, []),
    ("efficientnet_b0", "3,224,224", 1, 13, []),
    ("alexnet", "3,224,224", 1, 13, []),
    ("simplecnn", "1,28,28", 8, 13, ["--dynamic-batch"]),
    ("lenet5", "1,28,28", 4, 13, []),
    ("plaincnn", "1,28,28", 4, 13, ["--model-kwargs", "depth=4", "width=16"]),
]


def save_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, a in tensors.items():
        a = np.ascontiguousarray(a)
        dtype = {np.float32: "F32", np.int64: "I64"}[a.dtype.type]
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
        blobs.append(a.tobytes())
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    pathlib.Path(path).write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def load_safetensors(path):
    data = pathlib.Path(path).read_bytes()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        out[name] = np.frombuffer(data[8 + n + a:8 + n + b], dtype=np.float32).reshape(info["shape"])
    return out


def check(cnn, tmp, model, chw, batch, opset, extra):
    kwargs = extra[extra.index("--model-kwargs"):] if "--model-kwargs" in extra else []
    onnx_path, weights, x_path, y_path = (f"{tmp}/{model}_{opset}.{ext}" for ext in ("onnx", "w.safetensors",
                                                                                     "x.safetensors", "y.safetensors"))
    export_batch = [] if "--dynamic-batch" in extra else ["--batch", str(batch)]
    subprocess.run([cnn, "export", "--model", model, "--input", chw, "--opset", str(opset), "--output", onnx_path,
                    *export_batch, *extra], check=True, capture_output=True, text=True)
    proto = onnx.load(onnx_path)
    save_safetensors(weights, {t.name: onnx.numpy_helper.to_array(t) for t in proto.graph.initializer
                               if not t.name.startswith("const_")})
    x = np.random.default_rng(0).uniform(-1, 1, size=(batch, *map(int, chw.split(",")))).astype(np.float32)
    save_safetensors(x_path, {"input": x})
    classes = proto.graph.output[0].type.tensor_type.shape.dim[1].dim_value
    subprocess.run([cnn, "run", "--model", model, "--weights", weights, "--num-classes", str(classes), "--in-chans",
                    chw.split(",")[0], "--input", x_path, "--output", y_path, *kwargs], check=True,
                   capture_output=True, text=True)
    expected = load_safetensors(y_path)["output"]
    session = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    got = session.run(None, {"input": x})[0]
    diff = float(np.max(np.abs(got - expected)) / max(float(np.max(np.abs(expected))), 1e-12))
    ops = len(proto.graph.node)
    return diff, ops


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cnn", default="build/release/cnn")
    parser.add_argument("--write-doc")
    args = parser.parse_args()
    rows = []
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for model, chw, batch, opset, extra in FAMILIES:
            try:
                diff, ops = check(args.cnn, tmp, model, chw, batch, opset, extra)
                worst = max(worst, diff)
                status = "ok" if diff <= 1e-4 else "MISMATCH"
                rows.append(f"| {model} | {batch}x{chw.replace(',', 'x')} | {opset}{' dynamic N' if '--dynamic-batch' in extra else ''} | {ops} | {diff:.1e} | {status} |")
            except subprocess.CalledProcessError as e:
                rows.append(f"| {model} | {batch}x{chw} | {opset} | - | - | failed: {e.stderr.strip().splitlines()[-1]} |")
            print(rows[-1], flush=True)
    table = "\n".join([
        f"ONNX Runtime {ort.__version__} (pip; onnx {onnx.__version__}, {platform.machine()}), max |ORT - cnnkit| / max |cnnkit|:",
        "",
        "| model | input | opset | nodes | rel. diff | |",
        "| --- | --- | --- | --- | --- | --- |",
        *rows,
    ])
    print(f"\nworst relative difference {worst:.1e}")
    if args.write_doc:
        doc = pathlib.Path(args.write_doc)
        text = doc.read_text()
        start, end = "<!-- ORT-TABLE -->", "<!-- /ORT-TABLE -->"
        head, rest = text.split(start, 1)
        doc.write_text(head + start + "\n" + table + "\n" + end + rest.split(end, 1)[1])
    return 0 if all(" ok |" in r for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
