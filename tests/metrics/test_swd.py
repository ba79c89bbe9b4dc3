import numpy as np
import pytest
import scipy.ndimage
import torch

from gan_repro.data import gaussian_noise
from gan_repro.metrics import swd
from gan_repro.metrics.swd import laplacian_pyramid, pyr_down, pyr_up, pyramid_resolutions


def _imgs(n=32, s=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(0, 256, (n, 3, s // 4, s // 4), generator=g).float()
    return torch.nn.functional.interpolate(x, size=s, mode="bilinear").round().to(torch.uint8)


def test_pyramid_levels_follow_pggan():
    assert pyramid_resolutions(32) == [32, 16] and pyramid_resolutions(28) == [28]
    assert pyramid_resolutions(128) == [128, 64, 32, 16]


def test_pyr_down_matches_scipy_mirror_convolution():
    # PGGAN's pyr_down: scipy.ndimage.convolve with the 5x5 binomial filter, mode="mirror", then [::2]
    x = _imgs(4).double()
    k1 = np.array([1, 4, 6, 4, 1], dtype=np.float64)
    k = np.outer(k1, k1) / 256
    ref = scipy.ndimage.convolve(x.numpy(), k[None, None], mode="mirror")[:, :, ::2, ::2]
    assert np.abs(pyr_down(x).numpy() - ref).max() < 1e-10


def test_laplacian_pyramid_reconstructs_exactly():
    x = _imgs(4)
    low_detail, low = laplacian_pyramid(x, 2)
    assert torch.allclose(pyr_up(low) + low_detail, x.double(), atol=1e-9)


def test_swd_of_a_set_with_itself_is_zero_and_grows_with_noise():
    x = _imgs(64)
    assert swd(x, x)["swd_avg"] == 0.0
    g = torch.Generator().manual_seed(0)
    d5 = swd(x, gaussian_noise(x, 5.0, g))["swd_32"]
    d40 = swd(x, gaussian_noise(x, 40.0, g))["swd_32"]
    assert 0 < d5 < d40


def test_swd_is_seeded_and_names_levels():
    a, b = _imgs(16, seed=1), _imgs(16, seed=2)
    r1 = swd(a, b, torch.Generator().manual_seed(3))
    r2 = swd(a, b, torch.Generator().manual_seed(3))
    r3 = swd(a, b, torch.Generator().manual_seed(4))
    assert r1 == r2 and r1 != r3 and set(r1) == {"swd_32", "swd_16", "swd_avg"}
    assert r1["swd_avg"] == pytest.approx((r1["swd_32"] + r1["swd_16"]) / 2)


def test_swd_bad_input():
    with pytest.raises(ValueError, match="equal shapes"):
        swd(_imgs(8), _imgs(9))
    with pytest.raises(TypeError, match="uint8"):
        swd(_imgs(8).float(), _imgs(8))
    with pytest.raises(ValueError, match="at least 16 px"):
        swd(_imgs(8, s=8), _imgs(8, s=8))
