"""Claims C1 and C3 (notebook 12): which scene classes do GANs leave out? (Bau et al., ICCV 2019, sec. 3)

Unconditional GANs of different strength are trained on the bedroom scenes (`gan_repro.data.scenes`);
a U-Net segments real and generated images; per-class pixel shares, presence rates and FSD
(`metrics.segment_stats`) compare them. Because the scenes' masks are exact, the segmenter's own error
is measured too (`truth_check`): what a statistic owes to the segmenter, and what to the GAN.
C3 trains the same recipe on a second config (office) that shares the small classes.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.stats
import torch
from tqdm.auto import tqdm

from gan_repro.analysis.zoo import read_log
from gan_repro.claims import record as _claim
from gan_repro.data import ImageSet, load_dataset
from gan_repro.data.scenes import BACKGROUND, CLASSES, SMALL_CLASSES
from gan_repro.metrics import evaluate, extract_features
from gan_repro.metrics.segment_stats import fsd, ratio_table, segment_stats
from gan_repro.profiles import budget_for
from gan_repro.results import results_root
from gan_repro.seeing import SegmenterConfig, iou_table, train_segmenter
from gan_repro.train import Trainer, TrainConfig

K = len(CLASSES)


@dataclass(frozen=True)
class SeeingBudget:
    """Sizes of notebook 12 for one profile. The claims' tolerances are fixed here, before any run."""
    name: str
    dataset: str                # the scenes of C1 (bedroom)
    second: str                 # the scenes of C3 (office)
    gans: tuple                 # ((preset, iters), ...) trained on `dataset`
    c3_recipe: tuple            # (preset, iters) trained on both configs for C3
    width: int
    seg: SegmenterConfig
    n: int                      # images per side for the statistics and FSD (real: the test split)
    n_fid: int                  # images per side for FID
    batch_size: int = 64
    large_min_ratio: float = 0.9    # C1: a large class is "matched or over-represented" at gen/real >= this
    small_gap_se: float = -1.0      # C1: a small class is under-drawn when (gen - real) / SE < this
    c3_min_rho: float = 0.5         # C3: Spearman rho of the shared classes' gen/real ratios across configs


SEEING_BUDGETS = {
    "smoke": SeeingBudget("smoke", "scenes-bedroom-small", "scenes-office-small",
                          gans=(("dcgan", 3), ("wgan-gp-dcgan", 2)), c3_recipe=("dcgan", 3), width=4,
                          seg=SegmenterConfig(K, width=8, epochs=1), n=128, n_fid=16),
    # cpu: DCGAN, WGAN-GP (DCGAN critic) and SNGAN (ResNet) at width 32 on 20k bedroom scenes; C3 repeats
    # the DCGAN recipe on 20k office scenes. The segmenter sees both configs' train splits (40k scenes).
    "cpu": SeeingBudget("cpu", "scenes-bedroom", "scenes-office",
                        gans=(("dcgan", 3000), ("wgan-gp-dcgan", 1500), ("sngan", 1500)),
                        c3_recipe=("dcgan", 3000), width=32, seg=SegmenterConfig(K, width=32, epochs=4),
                        n=2000, n_fid=1000),
    "paper": SeeingBudget("paper", "scenes-bedroom", "scenes-office",
                          gans=(("dcgan", 20000), ("wgan-gp", 20000), ("sngan", 20000)),
                          c3_recipe=("sngan", 20000), width=64, seg=SegmenterConfig(K, width=64, epochs=20),
                          n=2000, n_fid=2000),
}


def get_budget(profile: str) -> SeeingBudget:
    return budget_for(SEEING_BUDGETS, profile, "GAN Seeing segment-statistics study")


def model_name(dataset: str, preset: str, iters: int) -> str:
    return f"{dataset.removeprefix('scenes-')}-{preset}-{iters}"


def true_shares(data: ImageSet) -> pd.DataFrame:
    """The planted statistics of a scenes split, from its exact masks: pixel share and presence per class."""
    st = segment_stats(data.masks, K)
    return pd.DataFrame({"class": list(CLASSES), "pixel_share": st.mean_fraction, "presence": st.presence})


# ------------------------------------------------------------------ segmenter and its truth check
def study_dir(profile: str, root=None) -> Path:
    return results_root(root) / profile / "12_segment_stats"


