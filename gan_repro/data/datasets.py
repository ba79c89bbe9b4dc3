"""Datasets: MNIST, Fashion-MNIST, CIFAR-10/100 (official or subset), any npz; each with a card.

Every loader returns an `ImageSet`: uint8 NCHW images, int64 labels, class names and a `DatasetCard`
(name, split, N, per-class counts, source, sha256 of the pixels) that goes into every result's provenance.
Missing or damaged files raise `DataError` naming every path tried; nothing falls back silently.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import stat
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from gan_repro.data.images import check_uint8_images

MNIST_CLASSES = [str(i) for i in range(10)]
FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                   "Sneaker", "Bag", "Ankle boot"]
HOW_TO_GET = ("Set GAN_REPRO_DATA to a folder holding the data (on the project machines: "
              "GAN_REPRO_DATA=../shared/data), or pass download=True to fetch the official files "
              "with torchvision (internet needed).")


class DataError(RuntimeError):
    """Missing or damaged data; the message names the paths tried and how to obtain the data."""


@dataclass(frozen=True)
class DatasetCard:
    name: str
    split: str
    n: int
    class_counts: tuple
    source: str          # "official" (full files) or "subset:<file>" or "npz:<file>"
    sha256: str          # of the uint8 NCHW pixel bytes
    path: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class ImageSet:
    images: torch.Tensor            # (N, C, H, W) uint8
    labels: torch.Tensor            # (N,) int64
    classes: list = field(default_factory=list)
    card: DatasetCard | None = None
    masks: torch.Tensor | None = None       # (N, H, W) uint8 class ids, for datasets with exact masks
    mask_classes: list = field(default_factory=list)   # the mask ids' names

    def __len__(self) -> int:
        return len(self.images)


def data_root(root: str | os.PathLike | None = None) -> Path:
    """The data root: explicit argument, else $GAN_REPRO_DATA, else ./data."""
    if root is not None:
        return Path(root).expanduser().resolve()
    env = os.environ.get("GAN_REPRO_DATA")
    return Path(env).expanduser().resolve() if env else Path("data").resolve()


def cache_root() -> Path:
    """Where caches live: $GAN_REPRO_CACHE, else <data root>/cache when writable, else ~/.cache/gan_repro.

    Caches are keyed by content hashes, so any of these can be shared or deleted at will.
    """
    if os.environ.get("GAN_REPRO_CACHE"):
        return Path(os.environ["GAN_REPRO_CACHE"])
    d = data_root() / "cache"
    probe = d.parent                                   # the data root decides, not a cache folder in it
    # os.access alone says yes to root even for a folder marked read-only (dr-xr-xr-x, like a
    # shared data root): honour the owner-write bit too, so shared data is never written into.
    if probe.exists() and os.access(probe, os.W_OK) and probe.stat().st_mode & stat.S_IWUSR:
        return d
    return Path.home() / ".cache" / "gan_repro"


def save_atomic(obj, path: Path) -> Path:
    """torch.save through a per-process temporary file, then a rename: parallel test workers share the
    caches, and no reader ever sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    torch.save(obj, tmp)
    tmp.replace(path)
    return path


def make_card(name: str, split: str, images: torch.Tensor, labels: torch.Tensor, n_classes: int,
              source: str, path: str = "") -> DatasetCard:
    counts = torch.bincount(labels, minlength=n_classes).tolist()
    digest = hashlib.sha256(images.contiguous().numpy().tobytes()).hexdigest()
    return DatasetCard(name, split, len(images), tuple(counts), source, digest, path)


# ---------------------------------------------------------------- MNIST-style idx files
def _read_idx(path: Path, magic: int, n_dims: int) -> np.ndarray:
    """Read an uncompressed idx file, checking its magic number and its exact size."""
    raw = path.read_bytes()
    if len(raw) < 4 + 4 * n_dims:
        raise DataError(f"damaged idx file {path}: only {len(raw)} bytes")
    got_magic = int.from_bytes(raw[:4], "big")
    if got_magic != magic:
        raise DataError(f"damaged idx file {path}: magic number {got_magic}, expected {magic}")
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(n_dims)]
    want = 4 + 4 * n_dims + int(np.prod(dims))
    if len(raw) != want:
        raise DataError(f"damaged idx file {path}: {len(raw)} bytes, header {dims} needs {want}; "
                        "re-download it")
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * n_dims).reshape(dims)


