"""The four "truncation trick" samplers are the distributions their docstrings name (scipy's as reference)."""
import math

import pytest
import scipy.stats
import torch

from gan_repro.truncation import TRUNCATIONS, truncated_noise

N, DIM = 2000, 16


def _z(variant, thr, seed=0):
    return truncated_noise(variant, N, DIM, thr, torch.Generator().manual_seed(seed)).flatten().numpy()


@pytest.mark.parametrize("thr", [0.5, 1.0])
def test_each_variant_is_its_documented_distribution(thr):
    ref = {"resample": scipy.stats.truncnorm(-thr, thr),                    # the paper's: resampled
           "scale-std": scipy.stats.norm(0, thr),                           # BigGAN-PyTorch z_var: a Gaussian
           "tfhub": scipy.stats.truncnorm(-2, 2, scale=thr)}                # thr x truncnorm(-2, 2)
    for variant, dist in ref.items():
        z = _z(variant, thr)
        assert scipy.stats.kstest(z, dist.cdf).pvalue > 0.01, variant
        others = [d for v, d in ref.items() if v != variant]
        assert all(scipy.stats.kstest(z, d.cdf).pvalue < 1e-6 for d in others), variant
    # clamping: the mass beyond +-thr sits on the bounds, 2 (1 - Phi(thr)) of it (binomial 5-sigma band)
    z = _z("clamp", thr)
    p = 2 * scipy.stats.norm.sf(thr)
    on_bounds = (abs(z) == thr).mean()
    assert abs(on_bounds - p) < 5 * math.sqrt(p * (1 - p) / z.size) and abs(z).max() == thr
    assert (abs(_z("resample", thr)) == thr).mean() == 0


def test_no_threshold_is_the_plain_normal_and_bad_arguments_are_clear_errors():
    for v in TRUNCATIONS:
        assert scipy.stats.kstest(_z(v, None), scipy.stats.norm.cdf).pvalue > 0.01
    with pytest.raises(ValueError, match="unknown truncation variant 'bogus'"):
        _z("bogus", 1.0)
    for bad in (0.0, -0.5):
        with pytest.raises(ValueError, match="must be > 0"):
            _z("resample", bad)
