"""Issue 18 part 5: how many epochs the CIFAR reference classifiers need. Trains the `classifiers.preset`
ResNet (crop-and-flip augmentation, one-cycle Adam) on the whole train split at each epoch count, from
scratch (the one-cycle schedule depends on the total), and prints real-test accuracy and wall time, so
that the `cpu` profile's `classifier_epochs` can be set where the curve levels off.

  python benchmarks/classifier_epochs.py cifar10 5 10 20 30 [--seed 0] [--augment crop4flip-each]
--augment overrides the preset's augmentation (crop4flip: one crop offset per batch; crop4flip-each: one per
image, the standard CIFAR recipe). Appends to results/cpu/classifier_epochs/<dataset>.csv (one row per
epoch count and augmentation, with the git commit); a row already there for that setting is replaced.
"""
import argparse
import dataclasses
import time

import pandas as pd
import torch

from gan_repro.classifiers import accuracy, preset, train_classifier
from gan_repro.data import load_dataset
from gan_repro.results import git_state, results_root

ap = argparse.ArgumentParser()
ap.add_argument("dataset")
ap.add_argument("epochs", nargs="+", type=int)
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--augment", default=None, help="override the preset's augmentation")
args = ap.parse_args()
train, test = load_dataset(args.dataset, "train"), load_dataset(args.dataset, "test")
rows = []
for ep in args.epochs:
    cfg = preset(args.dataset, ep, args.seed)
    cfg = dataclasses.replace(cfg, augment=args.augment) if args.augment else cfg
    t0 = time.perf_counter()
    model = train_classifier(cfg, train, progress=False, cache=False)
    sec = time.perf_counter() - t0
    acc = accuracy(model, test.images, test.labels)
    rows.append({"dataset": args.dataset, "epochs": ep, "augment": cfg.augment, "test_acc": acc,
                 "train_s": round(sec, 1), "n_train": len(train), "n_test": len(test), "source": train.card.source, "seed": args.seed,
                 "threads": torch.get_num_threads(), "commit": git_state()["commit"]})
    print(f"{args.dataset} {cfg.augment} {ep:3d} epochs: test accuracy {acc:.3f}  ({sec / 60:.1f} min)", flush=True)
out = results_root() / "cpu" / "classifier_epochs"
out.mkdir(parents=True, exist_ok=True)
path = out / f"{args.dataset}.csv"
new = pd.DataFrame(rows)
if path.exists():                                           # keep the other settings' rows
    old = pd.read_csv(path)
    old = old[~old.set_index(["epochs", "augment"]).index.isin(new.set_index(["epochs", "augment"]).index)]
    new = pd.concat([old, new]).sort_values(["augment", "epochs"])
new.to_csv(path, index=False)
