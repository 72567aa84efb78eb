"""PyTorch side of the simplecnn benchmark: training and inference images/s on random MNIST-shaped batches.

Run by bench/run.sh with /usr/bin/python3 (the interpreter that has PyTorch). Prints one JSON line.
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class SimpleCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc1 = nn.Linear(64 * 7 * 7, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc2(F.relu(self.fc1(x)))


def timed(fn, warmup, steps):
    """Wall seconds and process CPU seconds (all threads) for `steps` calls after `warmup` calls."""
    for _ in range(warmup):
        fn()
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(steps):
        fn()
    return time.perf_counter() - start, time.process_time() - cpu


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--channels-last", action="store_true")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    fmt = torch.channels_last if args.channels_last else torch.contiguous_format
    model = SimpleCnn().to(memory_format=fmt)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(args.batch, 1, 28, 28).to(memory_format=fmt)
    y = torch.randint(0, 10, (args.batch,))

    def train_step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    def infer_step():
        with torch.no_grad():
            model(x)

    model.train()
    train_s, train_cpu = timed(train_step, args.warmup, args.steps)
    model.eval()
    infer_s, infer_cpu = timed(infer_step, args.warmup, args.steps)
    images = args.batch * args.steps
    print(json.dumps({"engine": "pytorch " + torch.__version__, "threads": torch.get_num_threads(),
                      "train_images_per_s": round(images / train_s, 1),
                      "infer_images_per_s": round(images / infer_s, 1),
                      "train_cpu_ms_per_step": round(1e3 * train_cpu / args.steps, 2),
                      "infer_cpu_ms_per_step": round(1e3 * infer_cpu / args.steps, 2)}))


if __name__ == "__main__":
    main()