def segmenter(b: SeeingBudget, profile: str, progress: bool = True, root=None):
    """The U-Net on both configs' train splits (shared class ids), cached by content. Its weights (2 MB at
    cpu) are kept beside the study's results, so notebooks 12 and 13 rerun without retraining it."""
    parts = [load_dataset(d, "train") for d in (b.dataset, b.second)]
    both = ImageSet(torch.cat([p.images for p in parts]), torch.cat([p.labels for p in parts]),
                    masks=torch.cat([p.masks for p in parts]), mask_classes=list(CLASSES))
    keep = study_dir(profile, root) / "segmenter"
    seg = train_segmenter(b.seg, both, progress, also=[keep])
    if not (keep / f"{seg.name}.pt").exists():
        keep.mkdir(parents=True, exist_ok=True)
        torch.save(seg.model.state_dict(), keep / f"{seg.name}.pt")
    return seg


def truth_check(seg, test: ImageSet, train: ImageSet, n: int) -> dict:
    """On n held-out real scenes: per-class IoU, statistics from the segmenter against the true masks,
    and three FSDs: segmenter vs truth on the same images, and the real-vs-real floor (true masks of n
    train scenes against n test scenes), from the truth and from the segmenter."""
    x, true = test.images[:n], test.masks[:n]
    pred = seg(x)
    ious = iou_table(pred, true, CLASSES)
    s_true, s_pred = segment_stats(true, K), segment_stats(pred, K)
    s_train_true = segment_stats(train.masks[:n], K)
    s_train_pred = segment_stats(seg(train.images[:n]), K)
    shares = ratio_table(s_pred, s_true, CLASSES).rename(columns={"real_share": "true_share",
                                                                  "gen_share": "segmented_share"})
    return {"iou": ious, "miou": float(np.nanmean(ious.iou)), "shares": shares,
            "fsd_seg_vs_truth": fsd(s_pred, s_true).value,
            "fsd_floor_truth": fsd(s_train_true, s_true).value,
            "fsd_floor_segmented": fsd(s_train_pred, s_pred).value, "n": n}


