"""PyTorch side of the model benchmark (bench/run.sh): images/s of one torchvision model in one mode and memory
format, float32 or bf16 autocast (torch.autocast("cpu", torch.bfloat16)), on random inputs; the same models,
steps and optimiser as bench_models.cpp. One configuration per process; prints one JSON line with its peak RSS.
"""
import argparse
import json
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


class SimpleCnn(nn.Module):
    """cnnkit's simplecnn: conv 1->32, pool, conv 32->64, pool, fc 3136->128, fc 128->10."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc1 = nn.Linear(64 * 7 * 7, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))


def build(name, batch):
    if name == "resnet18_cifar":
        m = torchvision.models.resnet18(num_classes=10)
        m.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)  # the CIFAR stem, as cnnkit's cifar_stem
        m.maxpool = nn.Identity()
        return m, (batch, 3, 32, 32), 10
    if name == "mobilenet_v2":
        return torchvision.models.mobilenet_v2(), (batch, 3, 224, 224), 1000
    if name == "simplecnn":
        return SimpleCnn(), (batch, 1, 28, 28), 10
    raise SystemExit(f"bench_models.py: unknown model {name}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="resnet18_cifar")
    p.add_argument("--mode", choices=["train", "infer"], default="train")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--amp", choices=["none", "bf16"], default="none")
    p.add_argument("--format", choices=["nchw", "channels_last"], default="nchw")
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    fmt = torch.channels_last if a.format == "channels_last" else torch.contiguous_format
    model, shape, classes = build(a.model, a.batch)
    model = model.to(memory_format=fmt)
    x = torch.rand(*shape).to(memory_format=fmt)
    y = torch.randint(0, classes, (a.batch,))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    amp = a.amp == "bf16"

    def train_step():
        opt.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=amp):
            loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    def infer_step():
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=amp):
            model(x)

    step = train_step if a.mode == "train" else infer_step
    model.train(a.mode == "train")
    for _ in range(a.warmup):
        step()
    start = time.perf_counter()
    for _ in range(a.steps):
        step()
    seconds = time.perf_counter() - start
    print(json.dumps({"engine": "pytorch", "version": torch.__version__, "model": a.model, "mode": a.mode,
                      "batch": a.batch, "precision": "bf16" if amp else "f32", "format": a.format,
                      "threads": torch.get_num_threads(), "images_per_s": round(a.batch * a.steps / seconds, 2),
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))


if __name__ == "__main__":
    main()
