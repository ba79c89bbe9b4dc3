"""Kernel two-sample distances on features: KID (Binkowski et al. 2018) and Gaussian-kernel MMD.

Both use the unbiased MMD^2 estimator (Gretton et al. 2012, eq. 3): diagonal terms of K_xx, K_yy
are left out, so the expectation is 0 when both sets come from one distribution (values can be < 0).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class KernelResult:
    mean: float
    std: float          # over subsets, ddof=0 (as torch-fidelity); 0 for a single estimate
    n_subsets: int
    subset_size: int


def _as64(f, name):
    f = torch.as_tensor(f).double()
    if f.dim() != 2 or len(f) < 2:
        raise ValueError(f"{name}: need (N, D) features with N >= 2, got {tuple(f.shape)}")
    if not torch.isfinite(f).all():
        raise ValueError(f"{name}: features contain NaN or Inf")
    return f


def unbiased_mmd2(kxx: torch.Tensor, kyy: torch.Tensor, kxy: torch.Tensor) -> float:
    """Unbiased MMD^2 from the three kernel matrices (m x m, n x n, m x n)."""
    m, n = kxx.shape[0], kyy.shape[0]
    sxx = (kxx.sum() - kxx.diagonal().sum()) / (m * (m - 1))
    syy = (kyy.sum() - kyy.diagonal().sum()) / (n * (n - 1))
    return float(sxx + syy - 2.0 * kxy.mean())


def polynomial_kernel(x, y, degree: int = 3, coef0: float = 1.0):
    """k(x, y) = (x.y / D + coef0)^degree, the KID kernel."""
    return (x @ y.T / x.shape[1] + coef0) ** degree


def kid(feats_x, feats_y, n_subsets: int = 100, subset_size: int = 1000,
        generator: torch.Generator | None = None) -> KernelResult:
    """Kernel Inception Distance: unbiased polynomial MMD^2 averaged over seeded random subsets.

    subset_size is capped at the smaller set size (and the cap is reported in the result).
    """
    x, y = _as64(feats_x, "first"), _as64(feats_y, "second")
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"feature dimensions differ: {x.shape[1]} vs {y.shape[1]}")
    g = generator if generator is not None else torch.Generator().manual_seed(0)
    m = min(subset_size, len(x), len(y))
    vals = []
    for _ in range(n_subsets):
        xs = x[torch.randperm(len(x), generator=g)[:m]]
        ys = y[torch.randperm(len(y), generator=g)[:m]]
        vals.append(unbiased_mmd2(polynomial_kernel(xs, xs), polynomial_kernel(ys, ys),
                                  polynomial_kernel(xs, ys)))
    v = torch.tensor(vals, dtype=torch.float64)
    return KernelResult(float(v.mean()), float(v.std(unbiased=False)), n_subsets, m)


def median_bandwidth(x: torch.Tensor, y: torch.Tensor) -> float:
    """Median heuristic: sigma = median of the pairwise Euclidean distances of the pooled sample."""
    z = torch.cat([x, y])
    d = torch.cdist(z, z)
    return float(d[torch.triu_indices(len(z), len(z), 1).unbind()].median())


def mmd_gaussian(feats_x, feats_y, bandwidth: float | None = None) -> tuple:
    """Unbiased MMD^2 with k(x, y) = exp(-||x - y||^2 / (2 sigma^2)).

    Bandwidth rule: sigma = the median pairwise distance of the pooled sample unless given.
    Returns (mmd2, sigma).
    """
    x, y = _as64(feats_x, "first"), _as64(feats_y, "second")
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"feature dimensions differ: {x.shape[1]} vs {y.shape[1]}")
    s = median_bandwidth(x, y) if bandwidth is None else float(bandwidth)
    k = lambda a, b: torch.exp(-torch.cdist(a, b) ** 2 / (2 * s * s))  # noqa: E731
    return unbiased_mmd2(k(x, x), k(y, y), k(x, y)), s
