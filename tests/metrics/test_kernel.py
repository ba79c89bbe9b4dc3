import numpy as np
import pytest
import torch

from gan_repro.metrics import kid, mmd_gaussian


def _feats(n, d, seed, shift=0.0):
    return torch.randn(n, d, generator=torch.Generator().manual_seed(seed), dtype=torch.float64) + shift


def test_kid_same_distribution_is_unbiased_around_zero():
    # unbiased: over many independent pairs of equal-distribution samples, the mean is ~0
    vals = [kid(_feats(200, 16, 2 * i), _feats(200, 16, 2 * i + 1), n_subsets=1).mean for i in range(60)]
    se = np.std(vals) / np.sqrt(len(vals))
    assert abs(np.mean(vals)) < 3 * se
    assert min(vals) < 0 < max(vals)                 # a biased (V-) estimator would stay > 0


def test_kid_detects_a_shift_and_is_seeded():
    a, b = _feats(300, 16, 0), _feats(300, 16, 1, shift=0.5)
    r1 = kid(a, b, n_subsets=10, subset_size=100, generator=torch.Generator().manual_seed(5))
    r2 = kid(a, b, n_subsets=10, subset_size=100, generator=torch.Generator().manual_seed(5))
    same = kid(a, _feats(300, 16, 2), n_subsets=10, subset_size=100)
    assert r1 == r2 and r1.mean > 10 * abs(same.mean) and r1.std > 0


def test_kid_polynomial_closed_form_on_two_points():
    # m = 2 per side, one subset: unbiased MMD^2 = k(x1,x2) + k(y1,y2) - mean over the 4 cross terms
    x = torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=torch.float64)
    y = torch.tensor([[1.0, 1.0], [2.0, 0.0]], dtype=torch.float64)
    k = lambda a, b: (a @ b / 2 + 1) ** 3  # noqa: E731
    want = k(x[0], x[1]) + k(y[0], y[1]) - (k(x[0], y[0]) + k(x[0], y[1]) + k(x[1], y[0]) + k(x[1], y[1])) / 2
    assert kid(x, y, n_subsets=1).mean == pytest.approx(float(want), rel=1e-12)


def test_mmd_gaussian_bandwidth_rule_and_shift():
    a, b = _feats(200, 4, 0), _feats(200, 4, 1, shift=1.0)
    v, s = mmd_gaussian(a, b)
    v0, _ = mmd_gaussian(a, _feats(200, 4, 2))
    assert v > 0.05 > abs(v0) and s > 0
    assert mmd_gaussian(a, b, bandwidth=2.0)[1] == 2.0


def test_kernel_bad_input():
    with pytest.raises(ValueError, match="dimensions differ"):
        kid(_feats(10, 3, 0), _feats(10, 4, 0))
    with pytest.raises(ValueError, match="N >= 2"):
        kid(_feats(1, 3, 0), _feats(10, 3, 0))
    with pytest.raises(ValueError, match="NaN"):
        mmd_gaussian(torch.full((4, 2), float("nan")), _feats(4, 2, 0))
