"""BigGAN-style conditional GAN at CIFAR scale (Brock et al. 2019; PAPERS.md §B).

G: one shared class embedding (B, shared_dim); z split into n_blocks + 1 chunks (hierarchical z):
chunk 0 -> linear -> first feature map, chunk i is concatenated with the embedding and projected to
the BN gain (one-centred) and bias (zero-centred) of block i. Spectral norm in G and D, orthogonal
init, optional self-attention at one resolution. D: ResNet blocks, projection head, hinge loss.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from gan_repro.models.layers import (
    ConditionalBatchNorm2d, SelfAttention, base_size, conv1, conv3, linear, maybe_sn, ortho_init, upsample_conv,
    upsample_project,
)
from gan_repro.models.resnet import d_body


@dataclass(frozen=True)
class BigGANConfig:
    image_size: int = 32
    channels: int = 3
    n_classes: int = 10
    z_dim: int = 120            # split into n_blocks + 1 equal chunks (120 = 4 x 30 = 3 x 40)
    width: int = 64
    ch_mult: int = 2            # block channels = ch_mult * width: BigGAN CIFAR's 4 x 64 = 256 at width 128
    shared_dim: int = 128
    attention_res: int = 16     # resolution of the self-attention block; 0 = none
    use_sn_g: bool = True
    use_sn_d: bool = True


class BigGBlock(nn.Module):
    def __init__(self, cin, cout, cond_dim, use_sn):
        super().__init__()
        self.b1 = ConditionalBatchNorm2d(cin, cond_dim, use_sn)
        self.b2 = ConditionalBatchNorm2d(cout, cond_dim, use_sn)
        self.c1, self.c2, self.sc = conv3(cin, cout, use_sn), conv3(cout, cout, use_sn), conv1(cin, cout, use_sn)

    fold_resample = False     # as resnet.GBlock's

    def forward(self, x, cond):
        fold = self.fold_resample and self.training
        h = upsample_conv(self.c1, F.relu(self.b1(x, cond)), fold)
        return self.c2(F.relu(self.b2(h, cond))) + upsample_project(self.sc, x, fold)


class BigGANGenerator(nn.Module):
    def __init__(self, cfg: BigGANConfig):
        super().__init__()
        if cfg.n_classes < 1:
            raise ValueError("BigGAN is class-conditional: n_classes must be >= 1")
        self.cfg = cfg
        self.side, n = base_size(cfg.image_size)
        if cfg.z_dim % (n + 1):
            raise ValueError(f"z_dim={cfg.z_dim} must split into {n + 1} equal chunks (hierarchical z)")
        self.chunk = cfg.z_dim // (n + 1)
        w, sn = cfg.ch_mult * cfg.width, cfg.use_sn_g
        self.shared = nn.Embedding(cfg.n_classes, cfg.shared_dim)
        self.fc = linear(self.chunk, w * self.side ** 2, sn)
        self.blocks = nn.ModuleList(BigGBlock(w, w, cfg.shared_dim + self.chunk, sn) for _ in range(n))
        res = [self.side * 2 ** (i + 1) for i in range(n)]
        self.attn = nn.ModuleDict({str(i): SelfAttention(w, sn) for i, r in enumerate(res)
                                   if r == cfg.attention_res})
        self.bn = nn.BatchNorm2d(w)
        self.out = conv3(w, cfg.channels, sn)
        ortho_init(self)

    def forward(self, z, y):                              # z (B, z_dim), y (B,) -> (B, C, H, W)
        zs = torch.split(z, self.chunk, dim=1)            # hierarchical z: n_blocks + 1 chunks
        emb = self.shared(y)                              # (B, shared_dim), shared by all blocks
        h = self.fc(zs[0]).view(len(z), -1, self.side, self.side)
        for i, blk in enumerate(self.blocks):
            h = blk(h, torch.cat([emb, zs[i + 1]], 1))
            if str(i) in self.attn:
                h = self.attn[str(i)](h)
        return self.out(F.relu(self.bn(h))).tanh()


class BigGANDiscriminator(nn.Module):
    def __init__(self, cfg: BigGANConfig):
        super().__init__()
        self.cfg = cfg
        _, n = base_size(cfg.image_size)
        w, sn = cfg.ch_mult * cfg.width, cfg.use_sn_d
        attn = SelfAttention(w, sn) if cfg.image_size // 2 == cfg.attention_res else None
        self.blocks = d_body(cfg.channels, w, n, sn, attn)      # attention at the first block's output
        self.out = linear(w, 1, sn)
        self.embed = maybe_sn(nn.Embedding(cfg.n_classes, w), sn)
        ortho_init(self)

    def features(self, x):                                # (B, C, H, W) -> (B, w): ReLU, then global sum pooling
        return F.relu(self.blocks(x)).sum(dim=(2, 3))

    def forward(self, x, y):                              # (B, C, H, W) -> (B,)
        h = self.features(x)
        return self.out(h).squeeze(1) + (self.embed(y) * h).sum(1)
