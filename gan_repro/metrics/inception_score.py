"""Inception Score (Salimans et al. 2016) and m-IS (Gurumurthy et al. 2017) from class probabilities.

    IS   = exp(E_x KL(p(y|x) || p(y)))
    m-IS = exp(E_{x_i} E_{x_j} KL(p(y|x_i) || p(y|x_j))), x_i, x_j of the same class, averaged over classes

Any classifier's probabilities or logits work; the result names which classifier produced them.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

EPS = 1e-12   # guards log(0) for one-hot probabilities; contributes 0 * log(eps) = 0


@dataclass(frozen=True)
class ScoreResult:
    mean: float
    std: float          # over splits, ddof=0 as in the original TF code
    splits: int


def as_probs(p: torch.Tensor, kind: str) -> torch.Tensor:
    """`kind` "probs" (rows sum to 1) or "logits" (softmax taken) -> (N, K) float64 probabilities."""
    p = torch.as_tensor(p).double()
    if p.dim() != 2 or len(p) < 2:
        raise ValueError(f"need (N, K) with N >= 2, got {tuple(p.shape)}")
    if not torch.isfinite(p).all():
        raise ValueError("probabilities/logits contain NaN or Inf")
    if kind == "logits":
        return torch.softmax(p, dim=1)
    if kind != "probs":
        raise ValueError(f"unknown kind {kind!r}; valid: probs, logits")
    if (p < 0).any() or not torch.allclose(p.sum(1), torch.ones(len(p), dtype=p.dtype), atol=1e-4):
        raise ValueError("probs: rows must be non-negative and sum to 1 (pass kind='logits'?)")
    return p


def _kl_to_marginal(p: torch.Tensor) -> float:
    py = p.mean(0, keepdim=True)                                       # (1, K)
    kl = (p * (torch.log(p + EPS) - torch.log(py + EPS))).sum(1)       # (N,)
    return float(torch.exp(kl.mean()))


def inception_score(p, kind: str = "probs", splits: int = 10,
                    generator: torch.Generator | None = None) -> ScoreResult:
    """IS over `splits` equal parts of a seeded shuffle; mean and std (ddof=0) across parts."""
    p = as_probs(p, kind)
    if splits < 1 or len(p) < splits:
        raise ValueError(f"need at least {splits} samples for {splits} splits, got {len(p)}")
    g = generator if generator is not None else torch.Generator().manual_seed(0)
    p = p[torch.randperm(len(p), generator=g)]
    scores = torch.tensor([_kl_to_marginal(c) for c in torch.chunk(p, splits)], dtype=torch.float64)
    return ScoreResult(float(scores.mean()), float(scores.std(unbiased=False)), splits)


def m_inception_score(p, labels: torch.Tensor, kind: str = "probs") -> float:
    """m-IS: per class, exp of the mean KL over ordered pairs i != j; then the mean over classes."""
    p = as_probs(p, kind)
    labels = torch.as_tensor(labels)
    if labels.shape != (len(p),):
        raise ValueError(f"labels: need shape ({len(p)},), got {tuple(labels.shape)}")
    per_class = []
    for c in torch.unique(labels):
        q = p[labels == c]                                             # (n, K)
        if len(q) < 2:
            continue
        logq = torch.log(q + EPS)
        # KL(q_i || q_j) = sum_k q_ik log q_ik - sum_k q_ik log q_jk   -> (n, n), zero diagonal
        kl = (q * logq).sum(1, keepdim=True) - q @ logq.T
        n = len(q)
        per_class.append(torch.exp((kl.sum() - kl.diagonal().sum()) / (n * (n - 1))))
    if not per_class:
        raise ValueError("m-IS needs at least one class with 2 or more samples")
    return float(torch.stack(per_class).mean())
