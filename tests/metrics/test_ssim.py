import pytest
import torch
from torchmetrics.functional.image import (
    multiscale_structural_similarity_index_measure as tm_ms_ssim,
    structural_similarity_index_measure as tm_ssim,
)

from gan_repro.data import gaussian_noise
from gan_repro.metrics import SMALL, ms_ssim, ms_ssim_diversity, ssim


def _imgs(n, s, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(0, 256, (n, 3, s // 8, s // 8), generator=g).float()
    return torch.nn.functional.interpolate(x, size=s, mode="bicubic").round().clamp(0, 255).to(torch.uint8)


def test_identical_images_score_one():
    x = _imgs(4, 32, 0)
    assert torch.allclose(ssim(x, x), torch.ones(4, dtype=torch.float64))
    assert torch.allclose(ms_ssim(x, x, SMALL), torch.ones(4, dtype=torch.float64))


def test_ssim_parity_with_torchmetrics_on_the_valid_region():
    x = _imgs(3, 64, 1)
    y = gaussian_noise(x, 20.0, torch.Generator().manual_seed(0))
    _, full = tm_ssim(y.double(), x.double(), data_range=255.0, reduction="none", return_full_image=True)
    ref = full[..., 5:-5, 5:-5].flatten(1).mean(1)       # torchmetrics pads by 5; crop to valid
    assert torch.allclose(ssim(y, x), ref, atol=1e-6)


def test_ms_ssim_parity_with_torchmetrics_at_a_size_it_accepts():
    # torchmetrics evaluates the last scale's SSIM term over a reflect-padded image while we use the
    # valid region; at 192 px that border effect stays below 1e-3.
    x = _imgs(3, 192, 2)
    y = gaussian_noise(x, 15.0, torch.Generator().manual_seed(0))
    ref = tm_ms_ssim(y.double(), x.double(), data_range=255.0, reduction="none", normalize="relu")
    assert torch.allclose(ms_ssim(y, x), ref, atol=1e-3)


def test_small_ms_ssim_falls_with_noise_and_diversity_detects_collapse():
    x = _imgs(8, 32, 3)
    g = torch.Generator().manual_seed(0)
    s5 = ms_ssim(x, gaussian_noise(x, 5.0, g), SMALL).mean()
    s50 = ms_ssim(x, gaussian_noise(x, 50.0, g), SMALL).mean()
    assert 1 > s5 > s50
    collapsed = x[:1].repeat(20, 1, 1, 1)
    diverse = _imgs(20, 32, 4)
    g1, g2 = torch.Generator().manual_seed(1), torch.Generator().manual_seed(1)
    assert ms_ssim_diversity(collapsed, None, 30, g1) == pytest.approx(1.0)
    assert ms_ssim_diversity(diverse, None, 30, g2) < 0.5


def test_ms_ssim_rejects_small_images_for_the_standard_setting():
    x = _imgs(2, 32, 0)
    with pytest.raises(ValueError, match="at least 176 px.*SMALL"):
        ms_ssim(x, x)
