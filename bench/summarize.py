"""Summarises bench/run.sh's JSON lines as a markdown table: per row (model, mode, batch, precision) cnnkit's best
images/s over the rounds, PyTorch's best over rounds and memory formats (which format won), the ratio, and the peak
RSS of each engine's best process. Not a benchmark itself: bench_models.{cpp,py} measure."""
import argparse
import json
import platform
import subprocess


def cpu_line():
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    except OSError:
        return platform.processor()
    name = next((l.split(":", 1)[1].strip() for l in out.splitlines() if l.startswith("Model name")), "?")
    flags = next((l.split(":", 1)[1].split() for l in out.splitlines() if l.startswith("Flags")), [])
    wanted = [f for f in ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_int8") if f in flags]
    return f"{name} ({', '.join(wanted)})"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("results")
    p.add_argument("--threads", type=int, required=True)
    p.add_argument("--rounds", type=int, required=True)
    a = p.parse_args()
    rows, versions, isa = {}, {}, "?"
    with open(a.results) as f:
        for line in f:
            r = json.loads(line)
            key = (r["model"], r["mode"], r["batch"], r["precision"])
            rows.setdefault(key, {}).setdefault(r["engine"], []).append(r)
            versions[r["engine"]] = r["version"]
            isa = r.get("isa", isa)
    print(f"\nCPU: {cpu_line()}; oneDNN ISA {isa}; {a.threads} threads, {a.rounds} rounds, best of rounds")
    print(f"cnnkit ({versions.get('cnnkit', '?')} backend) vs PyTorch {versions.get('pytorch', '?')}\n")
    print("| model | mode | batch | precision | cnnkit img/s | PyTorch img/s (format) | ratio | "
          "peak RSS cnnkit / PyTorch (MB) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for key, engines in rows.items():
        model, mode, batch, precision = key
        ours = max(engines.get("cnnkit", []), key=lambda r: r["images_per_s"], default=None)
        theirs = max(engines.get("pytorch", []), key=lambda r: r["images_per_s"], default=None)
        if ours is None or theirs is None:
            continue
        ratio = ours["images_per_s"] / theirs["images_per_s"]
        print(f"| {model} | {mode} | {batch} | {precision} | {ours['images_per_s']:.1f} | "
              f"{theirs['images_per_s']:.1f} ({theirs['format']}) | {ratio:.2f} | "
              f"{ours['peak_rss_mb']:.0f} / {theirs['peak_rss_mb']:.0f} |")


if __name__ == "__main__":
    main()
