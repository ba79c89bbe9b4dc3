"""Claim B2 (notebook 10): does BigGAN's orthogonal regularisation make more models amenable to truncation?

The paper (Brock et al. 2019, sec. 3.1): 16 % of models without it, 60 % with it. Here: n_seeds BigGANs
with beta = 1e-4 and as many with beta = 0, everything else equal; every model's truncation curve
(resampling, `biggan_studies.score_point`) and a criterion fixed before the runs (`amenable`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import scipy.stats
import torch
from tqdm.auto import tqdm

from gan_repro.analysis.biggan_studies import sample_truncated, score_point
from gan_repro.analysis.zoo import read_log
from gan_repro.claims import record as _claim
from gan_repro.profiles import budget_for
from gan_repro.results import results_root
from gan_repro.train import Trainer, TrainConfig

BETAS = (1e-4, 0.0)   # with (the paper's beta) and without orthogonal regularisation


@dataclass(frozen=True)
class OrthoBudget:
    """Sizes of notebook 10 for one profile. The criterion's constants are part of it, fixed before a run."""
    name: str
    dataset: str
    width: int
    iters: int
    seeds: tuple
    thresholds: tuple           # the curve of every model; None = untruncated
    n: int                      # samples per point; FID and precision/recall against n real test images
    tau: float = 0.5            # the threshold the criterion looks at
    fid_tol: float = 0.25       # ... whose FID may exceed the curve's minimum by at most this (relative)
    batch_size: int = 64
    k: int = 3


# cpu: 12 runs must fit a session with their curves. BigGAN at width 16 on MNIST, batch 64; the EMA
# starts at step 1000 (the preset), so at 1,000 iterations the sampled G is the raw G.
ORTHO_BUDGETS = {
    "smoke": OrthoBudget("smoke", "mnist", width=4, iters=3, seeds=(0, 1), thresholds=(None, 0.5), n=16),
    "cpu": OrthoBudget("cpu", "mnist", width=16, iters=1000, seeds=tuple(range(6)),
                       thresholds=(None, 1.0, 0.5, 0.25), n=300),
    "paper": OrthoBudget("paper", "mnist", width=64, iters=20000, seeds=tuple(range(10)),
                         thresholds=(None, 2.0, 1.0, 0.5, 0.25, 0.1), n=5000),
}


def get_ortho_budget(profile: str) -> OrthoBudget:
    return budget_for(ORTHO_BUDGETS, profile, "orthogonal-regularisation study")


def group(beta: float) -> str:
    return f"beta={beta:g}"


def run_name(b: OrthoBudget, beta: float, seed: int) -> str:
    return f"biggan-{b.dataset}-w{b.width}-beta{beta:g}-s{seed}"