def _load_mnist_like(name: str, folder: str, classes: list, split: str, root: Path,
                     download: bool) -> ImageSet:
    prefix = {"train": "train", "test": "t10k"}[split]
    raw = root / folder / "raw"
    img_path = raw / f"{prefix}-images-idx3-ubyte"
    lab_path = raw / f"{prefix}-labels-idx1-ubyte"
    if not (img_path.exists() and lab_path.exists()) and download:
        import torchvision  # checks the official md5 sums while downloading
        cls = {"MNIST": torchvision.datasets.MNIST, "FashionMNIST": torchvision.datasets.FashionMNIST}
        cls[folder](str(root), train=split == "train", download=True)
    missing = [str(p) for p in (img_path, lab_path) if not p.exists()]
    if missing:
        raise DataError(f"{name} {split}: missing files {missing}. {HOW_TO_GET}")
    images = _read_idx(img_path, 2051, 3)[:, None]          # (N, 1, 28, 28)
    labels = _read_idx(lab_path, 2049, 1).astype(np.int64)   # (N,)
    if len(images) != len(labels):
        raise DataError(f"damaged {name}: {len(images)} images but {len(labels)} labels")
    x, y = torch.from_numpy(images.copy()), torch.from_numpy(labels)
    card = make_card(name, split, x, y, len(classes), "official", str(raw))
    return ImageSet(x, y, classes, card)


# ---------------------------------------------------------------- CIFAR
_CIFAR = {
    "cifar10": dict(folder="cifar-10-batches-py", subset="cifar10-subset.npz",
                    train=[f"data_batch_{i}" for i in range(1, 6)], test=["test_batch"],
                    label_key=b"labels", meta=("batches.meta", b"label_names")),
    "cifar100": dict(folder="cifar-100-python", subset="cifar100-subset.npz",
                     train=["train"], test=["test"], label_key=b"fine_labels",
                     meta=("meta", b"fine_label_names")),
}


