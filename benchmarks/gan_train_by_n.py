"""Issue 18 part 1: is SNGAN's MNIST GAN-train gap (notebook 03) the GAN-train set size? Trains notebook 03's
convnet (cpu recipe, 5 epochs) on N real train images and on N samples of the zoo's MNIST SNGAN, N = 10,000
(notebook 03's GAN-train size), and on 60,000 samples (the real reference's size), and tests each on the 10,000 real test images.

  python benchmarks/gan_train_by_n.py [--seed 0] [--run RUN_DIR --skip-real] [--epochs E --real-full --sizes N,N]
--run scores a finished run folder (e.g. one of benchmarks/sngan_conditioning.py's) instead of the zoo's
SNGAN, on the run's own dataset (MNIST or Fashion-MNIST: notebook 03's convnet and recipe for it, 60,000
samples for the full-size row); --skip-real leaves out the real 10,000-image row. --epochs trains every
classifier for E epochs instead of the profile's (is the gap the classifier's short schedule?); --real-full
adds the real full-size row (the reference itself, at those epochs); --sizes picks the sample-set sizes. Appends to
results/cpu/18_sngan_conditioning/gan_train_by_n.csv (with the dataset, run, git commit and seconds per row).
"""
import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd
import torch

from gan_repro.analysis import how_good
from gan_repro.data import ImageSet, load_dataset
from gan_repro.metrics.gan_train_test import gan_train
from gan_repro.profiles import get_profile
from gan_repro.results import git_state, results_root
from gan_repro.train import Trainer, TrainConfig

ap = argparse.ArgumentParser()
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--run", default=None, help="a finished run folder to score instead of the zoo's SNGAN")
ap.add_argument("--skip-real", action="store_true")
ap.add_argument("--epochs", type=int, default=0, help="classifier epochs (default: the cpu profile's)")
ap.add_argument("--real-full", action="store_true", help="also train on every real train image")
ap.add_argument("--sizes", default="", help="sample-set sizes, comma-separated (default 10000 and the full size)")
args = ap.parse_args()
prof = get_profile("cpu")
cfg = TrainConfig(**json.loads((Path(args.run) / "config.json").read_text())) if args.run else None
ds = cfg.dataset if cfg else "mnist"
train, test = load_dataset(ds, "train"), load_dataset(ds, "test")
tc = how_good.table_config(ds, prof, train, args.seed)
if args.epochs:
    tc = replace(tc, classifier=replace(tc.classifier, epochs=args.epochs))
if args.run:
    run = Path(args.run)
    g = Trainer(cfg, run, progress=False)
    if not g.load():                                          # the checkpoint, else generator.pt
        raise SystemExit(f"{run} holds no finished run")
else:
    g = how_good.train_models({"SNGAN": ("sngan", 1.0)}, "mnist", prof, args.seed)["SNGAN"]
    run = g.out
fake = how_good.draw(g, len(train), args.seed)                 # classes cycled: balanced
perm = torch.randperm(len(train), generator=torch.Generator().manual_seed(args.seed))
rows = []
# real at 60,000 is notebook 03's reference itself (MNIST 99.0-99.1 %, Fashion-MNIST 89.3-89.4 % at 5 epochs):
# trained again only with --real-full, to read it at other --epochs
sizes = [int(n) for n in args.sizes.split(",")] if args.sizes else [10000, len(train)]
sources = ((() if args.skip_real else (("real", 10000),)) + (("real", len(train)),) * args.real_full
           + tuple(("sngan", n) for n in sizes))
for source, n in sources:
    s = ImageSet(train.images[perm[:n]], train.labels[perm[:n]]) if source == "real" else \
        ImageSet(fake.images[:n], fake.labels[:n])
    t0 = time.perf_counter()
    acc = gan_train(s.images, s.labels, test, tc.classifier)
    rows.append({"train_on": source if source == "real" else f"sngan {g.step} it", "dataset": ds, "run": run.name,
                 "n": n, "test_acc": acc,
                 "seconds": round(time.perf_counter() - t0, 1),
                 "classifier": f"{tc.classifier.arch} {tc.classifier.epochs} epochs {tc.classifier.augment}",
                 "seed": args.seed, "commit": git_state()["commit"]})
    print(rows[-1], flush=True)
path = results_root() / "cpu" / "18_sngan_conditioning" / "gan_train_by_n.csv"
old = pd.read_csv(path) if path.exists() else None
pd.concat([old, pd.DataFrame(rows)]).to_csv(path, index=False)
