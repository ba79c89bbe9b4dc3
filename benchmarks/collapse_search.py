"""Issue 14: find a setting of notebook 11's unstable BigGAN run that collapses within a cpu budget.

  python benchmarks/collapse_search.py NAME --iters N [--from RUN_DIR] [--lr-scale S] [--batch B] [--n-train K] [--no-d-sn] [--seed S]

Trains NAME under results/cpu/11_singular_values/search/ with the cpu collapse budget's setting (the
`unstable` fields of biggan_collapse.COLLAPSE_BUDGETS["cpu"]), overridden by the flags, watched exactly as
the notebook watches its runs (FID-n_fid every `every` steps, D's train / held-out accuracy, G snapshots).
--from copies a finished run of the same setting first, so that a longer budget continues it (the trainer
extends a finished run) instead of training again. Prints the watch table and the detected collapse step.
One torch job at a time on the 2 cores.
"""
import argparse
import json
import shutil
import time
from dataclasses import asdict, replace
from pathlib import Path

from gan_repro.analysis import biggan_collapse as bc
from gan_repro.data import ImageSet, load_dataset
from gan_repro.metrics import InceptionExtractor, extract_features
from gan_repro.results import git_state
from gan_repro.train import Trainer


def main():
    p = argparse.ArgumentParser()
    p.add_argument("name")
    p.add_argument("--iters", type=int, required=True)
    p.add_argument("--from", dest="src", default=None, help="a finished run folder to continue (copied)")
    p.add_argument("--lr-scale", type=float, default=None)
    p.add_argument("--batch", type=int, default=None)
    p.add_argument("--n-train", type=int, default=None, help="first K images only (0: all)")
    p.add_argument("--no-d-sn", action="store_true", help="no spectral norm in D either (TrainConfig.d_sn)")
    p.add_argument("--seed", type=int, default=0, help="training seed (FID samples keep the notebook's seed 0)")
    a = p.parse_args()
    b = replace(bc.get_collapse_budget("cpu"), iters=a.iters)
    if a.batch is not None:
        b = replace(b, batch_size=a.batch)
    cfg = bc.train_config(b, "none", a.seed)
    if a.lr_scale is not None:
        cfg = replace(cfg, lr_scale=a.lr_scale)
    if a.n_train is not None:
        cfg = replace(cfg, n_train=a.n_train)
    if a.no_d_sn:
        cfg = replace(cfg, d_sn=False)
    out = Path("results/cpu/11_singular_values/search") / a.name
    if a.src and not out.exists():
        shutil.copytree(a.src, out, ignore=shutil.ignore_patterns("samples_*.png"))
    print(cfg)
    ex = InceptionExtractor()
    test = load_dataset(b.dataset, "test")
    real = extract_features(test.images[:b.n_fid], ex, progress=False)   # the notebook's: first n_fid test images
    heldout = ImageSet(test.images[:b.n_acc], test.labels[:b.n_acc])
    t0 = time.time()
    t = Trainer(cfg, out).fit(bc.watcher(real, ex, heldout, b.n_fid, b.n_acc))
    w = bc.read_watch(t.out)
    c = bc.collapse_step(w)
    print(w.round(3).to_string(index=False))
    print("collapse step:", c)
    w.round(4).to_csv(out / "watch.csv", index=False)
    prov_path = out / "provenance.json"
    # a continued run (in place, or copied by --from) keeps the provenance of the calls that trained its earlier steps
    earlier = json.loads(prov_path.read_text()) if prov_path.exists() else None
    prov = {**git_state(), "script": "benchmarks/collapse_search.py", "config": asdict(cfg), "budget": asdict(b),
            "continued_from": a.src, "wall_s_this_call": round(time.time() - t0, 1),
            "collapse_step": c, "seed": cfg.seed, "earlier_call": earlier}
    prov_path.write_text(json.dumps(prov, indent=2, default=str))


if __name__ == "__main__":
    main()
