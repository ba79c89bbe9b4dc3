"""The one image convention, and the checks that enforce it.

Storage: uint8 NCHW in [0, 255]. Models: float32 NCHW in [-1, 1]. Grayscale becomes 3 channels only
where a 3-channel network needs it (`to_rgb`). Functions that take images check dtype and range and
raise with what they got and what they need; they never guess.
"""
from __future__ import annotations

import torch


def _describe(x: torch.Tensor) -> str:
    if x.numel() == 0:
        return f"dtype={x.dtype}, shape={tuple(x.shape)}, empty"
    xf = x.detach().float()
    return (f"dtype={x.dtype}, shape={tuple(x.shape)}, "
            f"range=[{xf.min().item():.4g}, {xf.max().item():.4g}]")


def check_uint8_images(x, name: str = "images") -> torch.Tensor:
    """Require uint8 NCHW with 1 or 3 channels. Returns x unchanged."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name}: need a torch.Tensor of uint8 NCHW images, got {type(x).__name__}")
    if x.dtype != torch.uint8:
        raise TypeError(f"{name}: need uint8 images in [0, 255] (NCHW), got {_describe(x)}; "
                        "convert floats in [-1, 1] with gan_repro.data.to_uint8")
    if x.dim() != 4 or x.shape[1] not in (1, 3):
        raise ValueError(f"{name}: need NCHW with 1 or 3 channels, got shape {tuple(x.shape)}")
    return x


def check_float_images(x, name: str = "images") -> torch.Tensor:
    """Require floating NCHW in [-1, 1], finite. Returns x unchanged."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name}: need a torch.Tensor of float NCHW images, got {type(x).__name__}")
    if not x.is_floating_point():
        raise TypeError(f"{name}: need float images in [-1, 1], got {_describe(x)}; "
                        "convert uint8 with gan_repro.data.to_model")
    if x.dim() != 4 or x.shape[1] not in (1, 3):
        raise ValueError(f"{name}: need NCHW with 1 or 3 channels, got shape {tuple(x.shape)}")
    if not torch.isfinite(x).all():
        bad = (~torch.isfinite(x)).sum().item()
        raise ValueError(f"{name}: {bad} NaN/Inf values in float images ({_describe(x)})")
    # 1e-4 slack: tanh outputs and round trips may touch the bounds in float32
    if x.numel() and (x.min() < -1 - 1e-4 or x.max() > 1 + 1e-4):
        raise ValueError(f"{name}: need float images in [-1, 1], got {_describe(x)}; "
                         "floats in [0, 1] or [0, 255] are not accepted, rescale explicitly")
    return x


def to_model(x: torch.Tensor) -> torch.Tensor:
    """uint8 [0, 255] (N, C, H, W) -> float32 [-1, 1], same shape."""
    check_uint8_images(x)
    return x.float().div(127.5).sub(1.0)


def to_uint8(x: torch.Tensor) -> torch.Tensor:
    """float [-1, 1] (N, C, H, W) -> uint8 [0, 255], rounded to nearest."""
    check_float_images(x)
    return x.detach().add(1.0).mul(127.5).round().clamp(0, 255).to(torch.uint8)


def to_rgb(x: torch.Tensor) -> torch.Tensor:
    """Replicate grayscale to 3 channels (any dtype); 3-channel input is returned as is."""
    if x.dim() != 4 or x.shape[1] not in (1, 3):
        raise ValueError(f"to_rgb: need NCHW with 1 or 3 channels, got shape {tuple(x.shape)}")
    return x.expand(-1, 3, -1, -1) if x.shape[1] == 1 else x
