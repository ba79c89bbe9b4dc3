"""Fréchet distance between Gaussians, shared by FID and FSD (Bau et al. 2019).

    d^2 = ||mu1 - mu2||^2 + Tr(S1) + Tr(S2) - 2 Tr((S1 S2)^{1/2})        (Heusel et al. 2017, eq. 6)

Tr((S1 S2)^{1/2}) is computed from eigenvalues, not scipy.linalg.sqrtm: with A = S1^{1/2} (from eigh),
S1 S2 is similar to A S2 A, which is symmetric PSD, so Tr((S1 S2)^{1/2}) = sum sqrt(eig(A S2 A)).
Two symmetric eigendecompositions in float64: real by construction, finite on singular covariances
(N < D), and about 10-30x faster than sqrtm at D = 2048 (benchmarks/bench_metrics.py).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FrechetResult:
    value: float        # mean_term + trace_term
    mean_term: float    # ||mu1 - mu2||^2
    trace_term: float   # Tr(S1) + Tr(S2) - 2 Tr((S1 S2)^{1/2})


def _sym_sqrt(s: np.ndarray) -> np.ndarray:
    """Square root of a symmetric PSD matrix; tiny negative eigenvalues (round-off) clipped to 0."""
    w, v = np.linalg.eigh(s)
    return (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T


def trace_sqrt_product(s1: np.ndarray, s2: np.ndarray) -> float:
    """Tr((S1 S2)^{1/2}) for symmetric PSD S1, S2, via eig(S1^{1/2} S2 S1^{1/2})."""
    a = _sym_sqrt(s1)
    m = a @ s2 @ a
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
