"""Issue 20's semantics check: does the fast training path train an equivalent model?

For each (preset, iterations) the same config is trained with fast=False (the old path) and fast=True,
over 3 seeds, and scored by FID-500 (500 samples against the first 500 real test images, TF-Inception
pool3). The paths agree when the difference of their mean FIDs is within the seed-to-seed spread.
Writes results/cpu/20_train_speed/{table.csv, metrics.json} with provenance. About 40 min on 2 cores.

  python benchmarks/train_equivalence.py [--dataset mnist] [--seeds 0,1,2] [--runs dcgan:2000,sngan:500] [--append]
      [--paths old,new]

--append keeps the rows of the table already there (a seed added in a later session); every row carries
the commit that trained it. --paths bf16 --append adds the opt-in bfloat16 path (the fast path under
autocast, TrainConfig.precision) beside the committed old and new rows; every path is compared with old.
"""
import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd
import torch

from gan_repro.data import load_dataset
from gan_repro.metrics import InceptionExtractor, evaluate, extract_features
from gan_repro.profiles import get_profile
from gan_repro.results import Run
from gan_repro.train import Trainer, TrainConfig

PATHS = {"old": dict(fast=False), "new": dict(fast=True), "bf16": dict(fast=True, precision="bf16")}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dataset", default="mnist")
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--runs", default="dcgan:2000,sngan:500")
    p.add_argument("--n", type=int, default=500)
    p.add_argument("--append", action="store_true", help="keep the rows already in the results table")
    p.add_argument("--paths", default="old,new", help=f"which of {', '.join(PATHS)} to train")
    a = p.parse_args()
    paths = a.paths.split(",")
    unknown = set(paths) - set(PATHS)
    if unknown:
        raise SystemExit(f"unknown paths {sorted(unknown)}; valid: {', '.join(PATHS)}")
    prof = get_profile("cpu")
    run = Run("20_train_speed", "cpu", 0)
    kept = _kept_rows(run.out) if a.append else []
    test = load_dataset(a.dataset, "test")
    run.add_cards(test.card)
    ext = InceptionExtractor()
    real = extract_features(test.images[:a.n], ext, desc="real test")
    rows, work = [], Path(tempfile.mkdtemp(prefix="train_equivalence_"))
    for spec in a.runs.split(","):
        preset, iters = spec.split(":")
        for seed in map(int, a.seeds.split(",")):
            for path in paths:
                cfg = TrainConfig(preset=preset, dataset=a.dataset, iters=int(iters), batch_size=prof.train_batch_size,
                                  width=prof.width, seed=seed, ckpt_every=int(iters), log_every=50, **PATHS[path])
                t0 = time.perf_counter()
                t = Trainer(cfg, work / f"{preset}-{seed}-{path}").fit()
                sec = time.perf_counter() - t0
                fake, _ = t.sample(a.n, torch.Generator().manual_seed(seed))
                fid = evaluate(fake, test.images[:a.n], ["fid"], extractor=ext, progress=False,
                               real_features=real)["fid"]
                rows.append({"preset": preset, "iters": int(iters), "seed": seed, "path": path,
                             "train_s": sec, f"fid_{a.n}": fid, "commit": run.git["commit"]})
                print(rows[-1], flush=True)
                run.save(pd.DataFrame(kept + rows), {"partial": True, "n": a.n})   # an interrupted run keeps its rows
    df = pd.DataFrame(kept + rows)
    summary = []
    for (preset, iters), d in df.groupby(["preset", "iters"], sort=False):
        old = d[d.path == "old"][f"fid_{a.n}"].tolist()
        for path in [k for k in PATHS if k != "old"]:
            f = d[d.path == path][f"fid_{a.n}"].tolist()
            if min(len(old), len(f)) < 2:
                continue                                # a spread needs two seeds per path
            gap = abs(statistics.mean(old) - statistics.mean(f))
            spread = max(statistics.stdev(old), statistics.stdev(f))
            summary.append({"preset": preset, "iters": iters, "path": path, "old_mean": statistics.mean(old),
                            "old_sd": statistics.stdev(old), "mean": statistics.mean(f), "sd": statistics.stdev(f),
                            "gap": gap, "within_spread": gap <= spread,
                            "old_train_s": d[d.path == "old"].train_s.median(),
                            "train_s": d[d.path == path].train_s.median()})
    print(pd.DataFrame(summary).to_string())
    run.save(df, {"summary": summary, "criterion": "per path: |mean FID old - mean FID path| <= the larger seed sd",
                  "n": a.n, "width": prof.width, "batch_size": prof.train_batch_size,
                  "threads": torch.get_num_threads()})


def _kept_rows(out: Path) -> list:
    """The rows of an earlier table, each with the commit that trained it (its metrics.json's, if the
    table predates the column)."""
    if not (out / "table.csv").exists():
        return []
    old = pd.read_csv(out / "table.csv")
    if "commit" not in old:
        old["commit"] = json.loads((out / "metrics.json").read_text())["provenance"]["commit"]
    return old.to_dict("records")


if __name__ == "__main__":
    main()
