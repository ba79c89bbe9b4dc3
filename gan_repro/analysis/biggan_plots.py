"""Notebook 09's figures: BigGAN's IS-against-FID plot, the truncation variants side by side, precision and
recall against the threshold, and sample grids per threshold. Tables in, figures out; nothing is computed
here beyond `biggan_studies.curve`."""
from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pandas as pd

from gan_repro.analysis.biggan_studies import curve, threshold_label
from gan_repro.plots import show_grid, use_style

# where each sampler comes from (gan_repro.truncation's docstring has the details)
VARIANT_LABELS = {
    "resample": "resample |z_i| > t (BigGAN paper)",
    "scale-std": "z ~ N(0, t²) (BigGAN-PyTorch sample.py)",
    "tfhub": "t · truncnorm(−2, 2) (TF Hub port)",
    "clamp": "clamp z to ±t",
}


def _panels(n: int, width: float = 4.2, height: float = 3.4):
    use_style()
    fig, axes = plt.subplots(1, n, figsize=(width * n, height), squeeze=False)
    return fig, axes[0]


def tradeoff_figure(df: pd.DataFrame):
    """BigGAN's plot: IS (y) against FID (x) along the resampling sweep, one panel per model, mean +- 1 SE
    over the sample seeds, every point labelled by its threshold."""
    models = list(df.model.unique())
    fig, axes = _panels(len(models))
    for ax, m in zip(axes, models):
        c = curve(df[df.model == m])
        ax.errorbar(c.fid, c["is"], xerr=c.fid_se, yerr=c.is_se, fmt="o-", ms=4, capsize=2)
        for t, f, i in zip(c.threshold, c.fid, c["is"]):
            ax.annotate(threshold_label(t), (f, i), fontsize=7, xytext=(4, 3), textcoords="offset points")
        ax.set_xlabel("FID (lower is better)")
        ax.set_ylabel("IS (in-project classifier)")
        ax.set_title(f"{m}: resampling truncation, n={int(df.n.iloc[0])}, {df[df.model == m].seed.nunique()} seeds",
                     fontsize=9)
    fig.tight_layout()
    return fig


def variants_figure(df: pd.DataFrame):
    """The four samplers called "truncation", IS against FID, one panel per model; arrows run from the
    untruncated point towards the smallest threshold."""
    models = list(df.model.unique())
    fig, axes = _panels(len(models))
    for ax, m in zip(axes, models):
        d = df[df.model == m]
        for i, v in enumerate(d.variant.unique()):
            c = curve(d, v)
            ax.plot(c.fid, c["is"], "o-" if v == "resample" else "s--", ms=3.5, lw=2 if v == "resample" else 1.2,
                    color=f"C{i}", label=VARIANT_LABELS.get(v, v))
            end = c.iloc[-1]
            ax.annotate(threshold_label(end.threshold), (end.fid, end["is"]), fontsize=7, color=f"C{i}",
                        xytext=(3, -9), textcoords="offset points")
        ax.set_xlabel("FID")
        ax.set_ylabel("IS (in-project classifier)")
        ax.set_title(f"{m}: four samplers sold as 'truncation'", fontsize=9)
        ax.legend(fontsize=6.5)
    fig.tight_layout()
    return fig


def precision_recall_figure(df: pd.DataFrame):
    """Precision (fidelity) and recall (diversity) against the threshold, resampling sweep, +- 1 SE."""
    models = list(df.model.unique())
    fig, axes = _panels(len(models), height=3.0)
    for ax, m in zip(axes, models):
        c = curve(df[df.model == m])
        x = range(len(c))
        for col in ("precision", "recall"):
            ax.errorbar(x, c[col], yerr=c[f"{col}_se"], fmt="o-", ms=4, capsize=2, label=col)
        ax.set_xticks(list(x), [threshold_label(t) for t in c.threshold])
        ax.set_xlabel("truncation threshold (falling →)")
        ax.set_ylim(-0.02, 1.02)
        ax.set_title(f"{m}: precision and recall against real test", fontsize=9)
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def grid_figure(grids: dict, title: str, per_class: int):
    """One panel per threshold from `biggan_studies.sample_grid`: rows = classes, columns = the same codes."""
    use_style()
    n = len(grids)
    cols = min(n, 3)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 3.5 * rows), squeeze=False)
    for ax, (t, imgs) in zip(axes.flat, grids.items()):
        show_grid(ax, imgs, nrow=per_class, title=f"threshold {threshold_label(t)}")
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def small_multiples(df: pd.DataFrame, am: pd.DataFrame, tau: float):
    """B2: every model's truncation curve (IS against FID), one row per beta, one column per seed; the
    point at tau is ringed, and the title says whether the model is amenable."""
    use_style()
    betas, seeds = list(df.beta.unique()), list(df.seed.unique())
    fig, axes = plt.subplots(len(betas), len(seeds), figsize=(2.1 * len(seeds), 2.1 * len(betas)),
                             squeeze=False, sharex=True, sharey=True)
    verdict = am.set_index(["beta", "seed"]).amenable
    for i, beta in enumerate(betas):
        for j, s in enumerate(seeds):
            ax, d = axes[i, j], df[(df.beta == beta) & (df.seed == s)]
            ax.plot(d.fid, d["is"], "o-", ms=3, color="C0" if beta else "C1")
            at = d[d.threshold == tau]
            ax.plot(at.fid, at["is"], "o", ms=8, mfc="none", color="k")
            for t, f, v in zip(d.threshold, d.fid, d["is"]):
                ax.annotate(threshold_label(t), (f, v), fontsize=6, xytext=(2, 2), textcoords="offset points")
            ax.set_title(f"β={beta:g} seed {s}: {'amenable' if verdict[(beta, s)] else 'not amenable'}", fontsize=7)
            if i == len(betas) - 1:
                ax.set_xlabel("FID", fontsize=7)
            if j == 0:
                ax.set_ylabel("IS", fontsize=7)
    fig.tight_layout()
    return fig


