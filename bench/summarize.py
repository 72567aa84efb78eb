"""Summarises bench/run.sh's JSON lines: per engine the best and the median images/s over the rounds, and the
ratios cnnkit / PyTorch. Not a benchmark itself: bench_simplecnn.{cpp,py} measure."""
import argparse
import json
import statistics


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("results")
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--steps", type=int, required=True)
    args = parser.parse_args()

    runs = {}
    with open(args.results) as f:
        for line in f:
            r = json.loads(line)
            side = "cnnkit" if r["engine"].startswith("cnnkit") else "pytorch"
            runs.setdefault(side, []).append(r)

    def stat(side, key, fn):
        return fn([r[key] for r in runs[side]])

    print(f"\nsimplecnn, batch 64, {args.threads} threads, {args.steps} timed steps, "
          f"{len(runs['cnnkit'])} rounds (images/s: best / median)")
    print(f"{'':10}{'train':>22}{'infer':>22}")
    for side in ("cnnkit", "pytorch"):
        cells = [f"{stat(side, k, max):9.0f} / {stat(side, k, statistics.median):<9.0f}"
                 for k in ("train_images_per_s", "infer_images_per_s")]
        print(f"{side:10}{cells[0]:>22}{cells[1]:>22}")
    for name, fn in (("best", max), ("median", statistics.median)):
        train = stat("cnnkit", "train_images_per_s", fn) / stat("pytorch", "train_images_per_s", fn)
        infer = stat("cnnkit", "infer_images_per_s", fn) / stat("pytorch", "infer_images_per_s", fn)
        print(f"ratio cnnkit/pytorch ({name}): train {train:.2f}, infer {infer:.2f}")


if __name__ == "__main__":
    main()
