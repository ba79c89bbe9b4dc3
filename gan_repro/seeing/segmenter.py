"""A small U-Net segmenter for the procedural scenes: GAN Seeing's stand-in for UPerNet on ADE20K.

Bau et al. segment LSUN scenes with a UPerNet trained on ADE20K; here a 3-level U-Net is trained on
the scenes' exact masks (`gan_repro.data.scenes`), seeded, and cached by content (config + training code
version + pixels + masks), like the classifiers, so a cache hit is exactly the model training would give.
Its per-class IoU on held-out scenes is reported beside every statistic it produces.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import torch.nn as nn
import torch.nn.functional as F
from tqdm.auto import tqdm

from gan_repro.classifiers import fit_epochs
from gan_repro.data import ImageSet, cache_root, check_uint8_images, save_atomic, to_model


@dataclass(frozen=True)
class SegmenterConfig:
    n_classes: int
    image_size: int = 32
    in_channels: int = 3
    width: int = 32             # channels at full resolution; 2w at 1/2, 4w at 1/4
    epochs: int = 4
    batch_size: int = 64
    lr: float = 2e-3            # Adam, one-cycle schedule
    weight_decay: float = 1e-4
    class_weights: str = "inv_sqrt"   # "none" | "inv_sqrt": CE weights 1/sqrt(pixel share), mean 1
    seed: int = 0


def _double_conv(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
                         nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU())


class UNet(nn.Module):
    """enc(w) @S -> enc(2w) @S/2 -> enc(4w) @S/4 -> up + skip -> dec(2w) @S/2 -> up + skip -> dec(w) -> 1x1."""

    def __init__(self, cfg: SegmenterConfig):
        super().__init__()
        w = cfg.width
        self.e1, self.e2, self.e3 = _double_conv(cfg.in_channels, w), _double_conv(w, 2 * w), _double_conv(2 * w, 4 * w)
        self.u2, self.u1 = nn.ConvTranspose2d(4 * w, 2 * w, 2, 2), nn.ConvTranspose2d(2 * w, w, 2, 2)
        self.d2, self.d1 = _double_conv(4 * w, 2 * w), _double_conv(2 * w, w)
        self.head = nn.Conv2d(w, cfg.n_classes, 1)

    def forward(self, x):                                       # x: (B, C, S, S) in [-1, 1]
        h1 = self.e1(x)                                         # (B, w, S, S)
        h2 = self.e2(F.max_pool2d(h1, 2))                       # (B, 2w, S/2, S/2)
        h3 = self.e3(F.max_pool2d(h2, 2))                       # (B, 4w, S/4, S/4)
        y2 = self.d2(torch.cat([self.u2(h3), h2], 1))           # (B, 2w, S/2, S/2)
        y1 = self.d1(torch.cat([self.u1(y2), h1], 1))           # (B, w, S, S)
        return self.head(y1)                                    # (B, K, S, S) logits


# Bump when the training code changes what a config produces.
SEGMENTER_CODE_VERSION = 1


def cache_key(cfg: SegmenterConfig, data: ImageSet) -> str:
    h = hashlib.sha256(json.dumps({**asdict(cfg), "code": SEGMENTER_CODE_VERSION}, sort_keys=True).encode())
    h.update(hashlib.sha256(data.images.contiguous().numpy().tobytes()).digest())
    h.update(hashlib.sha256(data.masks.contiguous().numpy().tobytes()).digest())
    return f"unet-{h.hexdigest()[:24]}"


def ce_weights(masks: torch.Tensor, cfg: SegmenterConfig) -> torch.Tensor | None:
    """Cross-entropy class weights: 1/sqrt(pixel share) normalised to mean 1, so small classes count."""
    if cfg.class_weights == "none":
        return None
    if cfg.class_weights != "inv_sqrt":
        raise ValueError(f"unknown class_weights {cfg.class_weights!r}; valid: none, inv_sqrt")
    share = torch.bincount(masks.flatten().long(), minlength=cfg.n_classes).double() / masks.numel()
    w = 1 / share.clamp_min(1e-6).sqrt()
    return (w / w.mean()).float()


def _check_training_data(data: ImageSet, cfg: SegmenterConfig) -> None:
    check_uint8_images(data.images, "segmenter training images")
    if data.masks is None or data.masks.shape != (len(data), cfg.image_size, cfg.image_size):
        raise ValueError(f"segmenter training needs masks (N, {cfg.image_size}, {cfg.image_size}) beside "
                         f"the images, got {None if data.masks is None else tuple(data.masks.shape)}")
    if int(data.masks.max()) >= cfg.n_classes:
        raise ValueError(f"mask id {int(data.masks.max())} >= n_classes {cfg.n_classes}")


def train_segmenter(cfg: SegmenterConfig, data: ImageSet, progress: bool = True, cache: bool = True,
                    also=()) -> "Segmenter":
    """Train (or load) a U-Net on `data` (images + masks); returns a `Segmenter`.

    A trained model is looked up by its content key in the cache and then in the folders `also` (e.g. a
    committed results folder), so a hit is exactly the model that training would give."""
    _check_training_data(data, cfg)
    torch.manual_seed(cfg.seed)
    model = UNet(cfg)
    key = cache_key(cfg, data)
    path = cache_root() / "segmenters" / f"{key}.pt"
    found = [p for p in (path, *(Path(d) / f"{key}.pt" for d in also)) if p.exists()]
    if cache and found:
        model.load_state_dict(torch.load(found[0], map_location="cpu", weights_only=True))
        return Segmenter(model.eval(), cfg, key)
    g = torch.Generator().manual_seed(cfg.seed)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    weights = ce_weights(data.masks, cfg)

    def batch_loss(idx):
        x, y = to_model(data.images[idx]), data.masks[idx].long()           # (B, C, S, S), (B, S, S)
        flip = torch.rand(len(idx), generator=g) < 0.5                     # scenes are left-right symmetric
        x = torch.where(flip[:, None, None, None], x.flip(3), x)
        y = torch.where(flip[:, None, None], y.flip(2), y)
        return F.cross_entropy(model(x), y, weight=weights)

    fit_epochs(model, opt, len(data), cfg.batch_size, cfg.epochs, cfg.lr, batch_loss, g, "train segmenter", progress)
    if cache:
        save_atomic(model.state_dict(), path)
    return Segmenter(model.eval(), cfg, key)


class Segmenter:
    """uint8 images (N, C, S, S) -> class ids (N, S, S) uint8, batched; `.n_classes` and `.name` for FSD."""

    def __init__(self, model: nn.Module, cfg: SegmenterConfig, name: str):
        self.model, self.cfg, self.name, self.n_classes = model, cfg, name, cfg.n_classes

    @torch.inference_mode()
    def __call__(self, images: torch.Tensor, batch_size: int = 256, progress: bool = False) -> torch.Tensor:
        check_uint8_images(images, "images to segment")
        want = (self.cfg.in_channels, self.cfg.image_size, self.cfg.image_size)
        if tuple(images.shape[1:]) != want:
            raise ValueError(f"the segmenter takes images of shape (N, {', '.join(map(str, want))}), "
                             f"got {tuple(images.shape)}")
        out = [self.model(to_model(images[i:i + batch_size])).argmax(1).to(torch.uint8)
               for i in tqdm(range(0, len(images), batch_size), desc="segment", disable=not progress, leave=False)]
        return torch.cat(out)


class SegmenterFeatures(nn.Module):
    """The segmenter's encoder as a perceptual network: float [-1, 1] (B, C, S, S) -> (B, 2w, S/2, S/2).

    Inversion (notebook 13) measures perceptual distance with it: it was trained on the scenes, so its
    features separate the scene classes, where Inception's (ImageNet, 299 px) see 32-px scenes poorly."""

    def __init__(self, model: UNet):
        super().__init__()
        self.e1, self.e2 = model.e1, model.e2

    def forward(self, x):
        return self.e2(F.max_pool2d(self.e1(x), 2))


def iou_table(pred: torch.Tensor, true: torch.Tensor, classes) -> pd.DataFrame:
    """Per class over a whole set: IoU = |P & T| / |P | T| (pixel totals), and the class's true pixel share.

    A class absent from both prediction and truth has no IoU (NaN); mIoU averages the others.
    """
    k = len(classes)
    p, t = pred.flatten().long(), true.flatten().long()
    inter = torch.bincount(t[p == t], minlength=k).double()
    union = torch.bincount(p, minlength=k).double() + torch.bincount(t, minlength=k).double() - inter
    iou = np.where(union.numpy() > 0, (inter / union.clamp_min(1)).numpy(), np.nan)
    share = (torch.bincount(t, minlength=k).double() / len(t)).numpy()
    return pd.DataFrame({"class": list(classes), "iou": iou, "true_share": share})
