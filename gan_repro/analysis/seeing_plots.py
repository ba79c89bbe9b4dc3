"""Notebook 12's figures: scenes with their masks, class shares, the paper's sorted ratio bars, and
ganseeing's FSD histogram figure. Tables in, figures out."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from gan_repro.data.scenes import CLASSES
from gan_repro.plots import image_grid, use_style


def class_colours() -> np.ndarray:
    """(K, 3) uint8: one fixed, distinguishable colour per scene class (tab20)."""
    cmap = plt.get_cmap("tab20")
    return (np.array([cmap(i % 20)[:3] for i in range(len(CLASSES))]) * 255).astype(np.uint8)


def masks_to_rgb(masks: torch.Tensor) -> torch.Tensor:
    """(N, H, W) class ids -> (N, 3, H, W) uint8 colour images."""
    return torch.from_numpy(class_colours()[masks.long().numpy()]).permute(0, 3, 1, 2).contiguous()


def scenes_figure(rows: dict, n: int = 8):
    """One pair of rows per entry {title: (images (N, 3, S, S) uint8, masks (N, S, S))}: images above masks;
    a legend names the mask colours."""
    use_style()
    fig, axes = plt.subplots(len(rows), 1, figsize=(1.1 * n, 2.4 * len(rows)), squeeze=False)
    for ax, (title, (imgs, masks)) in zip(axes[:, 0], rows.items()):
        ax.imshow(image_grid(torch.cat([imgs[:n], masks_to_rgb(masks[:n])]), nrow=n), interpolation="nearest")
        ax.set_title(title, fontsize=9)
        ax.axis("off")
    handles = [plt.Rectangle((0, 0), 1, 1, color=c / 255) for c in class_colours()]
    fig.legend(handles, CLASSES, ncol=7, fontsize=7, loc="lower center", bbox_to_anchor=(0.5, -0.06))
    return fig


def shares_figure(shares: pd.DataFrame, title: str):
    """True class statistics: mean pixel share (log scale) and share of images containing the class."""
    use_style()
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.2))
    a.bar(shares["class"], shares.pixel_share, color="C0")
    a.set_yscale("log")
    a.set_ylabel("mean pixel share")
    b.bar(shares["class"], shares.presence, color="C1")
    b.set_ylabel("share of images with the class")
    for ax in (a, b):
        ax.tick_params(axis="x", rotation=60)
    fig.suptitle(title, fontsize=9)
    return fig


def ratio_bars(ratios: dict, order: list | None = None):
    """The paper's figure: per class, generated / real pixel share, sorted, one panel per GAN (log scale;
    1 = drawn as often as in the real scenes). Classes absent from the real set are left out."""
    use_style()
    names = order or list(ratios)
    fig, axes = plt.subplots(1, len(names), figsize=(3.6 * len(names), 3.4), squeeze=False, sharey=True)
    for ax, m in zip(axes[0], names):
        r = ratios[m].dropna(subset=["ratio"]).sort_values("ratio")
        shown = r.ratio.clip(lower=1e-3)                      # a class never drawn sits at the floor
        ax.bar(r["class"], shown, color=np.where(r.ratio < 1, "C3", "C2"))
        ax.axhline(1, color="k", lw=0.8)
        ax.set_yscale("log")
        ax.set_title(m, fontsize=9)
        ax.tick_params(axis="x", rotation=70, labelsize=7)
    axes[0, 0].set_ylabel("generated / real pixel share")
    return fig


def fsd_histogram(ratio: pd.DataFrame, title: str, top: int = 13):
    """ganseeing's FSD figure (`seeing/fsd.py`, diff_figure): the top classes by real mean share, real as
    bars and generated as a line on a log scale, above the relative difference (gen - real) / real."""
    use_style()
    r = ratio.sort_values("real_share", ascending=False).head(top)
    fig, (a, b) = plt.subplots(2, 1, figsize=(7, 4.4), sharex=True, gridspec_kw={"height_ratios": [2, 1]})
    x = np.arange(len(r))
    a.bar(x, 100 * r.real_share, color="C0", label="real (training distribution)")
    a.plot(x, 100 * r.gen_share.clip(lower=1e-4), "o-", color="C3", ms=3, label="generated")
    a.set_yscale("log")
    a.set_ylabel("mean % of pixels")
    a.legend(fontsize=7)
    a.set_title(title, fontsize=9)
    b.bar(x, (r.gen_share - r.real_share) / r.real_share, color="C3")
    b.axhline(0, color="k", lw=0.8)
    b.set_ylabel("(gen − real) / real")
    b.set_xticks(x, r["class"], rotation=60, fontsize=7)
    return fig


def inversion_grid(x: torch.Tensor, masks: torch.Tensor, recons: dict, seg):
    """The paper's grid: real | each method's reconstruction, each above its segmentation (the real one's
    true mask); images are rows."""
    from gan_repro.data import to_uint8
    use_style()
    cols = [("real", x, masks)] + [(m, to_uint8(r), seg(to_uint8(r))) for m, r in recons.items()]
    fig, axes = plt.subplots(1, len(cols), figsize=(1.6 * len(cols), 0.5 * len(x) + 0.6), squeeze=False)
    for ax, (title, imgs, m) in zip(axes[0], cols):
        pairs = torch.stack([imgs, masks_to_rgb(m)], 1).flatten(0, 1)        # image, its mask, next image...
        ax.imshow(image_grid(pairs, nrow=2), interpolation="nearest")
        ax.set_title(title, fontsize=7)
        ax.axis("off")
    return fig


def iou_bars(ious: pd.DataFrame, title: str):
    """Per-class IoU, one bar per method (classes absent from the true masks are left out)."""
    use_style()
    ax = ious.dropna(how="all").plot.bar(figsize=(9, 3.2), width=0.8)
    ax.set_ylabel("IoU")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)
    return ax.figure