def train_runs(b: OrthoBudget, profile: str, root=None) -> dict:
    """{(beta, seed): Trainer}, trained or loaded from results/<profile>/10_ortho_reg/runs/."""
    out_root = results_root(root) / profile / "10_ortho_reg" / "runs"
    runs = {}
    for beta in BETAS:
        for seed in b.seeds:
            cfg = TrainConfig(preset="biggan", dataset=b.dataset, iters=b.iters, batch_size=b.batch_size,
                              width=b.width, seed=seed, ortho_beta=beta, ckpt_every=max(b.iters // 10, 1),
                              log_every=max(1, b.iters // 100))
            runs[(beta, seed)] = Trainer(cfg, Path(out_root) / run_name(b, beta, seed)).fit()
    return runs


def train_seconds(trainer: Trainer) -> float:
    """Training wall time from the run's own log (mean s/step x steps), also for a loaded run."""
    log = read_log(trainer)
    return float(log.sec_per_step.mean() * trainer.step) if "sec_per_step" in log else math.nan


def curves(runs: dict, b: OrthoBudget, real_feats: torch.Tensor, extractor, scorer, seed: int = 0) -> pd.DataFrame:
    """One row per (beta, seed, threshold): FID, IS, precision, recall of b.n samples (sample seed `seed`)."""
    rows = []
    for (beta, s), t in tqdm(runs.items(), desc="truncation curves"):
        sec = train_seconds(t)
        for thr in b.thresholds:
            imgs = sample_truncated(t, b.n, "resample", thr, seed).images
            rows.append({"beta": beta, "seed": s, "threshold": thr, "n": b.n, "train_s": sec,
                         **score_point(imgs, real_feats, extractor, scorer, b.k, seed)})
    return pd.DataFrame(rows)


def amenable(df: pd.DataFrame, b: OrthoBudget) -> pd.DataFrame:
    """Per model: amenable to truncation iff at tau, IS is higher than untruncated AND FID is at most
    (1 + fid_tol) x the minimum FID over the model's curve (truncation buys fidelity without wrecking the
    distribution: no saturation artefacts)."""
    rows = []
    for (beta, s), d in df.groupby(["beta", "seed"], sort=False):
        none = d[d.threshold.isna()].iloc[0]
        at = d[d.threshold == b.tau].iloc[0]
        best = d.fid.min()
        is_up, fid_ok = bool(at["is"] > none["is"]), bool(at.fid <= (1 + b.fid_tol) * best)
        rows.append({"group": group(beta), "beta": beta, "seed": s, "fid_none": none.fid, "is_none": none["is"],
                     f"fid_{b.tau:g}": at.fid, f"is_{b.tau:g}": at["is"], "fid_min": best,
                     "is_up": is_up, "fid_ok": fid_ok, "amenable": is_up and fid_ok})
    return pd.DataFrame(rows)


def wilson(k: int, n: int) -> tuple:
    """95 % Wilson interval of a share k / n."""
    ci = scipy.stats.binomtest(k, n).proportion_ci(0.95, method="wilson")
    return float(ci.low), float(ci.high)


def summary(am: pd.DataFrame) -> pd.DataFrame:
    """Per beta: models, amenable share with its 95 % interval, untruncated FID and IS (mean +- SE)."""
    rows = []
    for beta, d in am.groupby("beta", sort=False):
        k, n = int(d.amenable.sum()), len(d)
        lo, hi = wilson(k, n)
        rows.append({"group": group(beta), "beta": beta, "models": n, "amenable": k, "share": k / n, "ci_low": lo, "ci_high": hi,
                     "fid_none": d.fid_none.mean(), "fid_none_se": d.fid_none.sem(),
                     "is_none": d.is_none.mean(), "is_none_se": d.is_none.sem()})
    return pd.DataFrame(rows)


def b2(am: pd.DataFrame, dataset: str) -> dict:
    """B2 holds if the share of amenable models is higher with orthogonal regularisation. Whether the
    difference is beyond chance is stated (Fisher's exact test, two-sided, and the intervals' overlap),
    not required: six against six may not decide it."""
    s = summary(am).set_index("beta")
    on, off = s.loc[BETAS[0]], s.loc[BETAS[1]]
    table = [[int(on.amenable), int(on.models - on.amenable)], [int(off.amenable), int(off.models - off.amenable)]]
    p = float(scipy.stats.fisher_exact(table).pvalue)
    apart = bool(on.ci_low > off.ci_high or off.ci_low > on.ci_high)
    ev = (f"amenable with beta {BETAS[0]:g}: {int(on.amenable)}/{int(on.models)} ({on.share:.0%}, 95 % CI "
          f"{on.ci_low:.0%}-{on.ci_high:.0%}); without: {int(off.amenable)}/{int(off.models)} ({off.share:.0%}, "
          f"{off.ci_low:.0%}-{off.ci_high:.0%}); Fisher p {p:.2f}, intervals {'apart' if apart else 'overlap'}; "
          f"untruncated FID {on.fid_none:.1f} vs {off.fid_none:.1f}, IS {on.is_none:.2f} vs {off.is_none:.2f}")
    return _claim("B2", dataset, "orthogonal regularisation raises the share of models amenable to truncation",
                  bool(on.share > off.share), ev)


PAPER = {"B2": "ImageNet 128x128: 16 % of models amenable to truncation without orthogonal regularisation, "
               "60 % with it (sec. 3.1)"}


def seconds_table(df: pd.DataFrame) -> pd.DataFrame:
    """Training wall time per run (s), beta by row and seed by column."""
    return df.drop_duplicates(["beta", "seed"]).pivot(index="beta", columns="seed", values="train_s").round(1)
