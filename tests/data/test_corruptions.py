import numpy as np
import pytest
import scipy.ndimage
import torch

from gan_repro.data import gaussian_blur, gaussian_noise, salt_and_pepper


def _imgs(n=8, c=3, s=32, seed=0):
    return torch.randint(1, 255, (n, c, s, s), generator=torch.Generator().manual_seed(seed),
                         dtype=torch.uint8)  # values 1..254: a changed pixel is always visible


@pytest.mark.parametrize("p", [0.01, 0.05, 0.10, 0.20])
def test_salt_and_pepper_changes_exactly_the_pixel_count(p):
    x = _imgs()
    y = salt_and_pepper(x, p, torch.Generator().manual_seed(0))
    changed = (y != x).any(dim=1)                          # (N, H, W) positions
    assert (changed.flatten(1).sum(1) == round(p * 32 * 32)).all()
    vals = y.permute(0, 2, 3, 1)[changed]                  # (k, C): all channels 0 or all 255
    assert ((vals == 0).all(1) | (vals == 255).all(1)).all()
    assert torch.equal(x, _imgs()), "input must not be modified"


def test_corruptions_are_deterministic_given_the_seed():
    x = _imgs()
    for f in (lambda g: salt_and_pepper(x, 0.1, g), lambda g: gaussian_noise(x, 5.0, g)):
        a, b = f(torch.Generator().manual_seed(3)), f(torch.Generator().manual_seed(3))
        c = f(torch.Generator().manual_seed(4))
        assert torch.equal(a, b) and not torch.equal(a, c)


def test_gaussian_noise_has_the_stated_sigma():
    x = torch.full((64, 3, 32, 32), 128, dtype=torch.uint8)   # far from the clip bounds
    d = gaussian_noise(x, 5.0, torch.Generator().manual_seed(0)).float() - 128
    assert abs(d.mean().item()) < 0.05 and abs(d.std().item() - np.sqrt(25 + 1 / 12)) < 0.05


def test_gaussian_noise_clips():
    x = torch.tensor([0, 255], dtype=torch.uint8).view(1, 1, 1, 2).expand(1, 1, 4, 2).contiguous()
    y = gaussian_noise(x, 50.0, torch.Generator().manual_seed(0))
    assert y.dtype == torch.uint8


def test_blur_matches_scipy_gaussian_filter():
    x = _imgs(n=2)
    sigma = 1.0
    ref = scipy.ndimage.gaussian_filter(x.double().numpy(), sigma=(0, 0, sigma, sigma), truncate=3.0,
                                        mode="mirror")
    got = gaussian_blur(x, sigma).double().numpy()
    assert np.abs(got - np.round(ref)).max() <= 1        # only rounding of ties may differ


def test_corruptions_reject_bad_input():
    with pytest.raises(TypeError, match="uint8"):
        salt_and_pepper(torch.zeros(1, 1, 4, 4), 0.1, torch.Generator())
    with pytest.raises(ValueError, match="p must be in"):
        salt_and_pepper(_imgs(), 1.5, torch.Generator())


def test_corrupt_dispatches_by_name():
    from gan_repro.data import corrupt
    x = _imgs()
    assert torch.equal(corrupt(x, "gaussian_blur", 1.0, torch.Generator()), gaussian_blur(x, 1.0))
    assert torch.equal(corrupt(x, "gaussian_noise", 5.0, torch.Generator().manual_seed(1)),
                       gaussian_noise(x, 5.0, torch.Generator().manual_seed(1)))
    with pytest.raises(ValueError, match="valid: salt_and_pepper, gaussian_noise, gaussian_blur"):
        corrupt(x, "jpeg", 10, torch.Generator())
