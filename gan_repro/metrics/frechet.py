"""Fréchet distance between Gaussians, shared by FID and FSD (Bau et al. 2019).

    d^2 = ||mu1 - mu2||^2 + Tr(S1) + Tr(S2) - 2 Tr((S1 S2)^{1/2})        (Heusel et al. 2017, eq. 6)

Tr((S1 S2)^{1/2}) is computed from eigenvalues, not scipy.linalg.sqrtm: factor S1 = L L^T; then S1 S2
is similar to L^T S2 L, which is symmetric PSD, so Tr((S1 S2)^{1/2}) = sum sqrt(eigvalsh(L^T S2 L)).
L is the Cholesky factor when S1 is positive definite, else V diag(sqrt(w)) from eigh (singular S1,
N <= D). One Cholesky plus one eigenvalues-only symmetric solve, in float64: real by construction,
finite on singular covariances, and >10x faster than sqrtm at D = 2048 (benchmarks/bench_metrics.py).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FrechetResult:
    value: float        # mean_term + trace_term
    mean_term: float    # ||mu1 - mu2||^2
    trace_term: float   # Tr(S1) + Tr(S2) - 2 Tr((S1 S2)^{1/2})


def _factor(s: np.ndarray) -> np.ndarray:
    """L with S = L L^T for symmetric PSD S: Cholesky (D, D), or (D, r) from eigh when S is singular.

    In the singular case only the r eigenvectors with eigenvalues above round-off are kept: the null
    directions add nothing to the trace, and L^T S2 L shrinks to r x r.
    """
    try:
        return np.linalg.cholesky(s)
    except np.linalg.LinAlgError:
        w, v = np.linalg.eigh(s)
        keep = w > max(w.max(), 0.0) * len(w) * np.finfo(np.float64).eps
        return v[:, keep] * np.sqrt(w[keep])


def trace_sqrt_product(s1: np.ndarray, s2: np.ndarray) -> float:
    """Tr((S1 S2)^{1/2}) for symmetric PSD S1, S2, via eigvalsh(L^T S2 L) with S1 = L L^T."""
    low = _factor(s1)
    m = low.T @ s2 @ low
    w = np.linalg.eigvalsh((m + m.T) / 2)           # symmetrize away round-off
    return float(np.sqrt(np.clip(w, 0.0, None)).sum())


def _check(mu, sigma, name):
    mu, sigma = np.asarray(mu, np.float64), np.asarray(sigma, np.float64)
    if mu.ndim != 1 or sigma.shape != (len(mu), len(mu)):
        raise ValueError(f"{name}: need mu (D,) and sigma (D, D), got {mu.shape} and {sigma.shape}")
    if not (np.isfinite(mu).all() and np.isfinite(sigma).all()):
        raise ValueError(f"{name}: statistics contain NaN or Inf")
    return mu, sigma


def frechet_distance(mu1, sigma1, mu2, sigma2) -> FrechetResult:
    """Fréchet distance between N(mu1, sigma1) and N(mu2, sigma2), in float64, with its components."""
    mu1, sigma1 = _check(mu1, sigma1, "first")
    mu2, sigma2 = _check(mu2, sigma2, "second")
    if mu1.shape != mu2.shape:
        raise ValueError(f"feature dimensions differ: {mu1.shape[0]} vs {mu2.shape[0]}")
    mean_term = float(np.sum((mu1 - mu2) ** 2))
    trace_term = float(np.trace(sigma1) + np.trace(sigma2) - 2.0 * trace_sqrt_product(sigma1, sigma2))
    return FrechetResult(mean_term + trace_term, mean_term, trace_term)
