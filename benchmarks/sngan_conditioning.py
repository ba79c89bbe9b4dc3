"""Issue 18 part 1: does SNGAN learn MNIST's classes slowly, or not at all, and does SNGAN's reference init
(Miyato & Koyama's code: `models.resnet.reference_init`) change that? Trains the `sngan` preset on MNIST
at the cpu profile's batch and width, with PyTorch's default init and with the reference init, and records
GAN-test and D-as-classifier every `--every` iterations (`analysis.conditioning`).

  python benchmarks/sngan_conditioning.py --iters 2000 --every 250 [--inits torch reference] [--seed 0]
                                         [--dataset fashion-mnist] [--decay-start 8000] [--tag decay8000]
Runs go to results/cpu/18_sngan_conditioning/[<dataset>-]<init>-s<seed>[-<tag>]/ (generator.pt, log.jsonl,
watch.jsonl; MNIST's folders carry no dataset prefix); a finished run is loaded, not retrained, and a
finished shorter one is continued (`Trainer.extends`). Prints one line per checkpoint and a final table.
"""
import argparse
import time

import pandas as pd

from gan_repro.analysis import how_good
from gan_repro.analysis.conditioning import conditioning_watcher, plot_watch
from gan_repro.data import load_dataset
from gan_repro.profiles import get_profile
from gan_repro.results import results_root
from gan_repro.train import Trainer, TrainConfig

ap = argparse.ArgumentParser()
ap.add_argument("--iters", type=int, default=2000)
ap.add_argument("--every", type=int, default=250)
ap.add_argument("--inits", nargs="+", default=["torch", "reference"])
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--dataset", default="mnist", choices=["mnist", "fashion-mnist"])
ap.add_argument("--decay-start", type=int, default=None,
                help="learning rates fall linearly from this step to 0 at --iters (TrainConfig.lr_decay_start)")
ap.add_argument("--tag", default="", help="run folder suffix, to keep a run beside another schedule's")
ap.add_argument("--n", type=int, default=1000, help="samples for GAN-test, held-out images for D")
args = ap.parse_args()

prof = get_profile("cpu")
ds = args.dataset
prefix = "" if ds == "mnist" else f"{ds}-"
train, test = load_dataset(ds, "train"), load_dataset(ds, "test")
tc = how_good.table_config(ds, prof, train, args.seed)
clf, acc = how_good.reference(tc, train, test)
print(f"reference {tc.classifier.arch}: real-test accuracy {acc:.4f}", flush=True)
out = results_root() / "cpu" / "18_sngan_conditioning"
suffix = f"-{args.tag}" if args.tag else ""                 # run folders and the watch table alike
rows = []
for init in args.inits:
    cfg = TrainConfig(preset="sngan", dataset=ds, iters=args.iters, batch_size=prof.train_batch_size,
                      width=prof.width, seed=args.seed, ckpt_every=args.every, log_every=50, init=init,
                      lr_decay_start=args.decay_start)
    t0 = time.perf_counter()
    t = Trainer(cfg, out / f"{prefix}{init}-s{args.seed}{suffix}").fit(conditioning_watcher(clf, test, args.n, args.seed))
    w = pd.read_json(t.out / "watch.jsonl", lines=True).assign(init=init, minutes=(time.perf_counter() - t0) / 60)
    print(w.to_string(index=False), flush=True)
    rows.append(w)
table = pd.concat(rows)
stem = f"{prefix}watch-s{args.seed}-{args.iters}it{suffix}"
table.to_csv(out / f"{stem}.csv", index=False)
fig = plot_watch(table, f"SNGAN on {ds}, cpu batch and width, seed {args.seed}: GAN-test on {args.n} samples",
                 args.decay_start)
fig.savefig(out / f"{stem}.png", dpi=120)