# ------------------------------------------------------------------ GANs
def train_gans(b: SeeingBudget, profile: str, root=None, seed: int = 0) -> dict:
    """{model name: Trainer}: b.gans on b.dataset, and the C3 recipe on both configs; trained or loaded
    from results/<profile>/12_segment_stats/runs/ (each run's generator.pt is committed)."""
    out = study_dir(profile, root) / "runs"
    jobs = [(b.dataset, p, it) for p, it in b.gans] + [(d, *b.c3_recipe) for d in (b.dataset, b.second)]
    runs = {}
    for dataset, preset, iters in dict.fromkeys(jobs):             # the C3 recipe may repeat a C1 GAN
        cfg = TrainConfig(preset=preset, dataset=dataset, iters=iters, batch_size=b.batch_size, width=b.width,
                          conditional=False, seed=seed, ckpt_every=max(iters // 5, 1), log_every=max(1, iters // 100))
        runs[model_name(dataset, preset, iters)] = Trainer(cfg, Path(out) / model_name(dataset, preset, iters)).fit()
    return runs


def samples(trainer: Trainer, n: int, seed: int) -> torch.Tensor:
    """n uint8 samples (n, C, H, W), drawn in batches from a seeded generator."""
    g = torch.Generator().manual_seed(seed)
    return torch.cat([trainer.sample(min(500, n - i), g)[0] for i in range(0, n, 500)])


def score(runs: dict, b: SeeingBudget, seg, extractor, seed: int = 0) -> tuple:
    """Per model: FID (n_fid per side, Inception pool3), FSD (n per side, segmenter on both sides) and the
    per-class ratio table against the real test scenes of its own config. Returns (summary, ratios)."""
    real = {d: load_dataset(d, "test") for d in (b.dataset, b.second)}
    real_stats = {d: segment_stats(seg(r.images[:b.n]), K) for d, r in real.items()}
    real_feats = {d: extract_features(r.images[:b.n_fid], extractor, desc=f"{d} real features")
                  for d, r in real.items()}
    rows, ratios = [], {}
    for name, t in tqdm(runs.items(), desc="score scene GANs"):
        d = t.cfg.dataset
        fake = samples(t, b.n, seed)
        s = segment_stats(seg(fake), K)
        f = fsd(s, real_stats[d])
        fid = evaluate(fake[:b.n_fid], real[d].images[:b.n_fid], ["fid"], extractor,
                       real_features=real_feats[d], progress=False)["fid"]
        log = read_log(t)
        rows.append({"model": name, "dataset": d, "preset": t.cfg.preset, "iters": t.step, "fid": fid,
                     "fsd": f.value, "fsd_mean_term": f.mean_term, "fsd_trace_term": f.trace_term,
                     "n": b.n, "n_fid": b.n_fid, "train_s": float(log.sec_per_step.mean() * t.step)})
        ratios[name] = ratio_table(s, real_stats[d], CLASSES)
    return pd.DataFrame(rows), ratios


# ------------------------------------------------------------------ claims
def c1(summary: pd.DataFrame, ratios: dict, b: SeeingBudget) -> dict:
    """C1 holds when, for every bedroom GAN, every small class's generated share is below the real share by
    more than one SE (gap_se < b.small_gap_se), and every large class (wall, floor, ceiling) has
    gen/real >= b.large_min_ratio. Whether FSD orders the GANs as FID does is stated beside it."""
    c1_models = [model_name(b.dataset, p, it) for p, it in b.gans]
    parts, held = [], True
    for m in c1_models:
        r = ratios[m].set_index("class")
        small_ok = (r.loc[list(SMALL_CLASSES), "gap_se"] < b.small_gap_se)
        large_ok = (r.loc[list(BACKGROUND), "ratio"] >= b.large_min_ratio)
        held &= bool(small_ok.all() and large_ok.all())
        parts.append(f"{m}: small under-drawn {int(small_ok.sum())}/{len(small_ok)} "
                     f"(ratios {', '.join(f'{c} {r.ratio[c]:.2f}' for c in SMALL_CLASSES)}), large matched "
                     f"{int(large_ok.sum())}/{len(large_ok)} (min ratio {r.loc[list(BACKGROUND), 'ratio'].min():.2f})")
    s = summary.set_index("model").loc[c1_models]
    same = list(s.fid.sort_values().index) == list(s.fsd.sort_values().index)
    order = (f"FID order {' < '.join(s.fid.sort_values().index)}; FSD order {' < '.join(s.fsd.sort_values().index)}"
             f" ({'the same' if same else 'different'})")
    return _claim("C1", b.dataset, "GANs under-draw small and rare classes and keep the large ones", held,
                  "; ".join(parts) + "; " + order)


def c3(ratios: dict, b: SeeingBudget) -> dict:
    """C3 holds when the C3 recipe's gen/real ratios of the classes both configs draw (real share > 0 in
    both) have Spearman rho >= b.c3_min_rho across the two configs: the same classes are dropped."""
    p, it = b.c3_recipe
    r1, r2 = (ratios[model_name(d, p, it)].set_index("class") for d in (b.dataset, b.second))
    shared = [c for c in CLASSES if r1.real_share[c] > 0 and r2.real_share[c] > 0]
    rho = float(scipy.stats.spearmanr(r1.ratio[shared], r2.ratio[shared]).statistic)
    low1, low2 = (r.ratio[shared].nsmallest(3).index.tolist() for r in (r1, r2))
    ev = (f"{p} {it:,} it on both configs; {len(shared)} shared classes; Spearman rho of gen/real ratios "
          f"{rho:.2f} (needs >= {b.c3_min_rho}); most dropped: {', '.join(low1)} ({b.dataset}) | "
          f"{', '.join(low2)} ({b.second})")
    return _claim("C3", f"{b.dataset} + {b.second}", "the same classes are dropped across datasets",
                  bool(rho >= b.c3_min_rho), ev)


PAPER = {"C1": "LSUN bedrooms, 336 UPerNet classes, >= 10,000 images: WGAN-GP, ProGAN and StyleGAN draw fewer "
               "pixels of small, complex objects than real; by FSD StyleGAN > ProGAN > WGAN-GP (no FSD values "
               "in our source, seeds/003)",
         "C3": "ProGAN on LSUN churches and bedrooms: the objects it fails to draw are similar across datasets"}
