"""Issue 18 part 1: is SNGAN's MNIST GAN-train gap (notebook 03) the GAN-train set size? Trains notebook 03's
convnet (cpu recipe, 5 epochs) on N real train images and on N samples of the zoo's MNIST SNGAN, N = 10,000
(notebook 03's GAN-train size), and on 60,000 samples (the real reference's size), and tests each on the 10,000 real test images.

  python benchmarks/gan_train_by_n.py [--seed 0]
Writes results/cpu/18_sngan_conditioning/gan_train_by_n.csv (with the git commit and the seconds per row).
"""
import argparse
import time

import pandas as pd
import torch

from gan_repro.analysis import how_good
from gan_repro.data import ImageSet, load_dataset
from gan_repro.metrics.gan_train_test import gan_train
from gan_repro.profiles import get_profile
from gan_repro.results import git_state, results_root

ap = argparse.ArgumentParser()
ap.add_argument("--seed", type=int, default=0)
args = ap.parse_args()
prof = get_profile("cpu")
train, test = load_dataset("mnist", "train"), load_dataset("mnist", "test")
tc = how_good.table_config("mnist", prof, train, args.seed)
g = how_good.train_models({"SNGAN": ("sngan", 1.0)}, "mnist", prof, args.seed)["SNGAN"]
fake = how_good.draw(g, len(train), args.seed)                 # classes cycled: balanced
perm = torch.randperm(len(train), generator=torch.Generator().manual_seed(args.seed))
rows = []
# real at 60,000 is notebook 03's reference itself (99.0 %), not trained again
for source, n in (("real", 10000), ("sngan", 10000), ("sngan", len(train))):
    s = ImageSet(train.images[perm[:n]], train.labels[perm[:n]]) if source == "real" else \
        ImageSet(fake.images[:n], fake.labels[:n])
    t0 = time.perf_counter()
    acc = gan_train(s.images, s.labels, test, tc.classifier)
    rows.append({"train_on": source if source == "real" else f"sngan {g.step} it", "n": n, "test_acc": acc,
                 "seconds": round(time.perf_counter() - t0, 1),
                 "classifier": f"{tc.classifier.arch} {tc.classifier.epochs} epochs {tc.classifier.augment}",
                 "seed": args.seed, "commit": git_state()["commit"]})
    print(rows[-1], flush=True)
out = results_root() / "cpu" / "18_sngan_conditioning"
pd.DataFrame(rows).to_csv(out / "gan_train_by_n.csv", index=False)
