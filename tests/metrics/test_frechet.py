import numpy as np
import pytest
import scipy.linalg
from pytorch_fid.fid_score import calculate_frechet_distance

from gan_repro.metrics import feature_stats, frechet_distance


def _stats(n, d, seed, shift=0.0, scale=1.0):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(d, d)) / np.sqrt(d)
    f = rng.normal(size=(n, d)) @ a * scale + shift
    return feature_stats(f)


def test_identical_is_zero():
    mu, s = _stats(4000, 32, 0)
    r = frechet_distance(mu, s, mu, s)
    assert abs(r.value) < 1e-8 and r.mean_term == 0


def test_equal_covariances_give_squared_mean_difference():
    mu, s = _stats(4000, 16, 0)
    shift = np.linspace(-1, 1, 16)
    r = frechet_distance(mu, s, mu + shift, s)
    assert r.value == pytest.approx(np.sum(shift ** 2), rel=1e-9)
    assert abs(r.trace_term) < 1e-9


def test_one_dimensional_w2_closed_form():
    # W2^2(N(m1, s1^2), N(m2, s2^2)) = (m1 - m2)^2 + (s1 - s2)^2
    r = frechet_distance(np.array([1.0]), np.array([[4.0]]), np.array([-2.0]), np.array([[0.25]]))
    assert r.value == pytest.approx(9.0 + (2.0 - 0.5) ** 2, rel=1e-12)


@pytest.mark.parametrize("d", [8, 64, 256])
def test_parity_with_pytorch_fid_and_scipy_sqrtm(d):
    mu1, s1 = _stats(5 * d, d, 1)
    mu2, s2 = _stats(5 * d, d, 2, shift=0.3, scale=1.2)
    ours = frechet_distance(mu1, s1, mu2, s2).value
    ref = calculate_frechet_distance(mu1, s1, mu2, s2)
    covmean = scipy.linalg.sqrtm(s1 @ s2).real
    by_hand = np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * covmean)
    assert ours == pytest.approx(ref, rel=1e-6)
    assert ours == pytest.approx(by_hand, rel=1e-6)


def test_singular_covariances_stay_finite_and_real():
    mu1, s1 = _stats(50, 128, 3)                   # N < D: rank-deficient
    mu2, s2 = _stats(50, 128, 4, shift=0.1)
    r = frechet_distance(mu1, s1, mu2, s2)
    assert np.isfinite(r.value) and isinstance(r.value, float) and r.value > 0


def test_bad_input():
    mu, s = _stats(100, 8, 0)
    mu2, s2 = _stats(100, 9, 0)
    with pytest.raises(ValueError, match="dimensions differ: 8 vs 9"):
        frechet_distance(mu, s, mu2, s2)
    bad = s.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        frechet_distance(mu, bad, mu, s)
    with pytest.raises(ValueError, match="at least 2"):
        feature_stats(np.zeros((1, 8)))
