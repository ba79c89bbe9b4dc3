"""A/A check for issue 20: the OLD training path with a float-order-sized perturbation of G's init (one
conv weight tensor x (1 + 1e-6)). How large, and how one-sided, are the FID-500 differences that only GAN
training's chaos can cause? SNGAN, MNIST, 500 it, seeds 0-2, against the old path's FIDs in
results/cpu/20_train_speed. First run from a copy of this file at commit 2fa06ba (training code as in
bfab163); the numbers are in the README's speed section.

  python benchmarks/train_aa_check.py [seed ...]      (default seeds 0 1 2; seeds 4 and 5 were added at 92e7756,
      where the folded fast path's seed 4 read +27 against the old path)
"""
import sys, tempfile, time
from pathlib import Path
import pandas as pd
import torch
from gan_repro.data import load_dataset
from gan_repro.metrics import InceptionExtractor, evaluate, extract_features
from gan_repro.profiles import get_profile
from gan_repro.train import Trainer, TrainConfig

_table = pd.read_csv(Path(__file__).resolve().parents[1] / "results/cpu/20_train_speed/table.csv")
OLD = {int(r.seed): r.fid_500 for r in _table[(_table.preset == "sngan") & (_table.path == "old")].itertuples()}
SEEDS = [int(a) for a in sys.argv[1:]] or [0, 1, 2]
prof = get_profile("cpu")
test = load_dataset("mnist", "test")
ext = InceptionExtractor()
real = extract_features(test.images[:500], ext, progress=False)
work = Path(tempfile.mkdtemp(prefix="aa_"))
for seed in SEEDS:
    cfg = TrainConfig(preset="sngan", dataset="mnist", iters=500, batch_size=prof.train_batch_size, width=prof.width,
                      seed=seed, fast=False, ckpt_every=500, log_every=50)
    t = Trainer(cfg, work / str(seed), progress=False)
    with torch.no_grad():
        next(p for p in t.g_core.parameters() if p.dim() == 4).mul_(1 + 1e-6)
    t0 = time.perf_counter()
    t.fit()
    fake, _ = t.sample(500, torch.Generator().manual_seed(seed))
    fid = evaluate(fake, test.images[:500], ["fid"], extractor=ext, progress=False, real_features=real)["fid"]
    print(f"seed {seed}: perturbed old {fid:.2f} vs old {OLD[seed]:.2f}: diff {fid - OLD[seed]:+.2f} "
          f"({time.perf_counter() - t0:.0f} s)", flush=True)
