"""DCGAN (Radford et al. 2016): transposed convs, BN and ReLU in G; strided convs and LeakyReLU in D.

Also the critic of WGAN with weight clipping (Arjovsky et al. 2017) and the "DCGAN-like" WGAN-GP
variant (Gulrajani et al. 2017: no BN in the critic, since the penalty is per sample).
Conditional: G concatenates a one-hot label to z; D adds a projection term (Miyato & Koyama 2018).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from gan_repro.models.layers import base_size, linear, maybe_sn


def dcgan_init(model: nn.Module) -> None:
    """Radford et al. 2016, sec. 4: weights ~ N(0, 0.02); BN gains ~ N(1, 0.02), biases 0."""
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear, nn.Embedding)):
            w = m.parametrizations.weight.original if hasattr(m, "parametrizations") else m.weight
            nn.init.normal_(w, 0.0, 0.02)
            if getattr(m, "bias", None) is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d) and m.affine:
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)


@dataclass(frozen=True)
class DCGANConfig:
    image_size: int = 32
    channels: int = 3
    n_classes: int = 0          # 0 = unconditional
    z_dim: int = 128
    width: int = 64
    d_norm: str = "bn"          # "bn" (DCGAN, WGAN-clip) | "none" (WGAN-GP critic)
    use_sn_d: bool = False


class DCGANGenerator(nn.Module):
    def __init__(self, cfg: DCGANConfig):
        super().__init__()
        self.cfg = cfg
        self.side, n = base_size(cfg.image_size)
        ch = [cfg.width * 2 ** i for i in reversed(range(n))]       # e.g. [4w, 2w, w] for 32 px
        self.fc = nn.Linear(cfg.z_dim + cfg.n_classes, ch[0] * self.side ** 2)
        self.bn0 = nn.BatchNorm2d(ch[0])
        ups = []
        for cin, cout in zip(ch[:-1], ch[1:]):
            ups += [nn.ConvTranspose2d(cin, cout, 4, 2, 1), nn.BatchNorm2d(cout), nn.ReLU()]
        ups += [nn.ConvTranspose2d(ch[-1], cfg.channels, 4, 2, 1), nn.Tanh()]
        self.ups = nn.Sequential(*ups)
        dcgan_init(self)

    def forward(self, z, y=None):                                   # z (B, z_dim) -> (B, C, H, W)
        if self.cfg.n_classes:
            z = torch.cat([z, F.one_hot(y, self.cfg.n_classes).float()], 1)
        h = self.fc(z).view(len(z), -1, self.side, self.side)
        return self.ups(F.relu(self.bn0(h)))


class DCGANDiscriminator(nn.Module):
    def __init__(self, cfg: DCGANConfig):
        super().__init__()
        if cfg.d_norm not in ("bn", "none"):
            raise ValueError(f"unknown d_norm {cfg.d_norm!r}; valid: bn, none")
        self.cfg = cfg
        side, n = base_size(cfg.image_size)
        ch = [cfg.width * 2 ** i for i in range(n)]                  # [w, 2w, 4w]
        layers, cin = [], cfg.channels
        for i, cout in enumerate(ch):
            layers.append(maybe_sn(nn.Conv2d(cin, cout, 4, 2, 1), cfg.use_sn_d))
            if i > 0 and cfg.d_norm == "bn":                         # no BN on the first layer
                layers.append(nn.BatchNorm2d(cout))
            layers.append(nn.LeakyReLU(0.2))
            cin = cout
        self.body = nn.Sequential(*layers)
        feat = ch[-1] * side * side
        self.out = linear(feat, 1, cfg.use_sn_d)
        self.embed = maybe_sn(nn.Embedding(cfg.n_classes, feat), cfg.use_sn_d) if cfg.n_classes else None
        dcgan_init(self)

    def forward(self, x, y=None):                                   # (B, C, H, W) -> (B,)
        h = self.body(x).flatten(1)
        out = self.out(h).squeeze(1)
        if self.embed is not None:
            out = out + (self.embed(y) * h).sum(1)                  # projection term
        return out
