"""Procedural indoor scenes with exact per-pixel class masks: the ground truth of GAN Seeing (notebook 12).

Bau et al. (ICCV 2019) segment LSUN scenes with a UPerNet; neither exists here, and neither gives the
truth. These scenes do: every pixel is painted by exactly one class, so the mask is exact, and the
frequency and size of every class are parameters (`ObjectSpec`), so "rare" and "small" are planted.

A scene is painted back to front (painter's algorithm; the mask keeps the last painter):
ceiling / wall / floor bands -> wall objects (window, door, painting, clock) -> floor furniture (bed,
cabinet, table) -> small things in front (lamp, plant, cup). Colour ranges overlap between classes
(wood doors, tables, floors; pale walls and ceilings) and every class has a texture, so one pixel's colour
does not give its class. Each image has its own generator, seeded by (config seed, split, index, config
name): the same config gives the same bytes, whatever N.
"""
from __future__ import annotations

import hashlib
import json
import os
import zipfile
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

from gan_repro.data.datasets import DataError, ImageSet, cache_root, make_card
from gan_repro.data.scene_painters import CLASSES, DRAW, Canvas, paint_background

BACKGROUND = ("wall", "floor", "ceiling")
ORDER = ("window", "door", "painting", "clock", "bed", "cabinet", "table", "lamp", "plant", "cup")


@dataclass(frozen=True)
class ObjectSpec:
    """How often and how large one object class is drawn."""
    name: str
    p: float                    # probability that the class appears in an image
    size: tuple                 # (min, max) height as a fraction of the image side
    count: tuple = (1, 1)       # (min, max) instances when it appears


