"""k-NN precision/recall (Kynkäänniemi et al. 2019) and density/coverage (Naeem et al. 2020).

Real manifold: union of balls around each real feature with radius = distance to its k-th nearest
real neighbour (k = 3, self excluded). Precision: share of fakes inside the real manifold (quality).
Recall: share of reals inside the fake manifold (diversity). Density: mean count of real balls holding
each fake, / k. Coverage: share of reals whose ball holds at least one fake.
"""
from __future__ import annotations

import torch


def _kth_radius(x: torch.Tensor, k: int) -> torch.Tensor:
    d = torch.cdist(x, x)                                   # (N, N)
    return d.kthvalue(k + 1, dim=1).values                  # +1: the 0 distance to itself


def prdc(real, fake, k: int = 3) -> dict:
    """Returns {"precision", "recall", "density", "coverage"} for (N, D) real and (M, D) fake features."""
    real, fake = torch.as_tensor(real).double(), torch.as_tensor(fake).double()
    if real.dim() != 2 or fake.dim() != 2 or real.shape[1] != fake.shape[1]:
        raise ValueError(f"need (N, D) features of equal D, got {tuple(real.shape)}, {tuple(fake.shape)}")
    if min(len(real), len(fake)) <= k:
        raise ValueError(f"need more than k={k} samples per side, got {len(real)} and {len(fake)}")
    if not (torch.isfinite(real).all() and torch.isfinite(fake).all()):
        raise ValueError("features contain NaN or Inf")
    r_real, r_fake = _kth_radius(real, k), _kth_radius(fake, k)
    d_rf = torch.cdist(real, fake)                          # (N, M)
    inside_real = d_rf <= r_real[:, None]                   # fake j within real ball i
    inside_fake = d_rf <= r_fake[None, :]                   # real i within fake ball j
    return {"precision": float(inside_real.any(0).double().mean()),
            "recall": float(inside_fake.any(1).double().mean()),
            "density": float(inside_real.sum(0).double().mean() / k),
            "coverage": float((d_rf.min(1).values <= r_real).double().mean())}
