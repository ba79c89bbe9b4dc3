import pytest
import torch

from gan_repro.metrics import prdc


def _blob(n, seed, center=(0.0, 0.0)):
    return torch.randn(n, 2, generator=torch.Generator().manual_seed(seed), dtype=torch.float64) + \
        torch.tensor(center, dtype=torch.float64)


def test_same_distribution_scores_high():
    r = prdc(_blob(500, 0), _blob(500, 1))
    assert r["precision"] > 0.9 and r["recall"] > 0.9
    # Naeem et al. 2020: with M = N, E[coverage] = 1 - 2^-k = 0.875 for k = 3
    assert r["coverage"] == pytest.approx(0.875, abs=0.04)
    assert 0.7 < r["density"] < 1.3


def test_fakes_off_the_real_support_lower_precision():
    real = _blob(500, 0)
    off = prdc(real, _blob(500, 1, center=(4.0, 0.0)))
    assert off["precision"] < 0.2 and off["density"] < 0.2


def test_fakes_covering_part_of_the_support_lower_recall_not_precision():
    real = _blob(600, 0)
    half = real[real[:, 0] > 0.3][:200] + 0.01 * _blob(200, 2)[: (real[:, 0] > 0.3).sum().clamp(max=200)]
    r = prdc(real, half)
    assert r["precision"] > 0.9 and r["recall"] < 0.6 and r["coverage"] < 0.6


def test_prdc_bad_input():
    with pytest.raises(ValueError, match="more than k=3"):
        prdc(_blob(3, 0), _blob(10, 1))
    with pytest.raises(ValueError, match="equal D"):
        prdc(_blob(10, 0), torch.zeros(10, 3))
