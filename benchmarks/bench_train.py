"""Seconds per generator iteration of every preset at a profile's width and batch.

Run by hand on an otherwise idle machine: two processes sharing the 2 cores make OpenMP spin and slow
each other down by up to ~80x.

  python benchmarks/bench_train.py [--profile cpu] [--steps 3]      s/it per preset, MNIST and CIFAR-10
  python benchmarks/bench_train.py --compare [--rounds 5]           issue 20: the old path (fast=False)
      and the new one (fast=True, plus --compile) side by side in one process, alternating blocks of
      --steps iterations, so both see the same machine; prints medians and old/new per preset.
      --parts P: only those FAST_PARTS on the new side (each change's own gain); --parts none with no
      --compile runs the same code on both sides: its ratios (0.96-1.00x) are the measurement's noise.
      --precision bf16: the new side also trains under bfloat16 autocast (an opt-in that changes the numbers)
      --csv F: append each preset's medians and ratio to F, with the commit and the CPU (the README's table:
      results/cpu/20_train_speed/bench_precision.csv)
  python benchmarks/bench_train.py --ops [--fast 0|1]               torch.profiler: where a step's time goes
  --device cuda: any mode on a GPU (timings synchronise the device; --ops adds CUDA kernel time)
"""
import argparse
import statistics
import tempfile
import time

import torch

from gan_repro.presets import PRESETS
from gan_repro.profiles import get_profile
from gan_repro.train import Trainer, TrainConfig


DEVICE = "cpu"   # --device


def _sync() -> None:
    if DEVICE.startswith("cuda"):
        torch.cuda.synchronize()   # kernels run asynchronously: time what the GPU did, not what was queued


def _trainer(name: str, ds: str, prof, width: int, parts=None, **kw) -> Trainer:
    cfg = TrainConfig(preset=name, dataset=ds, iters=10 ** 6, batch_size=prof.train_batch_size, width=width,
                      device=DEVICE, **kw)
    return Trainer(cfg, tempfile.mkdtemp(prefix="bench_train_"), progress=False, fast_parts=parts)


def _time(t: Trainer, steps: int) -> float:
    _sync()
    t0 = time.perf_counter()
    for _ in range(steps):
        t.train_step()
    _sync()
    return (time.perf_counter() - t0) / steps


def plain(a, prof, width):
    for ds in a.datasets.split(","):
        for name in a.presets.split(","):
            t = _trainer(name, ds, prof, width, fast=bool(a.fast), precision=a.precision)
            for _ in range(1 if DEVICE == "cpu" else 5):     # warm-up (a GPU also picks its conv kernels)
                t.train_step()
            sec = _time(t, a.steps)
            print(f"{name:14s} {ds:8s} {sec:7.3f} s/it  {1 / sec:6.2f} it/s  (n_critic={t.preset.n_critic})", flush=True)


def compare(a, prof, width):
    """Old and new path alternating: per round, a.steps iterations of each; medians over a.rounds."""
    ratios = []
    print(f"{'preset':14s} {'data':8s} {'old s/it':>9s} {'new s/it':>9s} {'old/new':>8s}  new-path setup s")
    for ds in a.datasets.split(","):
        for name in a.presets.split(","):
            old = _trainer(name, ds, prof, width, fast=False)
            new = _trainer(name, ds, prof, width, a.parts, fast=True, compile=a.compile, precision=a.precision)
            old.train_step()
            t0 = time.perf_counter()
            new.train_step()                                 # warm-up (and compilation, if any)
            setup = time.perf_counter() - t0
            times = {"old": [], "new": []}
            for r in range(a.rounds):
                for key, t in (("old", old), ("new", new)) if r % 2 == 0 else (("new", new), ("old", old)):
                    times[key].append(_time(t, a.steps))
            mo, mn = statistics.median(times["old"]), statistics.median(times["new"])
            ratios.append(mo / mn)
            print(f"{name:14s} {ds:8s} {mo:9.3f} {mn:9.3f} {mo / mn:7.2f}x  {setup:6.1f}", flush=True)
            if a.csv:
                _append_row(a, {"preset": name, "dataset": ds, "precision": a.precision, "old_s_per_it": round(mo, 3),
                                "new_s_per_it": round(mn, 3), "old_over_new": round(mo / mn, 2), "rounds": a.rounds,
                                "steps": a.steps, "width": width, "batch": prof.train_batch_size})
    print(f"median old/new over {len(ratios)} runs: {statistics.median(ratios):.2f}x "
          f"(min {min(ratios):.2f}x, max {max(ratios):.2f}x)")


