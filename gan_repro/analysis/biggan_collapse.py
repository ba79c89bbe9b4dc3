"""BigGAN's collapse analysis (claims B3, B4; notebook 11): watch a run as it trains, find its collapse.

At every checkpoint step (`Trainer.fit(on_checkpoint=watcher(...))`) the watcher records FID at small N,
D's accuracy on images it trains on and on held-out real images (BigGAN: ~98 % against 50-55 % before
collapse, memorisation), and keeps G's weights, so that the checkpoint before the collapse can be
picked afterwards (B4). The trainer's own logs give D's losses (log.jsonl) and the top-3 singular
values of every weight (spectra.jsonl, `spectra_every`).
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import torch

from gan_repro.analysis.how_good import draw
from gan_repro.data import ImageSet, to_model
from gan_repro.metrics import extract_features, feature_stats, frechet_distance


@torch.no_grad()
def d_accuracy(trainer, images: torch.Tensor, labels: torch.Tensor, batch: int = 250) -> float:
    """Share of real uint8 `images` that D scores as real (score > 0, the hinge loss's boundary), with D in
    eval mode (a spectrally normalised D then takes no power step: training is unchanged)."""
    d = trainer.d_core.eval()
    try:
        hits = 0
        for i in range(0, len(images), batch):
            x = to_model(images[i:i + batch]).to(trainer.cfg.device)
            y = labels[i:i + batch].to(trainer.cfg.device) if trainer.n_classes else None
            hits += int((d(x, y) > 0).sum())
        return hits / len(images)
    finally:
        trainer.d_core.train()


def watcher(real_feats: torch.Tensor, extractor, heldout: ImageSet, n_fid: int, n_acc: int, seed: int = 0):
    """An `on_checkpoint` callback: FID-n_fid of G's samples (fixed sample seed) against real_feats[:n_fid],
    D's accuracy on the first n_acc training images and on n_acc held-out ones, and G's weights in
    snapshots/g_<step>.pt (what B4's early stopping loads)."""
    if len(real_feats) < n_fid or len(heldout) < n_acc:
        raise ValueError(f"need {n_fid} real features and {n_acc} held-out images, got {len(real_feats)} "
                         f"and {len(heldout)}")
    real_stats = feature_stats(real_feats[:n_fid])

    def on_checkpoint(t) -> None:
        fake = draw(t, n_fid, seed).images
        fid = frechet_distance(*feature_stats(extract_features(fake, extractor, progress=False)), *real_stats).value
        snap = Path(t.out) / "snapshots"
        snap.mkdir(parents=True, exist_ok=True)
        g = t.ema if t.ema is not None else t.g_core
        torch.save({"step": t.step, "config_hash": t.cfg.hash(), "G": g.state_dict()}, snap / f"g_{t.step:07d}.pt")
        t.watch_record({"fid": fid, "n_fid": n_fid,
                        "d_acc_train": d_accuracy(t, t.images[:n_acc], t.labels[:n_acc]),
                        "d_acc_heldout": d_accuracy(t, heldout.images[:n_acc], heldout.labels[:n_acc])})
    return on_checkpoint


def _jsonl(path: Path, what: str) -> list:
    if not path.exists() or not path.read_text().strip():
        raise FileNotFoundError(f"no {what} in {path}: train with "
                                + ("spectra_every > 0" if what == "spectra" else "the watcher") + " first")
    return [json.loads(l) for l in path.read_text().splitlines() if l]


def read_watch(out) -> pd.DataFrame:
    """watch.jsonl: step, fid, d_acc_train, d_acc_heldout."""
    return pd.DataFrame(_jsonl(Path(out) / "watch.jsonl", "watch records"))


def read_spectra(out, net: str) -> pd.DataFrame:
    """spectra.jsonl of one net ("G" or "D"): one row per (step, layer) with sigma0..sigma2, layers in
    the net's parameter order (G's first layer first)."""
    if net not in ("G", "D"):
        raise ValueError(f"net must be 'G' or 'D', got {net!r}")
    rows = []
    for r in _jsonl(Path(out) / "spectra.jsonl", "spectra"):
        for i, (layer, sv) in enumerate(r[net].items()):
            rows.append({"step": r["step"], "layer": layer, "order": i,
                         **{f"sigma{k}": v for k, v in enumerate(sv)}})
    return pd.DataFrame(rows)


def collapse_step(watch: pd.DataFrame, factor: float = 2.0) -> int | None:
    """The first evaluated step whose FID is at least `factor` x the best FID before it and after which
    FID never comes back under that level: a sustained jump, not one noisy point. None: no collapse."""
    fid, steps = watch.fid.to_numpy(), watch.step.to_numpy()
    for i in range(1, len(fid)):
        level = factor * fid[:i].min()
        if fid[i] >= level and (fid[i:] >= level).all():
            return int(steps[i])
    return None


def before_collapse(watch: pd.DataFrame, collapse: int | None) -> pd.Series:
    """B4's early stop: the evaluated step with the lowest FID before the collapse (over all, if none)."""
    w = watch if collapse is None else watch[watch.step < collapse]
    return w.loc[w.fid.idxmin()]
