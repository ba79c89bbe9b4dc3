import pytest
import torch

from gan_repro.data import check_float_images, check_uint8_images, to_model, to_rgb, to_uint8


def test_round_trip_is_exact_for_every_uint8_value():
    x = torch.arange(256, dtype=torch.uint8).view(1, 1, 16, 16)
    y = to_model(x)
    assert y.dtype == torch.float32 and y.min() == -1 and y.max() == 1
    assert torch.equal(to_uint8(y), x)


def test_wrong_dtype_and_range_are_rejected_with_what_was_got():
    with pytest.raises(TypeError, match="need uint8.*float32"):
        check_uint8_images(torch.zeros(2, 3, 8, 8))
    with pytest.raises(ValueError, match=r"\[-1, 1\].*range=\[0, 255\]"):
        to_uint8(torch.linspace(0, 255, 2 * 3 * 8 * 8).view(2, 3, 8, 8))
    with pytest.raises(TypeError, match="need float"):
        check_float_images(torch.zeros(2, 3, 8, 8, dtype=torch.uint8))
    with pytest.raises(ValueError, match="NCHW"):
        check_uint8_images(torch.zeros(2, 8, 8, 3, dtype=torch.uint8))


def test_nan_is_rejected():
    x = torch.zeros(2, 1, 4, 4)
    x[0, 0, 0, 0] = float("nan")
    with pytest.raises(ValueError, match="1 NaN/Inf"):
        to_uint8(x)


def test_to_rgb_replicates_gray_only():
    g = torch.randint(0, 256, (2, 1, 5, 5), dtype=torch.uint8)
    rgb = to_rgb(g)
    assert rgb.shape == (2, 3, 5, 5) and torch.equal(rgb[:, 2], g[:, 0])
    c = torch.zeros(2, 3, 5, 5)
    assert to_rgb(c) is c
