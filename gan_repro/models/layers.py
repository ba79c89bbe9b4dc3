"""Shared building blocks: spectral norm switch, conditional BN, self-attention, orthogonal init."""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.parametrizations import spectral_norm


def maybe_sn(module: nn.Module, use_sn: bool) -> nn.Module:
    """Spectral normalisation (Miyato et al. 2018: one power iteration per forward) when asked."""
    return spectral_norm(module) if use_sn else module


def conv3(cin, cout, use_sn=False):
    return maybe_sn(nn.Conv2d(cin, cout, 3, 1, 1), use_sn)


def conv1(cin, cout, use_sn=False):
    return maybe_sn(nn.Conv2d(cin, cout, 1, 1, 0), use_sn)


def linear(cin, cout, use_sn=False, bias=True):
    return maybe_sn(nn.Linear(cin, cout, bias=bias), use_sn)


class ConditionalBatchNorm2d(nn.Module):
    """BN without affine, then per-sample gain (one-centred) and bias (zero-centred) from a vector.

    cond (B, cond_dim) is a one-hot class (SNGAN's class-conditional BN: one gain/bias row per class)
    or BigGAN's [shared class embedding, z chunk], linearly projected. cond_dim = 0 gives plain BN.
    """

    def __init__(self, channels: int, cond_dim: int, use_sn: bool = False):
        super().__init__()
        self.cond_dim = cond_dim
        self.bn = nn.BatchNorm2d(channels, affine=cond_dim == 0)
        if cond_dim:
            self.gain = linear(cond_dim, channels, use_sn, bias=False)
            self.bias = linear(cond_dim, channels, use_sn, bias=False)

    def forward(self, x, cond=None):                         # x (B, C, H, W), cond (B, cond_dim)
        x = self.bn(x)
        if not self.cond_dim:
            return x
        g = 1.0 + self.gain(cond)                             # (B, C), one-centred
        return x * g[:, :, None, None] + self.bias(cond)[:, :, None, None]


class SelfAttention(nn.Module):
    """SAGAN self-attention (Zhang et al. 2019) with the BigGAN channel reductions (C/8, C/2)."""

    def __init__(self, ch: int, use_sn: bool = False):
        super().__init__()
        self.theta, self.phi = conv1(ch, ch // 8, use_sn), conv1(ch, ch // 8, use_sn)
        self.g, self.o = conv1(ch, ch // 2, use_sn), conv1(ch // 2, ch, use_sn)
        self.gamma = nn.Parameter(torch.zeros(()))            # starts as identity

    def forward(self, x):
        b, c, h, w = x.shape
        theta = self.theta(x).flatten(2)                      # (B, C/8, HW)
        phi = F.max_pool2d(self.phi(x), 2).flatten(2)         # (B, C/8, HW/4)
        g = F.max_pool2d(self.g(x), 2).flatten(2)             # (B, C/2, HW/4)
        attn = torch.softmax(theta.transpose(1, 2) @ phi, -1)  # (B, HW, HW/4)
        o = (g @ attn.transpose(1, 2)).view(b, c // 2, h, w)
        return x + self.gamma * self.o(o)


def ortho_init(model: nn.Module) -> None:
    """Orthogonal initialisation of every conv and linear weight (Saxe et al. 2014; BigGAN)."""
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear, nn.Embedding)):
            w = m.parametrizations.weight.original if hasattr(m, "parametrizations") else m.weight
            nn.init.orthogonal_(w)


def upsample(x):
    return F.interpolate(x, scale_factor=2, mode="nearest")


def base_size(image_size: int) -> tuple:
    """(side of the first feature map, number of x2 stages): 32 -> (4, 3), 28 -> (7, 2)."""
    table = {32: (4, 3), 28: (7, 2), 64: (4, 4)}
    if image_size not in table:
        raise ValueError(f"unsupported image size {image_size}; valid: {', '.join(map(str, table))}")
    return table[image_size]