def _append_row(a, row: dict) -> None:
    """One --compare result to the --csv file (header when new), with what ran it: parts, threads, commit, CPU."""
    import csv
    import datetime
    import os
    from pathlib import Path

    from gan_repro.results import git_state
    info = Path("/proc/cpuinfo").read_text() if os.path.exists("/proc/cpuinfo") else ""
    cpu = next((l.split(":", 1)[1].strip() for l in info.splitlines() if l.startswith("model name")), "?")
    isa = next((f for f in ("avx512_bf16", "avx512f", "avx2") if f in info.split()), "?")   # the widest it has
    git = git_state()
    row = {**row, "parts": "all" if a.parts is None else "+".join(a.parts) or "none", "threads": torch.get_num_threads(),
           "commit": (git["commit"] or "?")[:7], "dirty": git["dirty"], "cpu": f"{cpu}, {isa}",
           "date": datetime.date.today().isoformat()}
    path = Path(a.csv)
    new = not path.exists()
    with open(path, "a", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(row))
        if new:
            w.writeheader()
        w.writerow(row)


def ops(a, prof, width):
    from torch.profiler import ProfilerActivity, profile
    for ds in a.datasets.split(","):
        for name in a.presets.split(","):
            t = _trainer(name, ds, prof, width, fast=bool(a.fast), compile=a.compile, precision=a.precision)
            t.train_step()
            acts = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if DEVICE.startswith("cuda") else [])
            with profile(activities=acts) as p:
                _time(t, a.steps)
            print(f"== {name} {ds} fast={a.fast}")
            print(p.key_averages().table(sort_by="self_cpu_time_total", row_limit=a.rows), flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--profile", default="cpu")
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--width", type=int, default=0, help="override the profile's width (0 = keep)")
    p.add_argument("--presets", default=",".join(PRESETS))
    p.add_argument("--datasets", default="mnist,cifar10")
    p.add_argument("--fast", type=int, default=1, help="plain and --ops: 1 = the fast path, 0 = the old one")
    p.add_argument("--compare", action="store_true")
    p.add_argument("--compile", action="store_true", help="the new path compiles G and D (torch.compile)")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--parts", default="", help="--compare: the new path's FAST_PARTS, comma-separated "
                   "(default all; 'none' = only --compile), to measure each change's own gain")
    p.add_argument("--precision", default="fp32", help="fp32 | bf16: plain, --ops and --compare's new side")
    p.add_argument("--csv", default="", help="--compare: append each preset's row to this CSV (with commit and CPU)")
    p.add_argument("--ops", action="store_true")
    p.add_argument("--rows", type=int, default=15)
    p.add_argument("--device", default="cpu", help="cpu or cuda[:k]")
    a = p.parse_args()
    global DEVICE
    DEVICE = a.device
    prof = get_profile(a.profile)
    width = a.width or prof.width
    print(f"profile={prof.name} width={width} batch={prof.train_batch_size} threads={torch.get_num_threads()} "
          f"torch={torch.__version__} device={DEVICE} precision={a.precision}")
    a.parts = None if a.parts in ("", "all") else () if a.parts == "none" else tuple(a.parts.split(","))
    (compare if a.compare else ops if a.ops else plain)(a, prof, width)


if __name__ == "__main__":
    main()