def _mark(ax, collapse):
    if collapse is not None and not pd.isna(collapse):
        ax.axvline(collapse, color="k", ls=":", lw=1, label=f"collapse ({int(collapse)})")


def spectra_figure(spec_g: pd.DataFrame, spec_d: pd.DataFrame, first: str, collapse=None):
    """B3: sigma0 of every G layer (G's first layer highlighted) and of every D layer over training."""
    fig, axes = _panels(2, width=5.0)
    for ax, spec, title in ((axes[0], spec_g, "G"), (axes[1], spec_d, "D")):
        for layer, d in spec.groupby("layer", sort=False):
            hot = layer == first
            ax.plot(d.step, d.sigma0, lw=2.2 if hot else 0.8, color="C3" if hot else "0.6", alpha=1 if hot else 0.7,
                    label=f"first layer ({layer})" if hot else None, zorder=3 if hot else 2)
        _mark(ax, collapse)
        ax.set_yscale("log")
        ax.set_xlabel("step")
        ax.set_ylabel("σ0 (raw weight)")
        ax.set_title(f"{title}: top singular value of every weight", fontsize=9)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def training_figure(log: pd.DataFrame, watch: pd.DataFrame, collapse=None):
    """B3: D's losses on real and fake, D's accuracy on its training images and held-out ones, FID."""
    fig, axes = _panels(3, width=4.0)
    axes[0].plot(log.step, log.d_real, lw=0.8, label="D loss, real")
    axes[0].plot(log.step, log.d_fake, lw=0.8, label="D loss, fake")
    axes[0].set_title("D's hinge losses", fontsize=9)
    axes[1].plot(watch.step, watch.d_acc_train, "o-", ms=3, label="training images")
    axes[1].plot(watch.step, watch.d_acc_heldout, "s-", ms=3, label="held-out real")
    axes[1].set_ylim(-0.02, 1.02)
    axes[1].set_title("D's accuracy on real images (score > 0)", fontsize=9)
    axes[2].plot(watch.step, watch.fid, "o-", ms=3, color="C2", label=f"FID-{int(watch.n_fid.iloc[0])}")
    axes[2].set_title("FID at small N", fontsize=9)
    for ax in axes:
        _mark(ax, collapse)
        ax.set_xlabel("step")
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def fid_tracks(watches: dict, collapses: dict):
    """FID over training for the unstabilised run and each stabiliser; collapse steps marked."""
    fig, axes = _panels(1, width=6.0)
    ax = axes[0]
    for i, (name, w) in enumerate(watches.items()):
        ax.plot(w.step, w.fid, "o-", ms=3, color=f"C{i}", label=name)
        c = collapses.get(name)
        if c is not None and not pd.isna(c):
            ax.axvline(c, color=f"C{i}", ls=":", lw=1)
    ax.set_xlabel("step")
    ax.set_ylabel("FID (small N)")
    ax.set_title("Collapse and stabilisers (dotted: detected collapse)", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def before_after_figure(grids: dict, per_class: int):
    """{title: uint8 images class by row}: samples of the snapshots before and after the collapse."""
    use_style()
    fig, axes = plt.subplots(1, len(grids), figsize=(3.4 * len(grids), 3.6), squeeze=False)
    for ax, (title, imgs) in zip(axes[0], grids.items()):
        show_grid(ax, imgs, nrow=per_class, title=title)
    fig.tight_layout()
    return fig
