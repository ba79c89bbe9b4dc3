"""Seconds per generator iteration of every preset at a profile's width and batch, on MNIST and CIFAR-10.

Used to size the `cpu` training budgets (issue 4). Run by hand on an otherwise idle machine: two
processes sharing the 2 cores make OpenMP spin and slow each other down by up to ~80x.
Usage: python benchmarks/bench_train.py [--profile cpu] [--steps 3]
"""
import argparse
import tempfile
import time

from gan_repro.presets import PRESETS
from gan_repro.profiles import get_profile
from gan_repro.train import Trainer, TrainConfig


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--profile", default="cpu")
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--width", type=int, default=0, help="override the profile's width (0 = keep)")
    p.add_argument("--presets", default=",".join(PRESETS))
    a = p.parse_args()
    prof = get_profile(a.profile)
    width = a.width or prof.width
    print(f"profile={prof.name} width={width} batch={prof.train_batch_size}")
    for ds in ("mnist", "cifar10"):
        for name in a.presets.split(","):
            cfg = TrainConfig(preset=name, dataset=ds, iters=a.steps + 1, batch_size=prof.train_batch_size,
                              width=width)
            t = Trainer(cfg, tempfile.mkdtemp(prefix="bench_train_"), progress=False)
            t.train_step()                                   # warm-up
            t0 = time.perf_counter()
            for _ in range(a.steps):
                t.train_step()
            sec = (time.perf_counter() - t0) / a.steps
            print(f"{name:14s} {ds:8s} {sec:7.3f} s/it  {1 / sec:6.2f} it/s  "
                  f"(n_critic={t.preset.n_critic})", flush=True)


if __name__ == "__main__":
    main()
