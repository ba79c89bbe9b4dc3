"""Display helpers the notebooks share: image grids, class histograms, tables of dataset cards, and the
statistical plots (seaborn: paper-vs-ours bars, metric-against-strength curves, FID against N).

Image grids stay plain matplotlib. `use_style` sets the one project style; every figure helper here
calls it, and notebooks that draw with matplotlib directly call it once in their imports cell.
"""
from __future__ import annotations

import pandas as pd
import torch

from gan_repro.data import check_uint8_images


def use_style() -> None:
    """The project's figure style: seaborn's whitegrid, a colour-blind-safe palette, small fonts."""
    import seaborn as sns
    sns.set_theme(context="notebook", style="whitegrid", palette="colorblind", font_scale=0.8)


def image_grid(images: torch.Tensor, nrow: int = 8, pad: int = 1) -> torch.Tensor:
    """uint8 (N, C, H, W) -> uint8 (H', W', C) mosaic with `nrow` images per row (white padding)."""
    check_uint8_images(images)
    n, c, h, w = images.shape
    rows = (n + nrow - 1) // nrow
    out = torch.full((c, rows * (h + pad) + pad, nrow * (w + pad) + pad), 255, dtype=torch.uint8)
    for i in range(n):
        r, k = divmod(i, nrow)
        out[:, pad + r * (h + pad): pad + r * (h + pad) + h, pad + k * (w + pad): pad + k * (w + pad) + w] = images[i]
    return out.permute(1, 2, 0)


def show_grid(ax, images: torch.Tensor, nrow: int = 8, title: str = "") -> None:
    g = image_grid(images, nrow)
    ax.imshow(g.squeeze(-1) if g.shape[-1] == 1 else g, cmap="gray", vmin=0, vmax=255)
    ax.set_title(title, fontsize=9)
    ax.axis("off")


def per_class_examples(images: torch.Tensor, labels: torch.Tensor, per_class: int, n_classes: int):
    """The first `per_class` images of each of the first `n_classes` classes, class by row."""
    idx = [torch.nonzero(labels == c).flatten()[:per_class] for c in range(n_classes)]
    return images[torch.cat(idx)]


def class_histogram(ax, card, title: str = "") -> None:
    import seaborn as sns
    use_style()
    counts = card.class_counts
    sns.barplot(x=list(range(len(counts))), y=list(counts), ax=ax, width=0.9, color="C0")
    ax.set_xticks(range(0, len(counts), max(1, len(counts) // 10)))   # 100 classes: every 10th label
    ax.set_xlabel("class")
    ax.set_ylabel("images")
    ax.set_title(title or f"{card.name} {card.split} (N={card.n})", fontsize=9)


def cards_table(cards) -> pd.DataFrame:
    """One row per dataset card: the facts that go into provenance, formatted for reading."""
    return pd.DataFrame([{
        "dataset": c.name, "split": c.split, "N": c.n, "classes": len(c.class_counts),
        "min/class": min(c.class_counts), "max/class": max(c.class_counts), "source": c.source,
        "sha256": c.sha256[:12]} for c in cards])


def metric_curves(df: pd.DataFrame, metrics: tuple, conditions: tuple):
    """Grid of line plots: rows = conditions (e.g. corruptions), cols = metrics, a line per dataset.

    Level 0 of every row is the clean condition, so each curve starts from the real-vs-real value.
    Where the table holds several rows per (dataset, condition, level) (repeats over seeds), seaborn
    draws their mean with a band of one standard deviation.
    """
    import matplotlib.pyplot as plt
    import seaborn as sns
    use_style()
    fig, axes = plt.subplots(len(conditions), len(metrics), figsize=(3.2 * len(metrics), 2.6 * len(conditions)),
                             squeeze=False)
    for r, cond in enumerate(conditions):
        for c, m in enumerate(metrics):
            ax = axes[r, c]
            sub = df[df.condition.isin(["clean", cond])]
            sns.lineplot(sub, x="level", y=m, hue="dataset", marker="o", errorbar="sd", ax=ax,
                         legend=(r, c) == (0, len(metrics) - 1))
            ax.set_title(f"{m} vs {cond}", fontsize=9)
            ax.set(xlabel=f"{cond} strength", ylabel="")
            ax.tick_params(labelsize=7)
    if axes[0, -1].get_legend():
        axes[0, -1].legend(fontsize=7)
    fig.tight_layout()
    return fig


PANEL_LABELS = {"fid_small": "FID, smaller N (lower is better)", "fid_large": "FID, largest N (lower is better)",
                "gan_train": "GAN-train % (higher is better)", "gan_test": "GAN-test % (higher is better)",
                "is": "IS (higher is better)", "swd_16": "SWD 16 ×10³ (lower)", "swd_32": "SWD 32 ×10³ (lower)"}


def paper_vs_ours(side: pd.DataFrame, cols: tuple, title: str = ""):
    """One bar panel per column of a `how_good.side_by_side` table: paper and ours per model."""
    import textwrap

    import matplotlib.pyplot as plt
    import seaborn as sns
    use_style()
    fig, axes = plt.subplots(1, len(cols), figsize=(3.4 * len(cols), 3.0), squeeze=False)
    for k, (ax, c) in enumerate(zip(axes[0], cols)):
        long = pd.DataFrame([{"model": str(m), "source": src, "value": side.loc[m, f"{c} {src}"]}
                             for m in side.index for src in ("paper", "ours")])
        sns.barplot(long, x="model", y="value", hue="source", ax=ax, legend=k == 0)
        ax.tick_params(axis="x", labelrotation=45, labelsize=7)
        for t in ax.get_xticklabels():
            t.set_horizontalalignment("right")
        ax.set(xlabel="", ylabel="")
        ax.set_title(PANEL_LABELS.get(c, c), fontsize=9)
    if axes[0][0].get_legend():
        axes[0][0].legend(fontsize=7)
    fig.suptitle(textwrap.fill(title, 40 * len(cols)), fontsize=9)
    fig.tight_layout()
    return fig


def fid_vs_n(fid_n: pd.DataFrame):
    """Real-vs-real FID against N per side, a line per dataset, log N (E4); bands where N repeats."""
    import matplotlib.pyplot as plt
    import seaborn as sns
    use_style()
    fig, ax = plt.subplots(figsize=(5, 3.2))
    sns.lineplot(fid_n, x="n", y="fid", hue="dataset", marker="o", errorbar="sd", ax=ax)
    ax.set_xscale("log")
    ax.set(xlabel="N per side", ylabel="FID (real vs real)")
    return fig


def is_two_ways(d: pd.DataFrame, title: str = ""):
    """E2: each set's IS from the pixel classifier (x) against the pool3 probe (y), +- split std, labelled.
    A common ranking would put the points on a rising curve."""
    import matplotlib.pyplot as plt
    use_style()
    fig, ax = plt.subplots(figsize=(5.2, 4.2))
    ax.errorbar(d["is"], d.is_probe, xerr=d.is_std, yerr=d.is_probe_std, fmt="o", ms=4, capsize=2)
    for name, x, y in zip(d.set, d["is"], d.is_probe):
        ax.annotate(name, (x, y), fontsize=6, xytext=(3, 2), textcoords="offset points")
    ax.set_xlabel("IS, in-project classifier (pixels)")
    ax.set_ylabel("IS, linear probe on Inception pool3")
    ax.set_title(title, fontsize=9)
    return fig
