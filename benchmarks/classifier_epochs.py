"""Issue 18 part 5: how many epochs the CIFAR reference classifiers need. Trains the `classifiers.preset`
ResNet (crop-and-flip augmentation, one-cycle Adam) on the whole train split at each epoch count, from
scratch (the one-cycle schedule depends on the total), and prints real-test accuracy and wall time, so
that the `cpu` profile's `classifier_epochs` can be set where the curve levels off.

  python benchmarks/classifier_epochs.py cifar10 5 10 20 30 [--seed 0]
Writes results/cpu/classifier_epochs/<dataset>.csv (one row per epoch count, with the git commit).
"""
import argparse
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
args = ap.parse_args()
train, test = load_dataset(args.dataset, "train"), load_dataset(args.dataset, "test")
rows = []
for ep in args.epochs:
    cfg = preset(args.dataset, ep, args.seed)
    t0 = time.perf_counter()
    model = train_classifier(cfg, train, progress=False, cache=False)
    sec = time.perf_counter() - t0
    acc = accuracy(model, test.images, test.labels)
    rows.append({"dataset": args.dataset, "epochs": ep, "test_acc": acc, "train_s": round(sec, 1),
                 "n_train": len(train), "n_test": len(test), "source": train.card.source, "seed": args.seed,
                 "threads": torch.get_num_threads(), "commit": git_state()["commit"]})
    print(f"{args.dataset} {ep:3d} epochs: test accuracy {acc:.3f}  ({sec / 60:.1f} min)", flush=True)
out = results_root() / "cpu" / "classifier_epochs"
out.mkdir(parents=True, exist_ok=True)
pd.DataFrame(rows).to_csv(out / f"{args.dataset}.csv", index=False)
