"""Shared building blocks: spectral norm switch, conditional BN, self-attention, orthogonal init."""
from __future__ import annotations

from contextlib import contextmanager

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


# Folding the x2 resampling of the ResNet blocks into their 3x3 convs (pad 1), per axis (issue 20's fast path):
# - a 3x3 conv, then 2x2 average pooling = a stride-2 conv with the 4 taps (w0, w0 + w1, w1 + w2, w2) / 2;
# - nearest x2 upsampling, then a 3x3 conv = a stride-2 transposed conv with the 4 taps (w2, w1 + w2, w0 + w1, w0).
# Same maths up to float order, with 2.25x fewer multiply-adds (16 taps at the low resolution, not 9 at the high)
FOLD_DOWN = torch.tensor([[1.0, 0, 0], [1, 1, 0], [0, 1, 1], [0, 0, 1]]) / 2     # (4 taps, 3 taps)
FOLD_UP = torch.tensor([[0.0, 0, 1], [0, 1, 1], [1, 1, 0], [1, 0, 0]])


def fold_kernel(w: torch.Tensor, fold: torch.Tensor) -> torch.Tensor:
    """(Cout, Cin, 3, 3) -> (Cout, Cin, 4, 4): `fold` (4, 3) applied along both kernel axes."""
    fold = fold.to(w)
    return torch.einsum("ak,oikl,bl->oiab", fold, w, fold)


def upsample_conv(conv: nn.Conv2d, x: torch.Tensor, fold: bool) -> torch.Tensor:
    """conv(upsample(x)), (B, Cin, H, W) -> (B, Cout, 2H, 2W); fold: as one stride-2 transposed conv.
    conv.weight is read once, so a spectrally normalised conv runs one power iteration either way."""
    if not fold:
        return conv(upsample(x))
    k = fold_kernel(conv.weight, FOLD_UP).transpose(0, 1)          # transposed convs take (Cin, Cout, kh, kw)
    return F.conv_transpose2d(x, k, conv.bias, stride=2, padding=1)


def upsample_project(conv: nn.Conv2d, x: torch.Tensor, fold: bool) -> torch.Tensor:
    """A 1x1 conv of upsample(x) (the G blocks' shortcut); fold: the conv first, at the low resolution, since
    a 1x1 conv commutes with nearest upsampling (4x fewer multiply-adds, identical values)."""
    return upsample(conv(x)) if fold else conv(upsample(x))


def conv_pool(conv: nn.Conv2d, x: torch.Tensor, fold: bool) -> torch.Tensor:
    """avg_pool2d(conv(x), 2), (B, Cin, H, W) -> (B, Cout, H // 2, W // 2); fold: as one stride-2 conv."""
    if not fold:
        return F.avg_pool2d(conv(x), 2)
    return F.conv2d(x, fold_kernel(conv.weight, FOLD_DOWN), conv.bias, stride=2, padding=1)


def base_size(image_size: int) -> tuple:
    """(side of the first feature map, number of x2 stages): 32 -> (4, 3), 28 -> (7, 2)."""
    table = {32: (4, 3), 28: (7, 2), 64: (4, 4)}
    if image_size not in table:
        raise ValueError(f"unsupported image size {image_size}; valid: {', '.join(map(str, table))}")
    return table[image_size]


@contextmanager
def frozen(*modules):
    """No gradients into these modules' weights for the duration; their flags are restored after."""
    params = [p for m in modules for p in m.parameters()]
    flags = [p.requires_grad for p in params]
    for p in params:
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p, f in zip(params, flags):
            p.requires_grad_(f)
