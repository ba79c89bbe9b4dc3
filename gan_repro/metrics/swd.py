"""Sliced Wasserstein distance on Laplacian-pyramid patches, the PGGAN protocol (Karras et al. 2018).

Constants (all from PGGAN's metrics/sliced_wasserstein.py):
  * pyramid levels: full resolution, halved while >= 16 px, so 32 px -> levels 32 and 16; 28 px -> 28;
    level 0 is the Laplacian detail band, the last level the Gaussian low-pass image;
  * pyr_down / pyr_up use the 5x5 binomial filter [1 4 6 4 1]^T [1 4 6 4 1] / 256, mirror borders
    (as cv2.pyrDown / pyrUp), computed from images on the 0-255 scale;
  * descriptors: 7x7 x C neighbourhoods, 128 per image per level, centres drawn so the patch lies inside
    (one draw of centres for both sets: see `swd`);
  * each set's descriptors are normalised per channel (mean 0, std 1 over all patches and pixels);
  * 4 repeats x 128 random unit directions; the distance is the mean |sorted projection difference|;
  * reported x 10^3 per level ("SWD 32", "SWD 16") plus the average over levels.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from gan_repro.data import check_uint8_images

_K1 = torch.tensor([1.0, 4.0, 6.0, 4.0, 1.0], dtype=torch.float64) / 16.0
NHOOD, NHOODS_PER_IMAGE, DIR_REPEATS, DIRS_PER_REPEAT = 7, 128, 4, 128


def _blur(x: torch.Tensor, gain: float = 1.0) -> torch.Tensor:
    """5x5 binomial filter (separable), mirror padding; (N, C, H, W) -> same."""
    n, c, h, w = x.shape
    k = (_K1 * gain ** 0.5).to(x.dtype)
    y = F.pad(x.reshape(n * c, 1, h, w), (2, 2, 2, 2), mode="reflect")
    y = F.conv2d(F.conv2d(y, k.view(1, 1, 1, 5)), k.view(1, 1, 5, 1))
    return y.view(n, c, h, w)


def pyr_down(x: torch.Tensor) -> torch.Tensor:
    return _blur(x)[:, :, ::2, ::2]


def pyr_up(x: torch.Tensor) -> torch.Tensor:
    n, c, h, w = x.shape
    up = x.new_zeros(n, c, 2 * h, 2 * w)
    up[:, :, ::2, ::2] = x
    return _blur(up, gain=4.0)                 # x4 restores the energy of the inserted zeros


def pyramid_resolutions(size: int) -> list:
    out = []
    while size >= 16:
        out.append(size)
        size //= 2
    return out


def laplacian_pyramid(images: torch.Tensor, levels: int) -> list:
    """uint8 (N, C, H, W) -> [detail at H, detail at H/2, ..., low-pass at H/2^(levels-1)], float64."""
    pyr = [images.double()]
    for _ in range(1, levels):
        pyr.append(pyr_down(pyr[-1]))
        pyr[-2] = pyr[-2] - pyr_up(pyr[-1])
    return pyr


def patch_centres(n: int, h: int, w: int, generator: torch.Generator) -> tuple:
    """128 random centres per image, drawn so that the 7x7 patch lies inside: two (n*128,) tensors."""
    r, m = NHOOD // 2, n * NHOODS_PER_IMAGE
    return (torch.randint(r, h - r, (m,), generator=generator),
            torch.randint(r, w - r, (m,), generator=generator))


def descriptors(level: torch.Tensor, ys: torch.Tensor, xs: torch.Tensor) -> torch.Tensor:
    """7x7 patches around the given centres: (N, C, H, W) -> (N*128, C, 7, 7)."""
    r = NHOOD // 2
    img = torch.arange(len(ys)) // NHOODS_PER_IMAGE
    off = torch.arange(-r, r + 1)
    rows = (ys[:, None] + off)[:, :, None]                    # (m, 7, 1)
    cols = (xs[:, None] + off)[:, None, :]                    # (m, 1, 7)
    patches = level[img[:, None, None], :, rows, cols]        # (m, 7, 7, C)
    return patches.permute(0, 3, 1, 2)


def normalize_descriptors(d: torch.Tensor) -> torch.Tensor:
    """Per-channel standardisation over patches and pixels, then flatten: (M, C, 7, 7) -> (M, C*49)."""
    d = d - d.mean(dim=(0, 2, 3), keepdim=True)
    d = d / d.std(dim=(0, 2, 3), keepdim=True, unbiased=False)
    return d.reshape(len(d), -1)


def sliced_wasserstein(a: torch.Tensor, b: torch.Tensor, generator: torch.Generator) -> float:
    """Mean over 4 x 128 random unit directions of the mean |sorted(a.u) - sorted(b.u)|."""
    if a.shape != b.shape:
        raise ValueError(f"SWD needs equal descriptor sets, got {tuple(a.shape)} and {tuple(b.shape)}")
    out = []
    for _ in range(DIR_REPEATS):
        dirs = torch.randn(a.shape[1], DIRS_PER_REPEAT, generator=generator, dtype=torch.float64)
        dirs = dirs / dirs.norm(dim=0, keepdim=True)
        pa, pb = torch.sort(a @ dirs, dim=0).values, torch.sort(b @ dirs, dim=0).values
        out.append((pa - pb).abs().mean())
    return float(torch.stack(out).mean())


def swd(images_x: torch.Tensor, images_y: torch.Tensor, generator: torch.Generator | None = None) -> dict:
    """SWD x 10^3 per pyramid level, keyed "swd_<res>", plus "swd_avg". Needs equal N on both sides."""
    check_uint8_images(images_x, "first")
    check_uint8_images(images_y, "second")
    if images_x.shape != images_y.shape:
        raise ValueError(f"SWD needs equal shapes (same N), got {tuple(images_x.shape)} and "
                         f"{tuple(images_y.shape)}")
    if len(images_x) < 2:
        raise ValueError("SWD needs at least 2 images per side")
    g = generator if generator is not None else torch.Generator().manual_seed(0)
    res = pyramid_resolutions(images_x.shape[-1])
    if not res:
        raise ValueError(f"SWD needs images of at least 16 px, got {images_x.shape[-1]}")
    pa, pb = laplacian_pyramid(images_x, len(res)), laplacian_pyramid(images_y, len(res))
    out = {}
    for r, la, lb in zip(res, pa, pb):
        # One draw of centres serves both sets. PGGAN draws them per set; positions are independent
        # of the pixels, so the expectation is the same, the variance lower, and SWD(x, x) = 0 exactly.
        ys, xs = patch_centres(la.shape[0], la.shape[2], la.shape[3], g)
        da, db = normalize_descriptors(descriptors(la, ys, xs)), normalize_descriptors(descriptors(lb, ys, xs))
        out[f"swd_{r}"] = 1e3 * sliced_wasserstein(da, db, g)
    out["swd_avg"] = sum(out.values()) / len(res)
    return out