@dataclass(frozen=True)
class SceneConfig:
    name: str
    objects: tuple              # ObjectSpec per drawn class; the background classes are always there
    size: int = 32              # image side in pixels (32, or 64 as an option)
    n_train: int = 20000
    n_test: int = 2000
    seed: int = 0
    horizon: tuple = (0.55, 0.75)   # floor line, as a fraction of the height from the top
    p_ceiling: float = 0.6          # share of images with a ceiling band

    def __post_init__(self):
        check_config(self)

    def key(self) -> str:
        """Content key of the generated data: the whole config plus the drawing code's version."""
        blob = json.dumps({**asdict(self), "code": SCENE_CODE_VERSION}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


# Bump when the drawing code changes what a config produces.
SCENE_CODE_VERSION = 2


def check_config(cfg: SceneConfig) -> None:
    """Clear errors for layouts that cannot be drawn."""
    if cfg.size < 16:
        raise ValueError(f"scene size {cfg.size} px: need at least 16")
    if cfg.n_train < 1 or cfg.n_test < 1:
        raise ValueError(f"n_train and n_test must be >= 1, got {cfg.n_train}, {cfg.n_test}")
    lo, hi = cfg.horizon
    if not 0.3 <= lo <= hi <= 0.9:
        raise ValueError(f"horizon {cfg.horizon}: need 0.3 <= min <= max <= 0.9")
    if not 0.0 <= cfg.p_ceiling <= 1.0:
        raise ValueError(f"p_ceiling {cfg.p_ceiling} is not a probability in [0, 1]")
    names = [o.name for o in cfg.objects]
    for o in cfg.objects:
        if o.name not in ORDER:
            raise ValueError(f"unknown scene object {o.name!r}; valid: {', '.join(ORDER)}")
        if not 0.0 <= o.p <= 1.0:
            raise ValueError(f"{o.name}: probability {o.p} is outside [0, 1]")
        if not 0.0 < o.size[0] <= o.size[1]:
            raise ValueError(f"{o.name}: size range {o.size} must satisfy 0 < min <= max")
        if o.size[1] > 1.0:
            raise ValueError(f"{o.name}: size {o.size[1]} is larger than the image (max 1.0)")
        if o.size[0] * cfg.size < 2:
            raise ValueError(f"{o.name}: min size {o.size[0]} is under 2 px at {cfg.size} px")
        if not 1 <= o.count[0] <= o.count[1]:
            raise ValueError(f"{o.name}: count range {o.count} must satisfy 1 <= min <= max")
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate objects in config {cfg.name!r}: {names}")


def _spec(name, p, size, count=(1, 1)):
    return ObjectSpec(name, p, size, count)


# bedroom: a bed in most images. office: desks (tables) and cabinets, no bed. The small classes (lamp,
# painting, plant, clock, cup) are shared; the clock is rare (5 %), the cup small (< 1 % of the pixels).
SMALL_CLASSES = ("lamp", "painting", "plant", "clock", "cup")
SCENE_CONFIGS = {
    "bedroom": SceneConfig("bedroom", (
        _spec("window", 0.7, (0.2, 0.35)), _spec("door", 0.4, (0.45, 0.6)), _spec("painting", 0.4, (0.1, 0.2)),
        _spec("clock", 0.05, (0.1, 0.14)), _spec("bed", 0.9, (0.3, 0.45)), _spec("cabinet", 0.1, (0.3, 0.45)),
        _spec("table", 0.3, (0.18, 0.28)), _spec("lamp", 0.35, (0.15, 0.25)), _spec("plant", 0.15, (0.12, 0.22)),
        _spec("cup", 0.1, (0.07, 0.1)))),
    "office": SceneConfig("office", (
        _spec("window", 0.6, (0.2, 0.35)), _spec("door", 0.5, (0.45, 0.6)), _spec("painting", 0.3, (0.1, 0.2)),
        _spec("clock", 0.05, (0.1, 0.14)), _spec("cabinet", 0.7, (0.3, 0.5)),
        _spec("table", 0.9, (0.25, 0.38), (1, 2)), _spec("lamp", 0.35, (0.15, 0.25)),
        _spec("plant", 0.3, (0.12, 0.22)), _spec("cup", 0.3, (0.07, 0.1)))),
}


def scene_config(name: str, **overrides) -> SceneConfig:
    """A named config, optionally with fields replaced (e.g. n_train=256 for smoke)."""
    if name not in SCENE_CONFIGS:
        raise ValueError(f"unknown scene config {name!r}; valid: {', '.join(SCENE_CONFIGS)}")
    return replace(SCENE_CONFIGS[name], **overrides)


SPLIT_ID = {"train": 0, "test": 1}
UNPAINTED = 255                           # mask value before any class paints a pixel


def _name_seed(name: str) -> int:
    """Configs differ in their random streams too: scene i of "office" shares no draws with "bedroom"'s."""
    return int(hashlib.sha256(name.encode()).hexdigest()[:8], 16)


def draw_scene(cfg: SceneConfig, split: str, index: int) -> tuple:
    """One scene: (image (S, S, 3) uint8, mask (S, S) uint8 class ids), from its own seeded generator."""
    s = cfg.size
    cv = Canvas(np.zeros((s, s, 3)), np.full((s, s), UNPAINTED, np.uint8),
                np.random.default_rng([cfg.seed, SPLIT_ID[split], index, _name_seed(cfg.name)]))
    paint_background(cv, cfg.horizon, cfg.p_ceiling)
    specs = {o.name: o for o in cfg.objects}
    for name in ORDER:
        spec = specs.get(name)
        if spec is None or cv.rng.random() >= spec.p:
            continue
        for _ in range(int(cv.rng.integers(spec.count[0], spec.count[1] + 1))):
            DRAW[name](cv, spec)
    if (cv.mask == UNPAINTED).any():      # the bands cover the image, so this is a bug, never bad input
        raise AssertionError(f"scene {split}/{index} of {cfg.name!r} has unpainted pixels")
    return np.round(cv.img * 255).astype(np.uint8), cv.mask


def generate(cfg: SceneConfig, split: str, progress: bool = True) -> tuple:
    """All scenes of a split: (images (N, 3, S, S) uint8, masks (N, S, S) uint8) as torch tensors."""
    if split not in SPLIT_ID:
        raise ValueError(f"unknown split {split!r}; valid: {', '.join(SPLIT_ID)}")
    n = cfg.n_train if split == "train" else cfg.n_test
    imgs = np.empty((n, cfg.size, cfg.size, 3), np.uint8)
    masks = np.empty((n, cfg.size, cfg.size), np.uint8)
    for i in tqdm(range(n), desc=f"scenes {cfg.name} {split}", disable=not progress, leave=False):
        imgs[i], masks[i] = draw_scene(cfg, split, i)
    return torch.from_numpy(imgs).permute(0, 3, 1, 2).contiguous(), torch.from_numpy(masks)


# ------------------------------------------------------------------ the data layer's view
# Dataset names -> configs. "-small" is the smoke size (seconds to draw); the full size is the cpu one.
SCENE_DATASETS = {
    "scenes-bedroom": scene_config("bedroom"),
    "scenes-office": scene_config("office"),
    "scenes-bedroom-small": scene_config("bedroom", n_train=512, n_test=256),
    "scenes-office-small": scene_config("office", n_train=512, n_test=256),
}


def scenes_file(cfg: SceneConfig, cache_dir) -> Path:
    return Path(cache_dir) / "scenes" / f"{cfg.name}-{cfg.size}px-{cfg.n_train}-{cfg.n_test}-{cfg.key()}.npz"


def write_scenes(cfg: SceneConfig, path: Path, progress: bool = True) -> Path:
    """Draw both splits once and store them: uint8 NHWC images, uint8 masks, the config as JSON."""
    arrays = {"config": np.array(json.dumps(asdict(cfg), sort_keys=True)), "classes": np.array(CLASSES)}
    for split in SPLIT_ID:
        imgs, masks = generate(cfg, split, progress)
        arrays[f"{split}_images"] = imgs.permute(0, 2, 3, 1).numpy()
        arrays[f"{split}_masks"] = masks.numpy()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")     # atomic: parallel test workers share it
    np.savez_compressed(tmp, **arrays)
    tmp.replace(path)
    return path


def load_scenes(name: str, split: str = "train", progress: bool = True) -> ImageSet:
    """A scenes dataset as an `ImageSet` with `masks` (N, S, S) uint8; drawn into the cache on first use.

    Scenes are unconditional: one label, 0, for every image (the scene type is the dataset's name).
    """
    if name not in SCENE_DATASETS:
        raise ValueError(f"unknown scenes dataset {name!r}; valid: {', '.join(SCENE_DATASETS)}")
    if split not in SPLIT_ID:
        raise ValueError(f"unknown split {split!r}; valid: {', '.join(SPLIT_ID)}")
    cfg = SCENE_DATASETS[name]
    path = scenes_file(cfg, cache_root())
    if not path.exists():
        write_scenes(cfg, path, progress)
    try:
        with np.load(path, allow_pickle=False) as z:
            images, masks = z[f"{split}_images"], z[f"{split}_masks"]
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile) as e:
        raise DataError(f"damaged scenes file {path}: {type(e).__name__}: {e}. Delete it; it is redrawn "
                        "from its config on the next load.") from e
    x = torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2)))
    y = torch.zeros(len(x), dtype=torch.int64)
    card = make_card(name, split, x, y, 1, f"procedural:scenes-v{SCENE_CODE_VERSION}-{cfg.key()}", str(path))
    return ImageSet(x, y, [cfg.name], card, masks=torch.from_numpy(masks), mask_classes=list(CLASSES))