def _load_cifar_official(name: str, split: str, folder: Path) -> ImageSet:
    spec = _CIFAR[name]
    xs, ys = [], []
    for fname in spec[split]:
        try:
            with open(folder / fname, "rb") as f:
                d = pickle.load(f, encoding="bytes")
        except (pickle.UnpicklingError, EOFError, ValueError) as e:
            raise DataError(f"damaged CIFAR file {folder / fname}: {e}") from e
        xs.append(np.asarray(d[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32))
        ys.append(np.asarray(d[spec["label_key"]], dtype=np.int64))
    with open(folder / spec["meta"][0], "rb") as f:
        classes = [c.decode() for c in pickle.load(f, encoding="bytes")[spec["meta"][1]]]
    x, y = torch.from_numpy(np.concatenate(xs)), torch.from_numpy(np.concatenate(ys))
    return ImageSet(x, y, classes, make_card(name, split, x, y, len(classes), "official", str(folder)))


def _load_cifar(name: str, split: str, root: Path, download: bool, source: str) -> ImageSet:
    spec = _CIFAR[name]
    official = root / spec["folder"]
    subset = root / "cifar" / spec["subset"]
    if source in ("auto", "official") and not official.exists() and download:
        import torchvision
        cls = {"cifar10": torchvision.datasets.CIFAR10, "cifar100": torchvision.datasets.CIFAR100}
        cls[name](str(root), train=split == "train", download=True)
    if source in ("auto", "official") and official.exists():
        return _load_cifar_official(name, split, official)
    if source in ("auto", "subset") and subset.exists():
        s = load_npz(subset, split, name=name)
        s.card = DatasetCard(**{**s.card.as_dict(), "source": f"subset:{subset.name}"})
        return s
    tried = {"auto": [official, subset], "official": [official], "subset": [subset]}[source]
    raise DataError(f"{name} {split}: none of {[str(p) for p in tried]} exists. {HOW_TO_GET}")


# ---------------------------------------------------------------- generic npz
def load_npz(path: str | os.PathLike, split: str, name: str | None = None) -> ImageSet:
    """Load `{split}_images` (uint8 NHWC or NCHW) and `{split}_labels` from an npz file."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"npz file not found: {path}")
    try:
        with np.load(path, allow_pickle=False) as z:
            keys = set(z.files)
            need = {f"{split}_images", f"{split}_labels"}
            if not need <= keys:
                raise DataError(f"{path}: needs keys {sorted(need)}, has {sorted(keys)}")
            images, labels = z[f"{split}_images"], z[f"{split}_labels"]
            classes = [str(c) for c in z["classes"]] if "classes" in keys else []
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
        raise DataError(f"damaged npz file {path}: {type(e).__name__}: {e}") from e
    if images.dtype != np.uint8 or images.ndim != 4:
        raise DataError(f"{path}: {split}_images must be uint8 4-D, got {images.dtype} {images.shape}")
    if images.shape[-1] in (1, 3) and images.shape[1] not in (1, 3):
        images = images.transpose(0, 3, 1, 2)                 # NHWC -> NCHW
    x = torch.from_numpy(np.ascontiguousarray(images))
    y = torch.from_numpy(labels.astype(np.int64))
    if len(x) != len(y):
        raise DataError(f"{path}: {len(x)} images but {len(y)} labels")
    n_classes = len(classes) or int(y.max().item()) + 1
    card = make_card(name or path.stem, split, x, y, n_classes, f"npz:{path.name}", str(path))
    return ImageSet(x, y, classes, card)


def save_npz(path: str | os.PathLike, splits: dict, classes: list | None = None) -> Path:
    """Write {split: ImageSet} as `{split}_images` (uint8 NHWC) and `{split}_labels`."""
    arrays = {}
    for split, s in splits.items():
        check_uint8_images(s.images)
        arrays[f"{split}_images"] = s.images.permute(0, 2, 3, 1).numpy()
        arrays[f"{split}_labels"] = s.labels.numpy()
    if classes:
        arrays["classes"] = np.array(classes)
    np.savez_compressed(path, **arrays)
    return Path(path)


# ---------------------------------------------------------------- registry
DATASETS = ("mnist", "fashion-mnist", "cifar10", "cifar100")   # the image datasets read from files
# The procedural scenes of GAN Seeing (gan_repro.data.scenes): drawn into the cache, no files needed.
SCENES = ("scenes-bedroom", "scenes-office", "scenes-bedroom-small", "scenes-office-small")


def load_dataset(name: str, split: str = "train", root=None, download: bool = False,
                 source: str = "auto") -> ImageSet:
    """Load a named dataset split: one of DATASETS or SCENES. `source` for CIFAR: auto | official | subset."""
    if name not in DATASETS + SCENES:
        raise ValueError(f"unknown dataset {name!r}; valid: {', '.join(DATASETS + SCENES)}")
    if split not in ("train", "test"):
        raise ValueError(f"unknown split {split!r}; valid: train, test")
    if source not in ("auto", "official", "subset"):
        raise ValueError(f"unknown source {source!r}; valid: auto, official, subset")
    if name in SCENES:
        from gan_repro.data.scenes import load_scenes
        return load_scenes(name, split)
    r = data_root(root)
    if name == "mnist":
        return _load_mnist_like("mnist", "MNIST", MNIST_CLASSES, split, r, download)
    if name == "fashion-mnist":
        return _load_mnist_like("fashion-mnist", "FashionMNIST", FASHION_CLASSES, split, r, download)
    return _load_cifar(name, split, r, download, source)


def balanced_subsample(labels: torch.Tensor, n_per_class: int, generator: torch.Generator) -> torch.Tensor:
    """Indices of `n_per_class` items of every class, drawn without replacement with `generator`.

    Works on real or generated sets (any int64 label vector). Errors if a class has too few items.
    """
    labels = torch.as_tensor(labels)
    out = []
    for c in torch.unique(labels).tolist():
        idx = torch.nonzero(labels == c).flatten()
        if len(idx) < n_per_class:
            raise ValueError(f"class {c} has {len(idx)} items, fewer than n_per_class={n_per_class}")
        out.append(idx[torch.randperm(len(idx), generator=generator)[:n_per_class]])
    return torch.sort(torch.cat(out)).values
