"""Inputs of `python -m gan_repro metrics`: dataset specs, image folders, or .npz files."""
from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import torch

from gan_repro.data import DATASETS, DataError, ImageSet, load_dataset, load_npz


def load_input(spec: str) -> ImageSet:
    """`name:split` (e.g. mnist:train), a folder of PNG/JPEG images, or an .npz of uint8 images."""
    p = Path(spec)
    if p.is_dir():
        return _load_folder(p)
    if p.suffix == ".npz":
        return _load_any_npz(p)
    name, _, split = spec.partition(":")
    if name in DATASETS:
        return load_dataset(name, split or "train")
    raise ValueError(f"cannot read input {spec!r}: not a folder, not an .npz, and not a dataset spec "
                     f"<name>:<split> with name in {', '.join(DATASETS)}")


def _load_folder(folder: Path) -> ImageSet:
    files = sorted(f for f in folder.iterdir() if f.suffix.lower() in (".png", ".jpg", ".jpeg"))
    if not files:
        raise ValueError(f"no .png/.jpg/.jpeg images in {folder}")
    arrs = [_read_image(f) for f in files]
    shapes = {a.shape for a in arrs}
    if len(shapes) != 1:
        raise ValueError(f"images in {folder} differ in size: {sorted(shapes)[:4]}")
    x = torch.from_numpy(np.stack(arrs)).permute(0, 3, 1, 2).contiguous()
    return ImageSet(x, torch.zeros(len(x), dtype=torch.long))


def _read_image(f: Path) -> np.ndarray:
    """One image file -> uint8 (H, W, 3); a damaged or unreadable file is a DataError naming it."""
    from PIL import Image
    try:
        with Image.open(f) as im:
            return np.asarray(im.convert("RGB"))   # convert() decodes: truncated data fails here
    except (OSError, ValueError, Image.DecompressionBombError) as e:  # UnidentifiedImageError is an OSError
        raise DataError(f"damaged or unreadable image {f}: {type(e).__name__}: {e}") from e


def _load_any_npz(path: Path) -> ImageSet:
    """A generic npz: the `images` key, else the `train_images` key."""
    if not path.exists():
        raise DataError(f"npz file not found: {path}")
    try:
        with np.load(path, allow_pickle=False) as z:
            keys = z.files
            x = z["images"] if "images" in keys else None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
        raise DataError(f"damaged npz file {path}: {type(e).__name__}: {e}") from e
    if x is not None:
        if x.dtype != np.uint8 or x.ndim != 4:
            raise ValueError(f"{path}: 'images' must be uint8 4-D, got {x.dtype} {x.shape}")
        if x.shape[-1] in (1, 3) and x.shape[1] not in (1, 3):
            x = x.transpose(0, 3, 1, 2)
        t = torch.from_numpy(np.ascontiguousarray(x))
        return ImageSet(t, torch.zeros(len(t), dtype=torch.long))
    return load_npz(path, "train")


def take(s: ImageSet, n: int | None, sample_seed: int | None) -> torch.Tensor:
    """First n images in input order, or a seeded random n when sample_seed is given."""
    if n is None:
        return s.images
    if n > len(s):
        raise ValueError(f"--n {n} exceeds the {len(s)} images of the input")
    if sample_seed is None:
        return s.images[:n]
    idx = torch.randperm(len(s), generator=torch.Generator().manual_seed(sample_seed))[:n]
    return s.images[idx]


def metrics_record(a: str, b: str, metrics: list, n=None, sample_seed=None, seed=0, batch_size=50,
                   mode="pytorch-fid", weights=None) -> dict:
    """One JSON-able record: metric values, N per side, extractor, weights sha256, mode."""
    from gan_repro.metrics.evaluate import METRICS, evaluate
    from gan_repro.metrics.features import InceptionExtractor
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        raise ValueError(f"unknown metrics {unknown}; valid: {', '.join(METRICS)}")
    x, y = take(load_input(a), n, sample_seed), take(load_input(b), n, sample_seed)
    needs_features = {"fid", "kid", "mmd", "prdc"} & set(metrics)
    ext = InceptionExtractor(weights=weights, mode=mode) if needs_features else None
    rec = evaluate(x, y, metrics, extractor=ext, seed=seed, batch_size=batch_size)
    return {"inputs": [a, b], "sample_seed": sample_seed, **rec}
