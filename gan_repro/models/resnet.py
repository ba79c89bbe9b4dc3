"""ResNet G and D of the CIFAR models of WGAN-GP (Gulrajani et al. 2017) and SNGAN (Miyato et al. 2018).

G: z -> linear -> 4x4 (7x7 at 28 px) -> up-blocks -> BN, ReLU, conv3, tanh. Conditional G uses
class-conditional BN (Miyato & Koyama 2018). D: an "optimized" first block, down-blocks, a plain
block, ReLU, global sum pooling, linear; conditional D adds the projection term <embed(y), h>.
SNGAN: spectral norm on every D layer; WGAN-GP: no normalisation in D (the penalty is per sample).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch.nn as nn
import torch.nn.functional as F

from gan_repro.models.layers import (ConditionalBatchNorm2d, base_size, conv1, conv3, conv_pool, linear, maybe_sn,
                                     upsample_conv, upsample_project)


@dataclass(frozen=True)
class ResNetConfig:
    image_size: int = 32
    channels: int = 3
    n_classes: int = 0
    z_dim: int = 128
    width: int = 128            # G and D channels (SNGAN CIFAR: 256 in G, 128 in D; here one width)
    use_sn_d: bool = True       # SNGAN True, WGAN-GP False
    init: str = "torch"         # "torch": PyTorch's default layer init | "reference": SNGAN's own (`reference_init`)


INITS = ("torch", "reference")


def _weight(m: nn.Module):
    return m.parametrizations.weight.original if hasattr(m, "parametrizations") else m.weight


def reference_init(model: nn.Module) -> None:
    """The init of Miyato & Koyama's code (pfnet-research/sngan_projection, gen_models/ and dis_models/):
    3x3 convs inside the residual blocks Glorot-uniform with gain sqrt(2); 1x1 shortcuts, G's first linear
    and last conv, D's output linear and its class embedding Glorot-uniform (gain 1); biases 0; the
    class-conditional BN's per-class gains 1 and biases 0 (here gain = 1 + W onehot, so W = 0).
    PyTorch's defaults differ most where spectral norm meets Adam: D's embedding ~ N(0, 1) is ~10x
    Glorot's scale, so after the normalisation each Adam step moves the projection term ~10x less."""
    for name, m in model.named_modules():
        if isinstance(m, ConditionalBatchNorm2d) and m.cond_dim:
            nn.init.zeros_(_weight(m.gain))
            nn.init.zeros_(_weight(m.bias))
    for name, m in model.named_modules():
        if name.endswith((".gain", ".bias")) and isinstance(m, nn.Linear):
            continue                                     # the CBN projections above
        if isinstance(m, (nn.Conv2d, nn.Linear, nn.Embedding)):
            in_block = name.startswith("blocks.") and isinstance(m, nn.Conv2d) and m.kernel_size == (3, 3)
            nn.init.xavier_uniform_(_weight(m), gain=2 ** 0.5 if in_block else 1.0)
            if getattr(m, "bias", None) is not None:
                nn.init.zeros_(m.bias)


def _check_init(cfg: ResNetConfig) -> None:
    if cfg.init not in INITS:
        raise ValueError(f"unknown init {cfg.init!r}; valid: {', '.join(INITS)}")


class GBlock(nn.Module):
    def __init__(self, cin, cout, n_classes):
        super().__init__()
        self.b1, self.b2 = ConditionalBatchNorm2d(cin, n_classes), ConditionalBatchNorm2d(cout, n_classes)
        self.c1, self.c2, self.sc = conv3(cin, cout), conv3(cout, cout), conv1(cin, cout)

    fold_resample = False     # Trainer's fast path: in training, resampling folded into the convs (layers.py)

    def forward(self, x, cond=None):
        fold = self.fold_resample and self.training
        h = upsample_conv(self.c1, F.relu(self.b1(x, cond)), fold)
        h = self.c2(F.relu(self.b2(h, cond)))
        return h + upsample_project(self.sc, x, fold)


class DBlock(nn.Module):
    def __init__(self, cin, cout, down: bool, first: bool, use_sn: bool):
        super().__init__()
        self.first, self.down = first, down
        self.c1, self.c2 = conv3(cin, cout, use_sn), conv3(cout, cout, use_sn)
        self.sc = conv1(cin, cout, use_sn) if (cin != cout or down) else None

    fold_resample = False     # as GBlock's

    def forward(self, x):
        fold = self.fold_resample and self.training
        h = F.relu(self.c1(x if self.first else F.relu(x)))
        h = conv_pool(self.c2, h, fold) if self.down else self.c2(h)
        s = x
        if self.first or (fold and self.down):            # pool, then project (optimized block; or folded:
            s = self.sc(F.avg_pool2d(s, 2))               # a 1x1 conv commutes with pooling)
        elif self.sc is not None:
            s = self.sc(s)
            s = F.avg_pool2d(s, 2) if self.down else s
        return h + s


def d_body(cin: int, w: int, n: int, use_sn: bool, attention: nn.Module | None = None) -> nn.Sequential:
    """D trunk for base_size stages n: optimized down-block, (attention), n - 2 down-blocks, 2 plain.

    32 px (n = 3): 32 -> 16 -> 8, then two blocks at 8x8 (SNGAN's CIFAR D); 28 px: 28 -> 14.
    """
    blocks = [DBlock(cin, w, down=True, first=True, use_sn=use_sn)]
    blocks += [attention] if attention is not None else []
    blocks += [DBlock(w, w, down=i < n - 2, first=False, use_sn=use_sn) for i in range(n - 1)]
    blocks += [DBlock(w, w, down=False, first=False, use_sn=use_sn)]
    return nn.Sequential(*blocks)


class ResNetGenerator(nn.Module):
    def __init__(self, cfg: ResNetConfig):
        super().__init__()
        self.cfg = cfg
        self.side, n = base_size(cfg.image_size)
        w = cfg.width
        self.fc = nn.Linear(cfg.z_dim, w * self.side ** 2)
        self.blocks = nn.ModuleList(GBlock(w, w, cfg.n_classes) for _ in range(n))
        self.bn = nn.BatchNorm2d(w)
        self.out = conv3(w, cfg.channels)
        _check_init(cfg)
        if cfg.init == "reference":
            reference_init(self)

    def forward(self, z, y=None):                         # (B, z_dim) -> (B, C, H, W)
        cond = F.one_hot(y, self.cfg.n_classes).float() if self.cfg.n_classes else None
        h = self.fc(z).view(len(z), -1, self.side, self.side)
        for blk in self.blocks:
            h = blk(h, cond)
        return self.out(F.relu(self.bn(h))).tanh()


class ResNetDiscriminator(nn.Module):
    def __init__(self, cfg: ResNetConfig):
        super().__init__()
        self.cfg = cfg
        _, n = base_size(cfg.image_size)
        w, sn = cfg.width, cfg.use_sn_d
        self.blocks = d_body(cfg.channels, w, n, sn)
        self.out = linear(w, 1, sn, bias=cfg.init != "reference")     # the reference's l5 has no bias
        self.embed = maybe_sn(nn.Embedding(cfg.n_classes, w), sn) if cfg.n_classes else None
        _check_init(cfg)
        if cfg.init == "reference":
            reference_init(self)

    def forward(self, x, y=None):                         # (B, C, H, W) -> (B,)
        h = F.relu(self.blocks(x)).sum(dim=(2, 3))        # global sum pooling: (B, w)
        out = self.out(h).squeeze(1)
        if self.embed is not None:
            out = out + (self.embed(y) * h).sum(1)
        return out
