"""In-project classifiers: the MNIST 4-layer convnet of *How good is my GAN?* and a small CIFAR ResNet.

They serve GAN-train/GAN-test and, where the Inception logits are absent, the Inception Score (the
result then names the classifier). Training is seeded, uses stated augmentation, and a trained model
is cached by config hash + training-data fingerprint, so a cache hit can never be another model.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F
from tqdm.auto import tqdm

from gan_repro.data import ImageSet, cache_root, check_uint8_images, save_atomic, to_model


@dataclass(frozen=True)
class ClassifierConfig:
    arch: str                   # "convnet4" (MNIST-style, 28 px) | "resnet" (CIFAR, 32 px)
    in_channels: int
    n_classes: int
    width: int = 32             # channels of the first stage
    epochs: int = 5
    batch_size: int = 128
    lr: float = 1e-3            # Adam
    weight_decay: float = 5e-4
    augment: str = "shift2"     # "none" | "shift2" (random +-2 px shift) | "crop4flip" (pad-4 crop + h-flip);
                                # one shift per batch, flips per image. "crop4flip-each": a crop per image too
    seed: int = 0


class ConvNet4(nn.Module):
    """conv(32) - conv(64) - maxpool - fc(128) - fc(K), dropout: the classic 4-layer MNIST convnet."""

    def __init__(self, cfg: ClassifierConfig):
        super().__init__()
        w = cfg.width
        self.c1 = nn.Conv2d(cfg.in_channels, w, 3, padding=1)
        self.c2 = nn.Conv2d(w, 2 * w, 3, padding=1)
        self.f1 = nn.LazyLinear(128)
        self.f2 = nn.Linear(128, cfg.n_classes)

    def forward(self, x):                                   # x: (B, C, H, W) in [-1, 1]
        x = F.max_pool2d(F.relu(self.c2(F.relu(self.c1(x)))), 2)   # (B, 2w, H/2, W/2)
        x = F.dropout(x.flatten(1), 0.25, self.training)
        return self.f2(F.dropout(F.relu(self.f1(x)), 0.5, self.training))   # (B, K) logits


class _Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.skip = nn.Sequential() if stride == 1 and cin == cout else nn.Sequential(
            nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        return F.relu(self.b2(self.c2(F.relu(self.b1(self.c1(x))))) + self.skip(x))


class ResNetSmall(nn.Module):
    """ResNet-8-style CIFAR net: stem + 3 stages of one basic block (w, 2w, 4w) + global pool + fc.

    The paper used ResNet-56; this is the named, fast stand-in for the 2-core `cpu` profile.
    """

    def __init__(self, cfg: ClassifierConfig):
        super().__init__()
        w = cfg.width
        self.stem = nn.Sequential(nn.Conv2d(cfg.in_channels, w, 3, 1, 1, bias=False),
                                  nn.BatchNorm2d(w), nn.ReLU())
        self.stages = nn.Sequential(_Block(w, w, 1), _Block(w, 2 * w, 2), _Block(2 * w, 4 * w, 2))
        self.fc = nn.Linear(4 * w, cfg.n_classes)

    def forward(self, x):                                   # (B, C, 32, 32) -> (B, K)
        return self.fc(self.stages(self.stem(x)).mean(dim=(2, 3)))


ARCHS = {"convnet4": ConvNet4, "resnet": ResNetSmall}


def build(cfg: ClassifierConfig) -> nn.Module:
    if cfg.arch not in ARCHS:
        raise ValueError(f"unknown classifier arch {cfg.arch!r}; valid: {', '.join(ARCHS)}")
    return ARCHS[cfg.arch](cfg)


AUGMENTS = {"none": 0, "shift2": 2, "crop4flip": 4, "crop4flip-each": 4}   # kind -> padding (px)


def augment(x: torch.Tensor, kind: str, g: torch.Generator) -> torch.Tensor:
    """Seeded augmentation of float (B, C, H, W) batches."""
    if kind not in AUGMENTS:
        raise ValueError(f"unknown augment {kind!r}; valid: {', '.join(AUGMENTS)}")
    if kind == "none":
        return x
    pad = AUGMENTS[kind]
    b, c, h, w = x.shape
    xp = F.pad(x, (pad,) * 4, value=-1.0)                   # pad with black
    if kind == "crop4flip-each":                            # (B,) offsets: each image its own crop
        dy, dx = torch.randint(0, 2 * pad + 1, (2, b), generator=g)
        rows = (dy[:, None] + torch.arange(h))[:, None, :, None]      # (B, 1, H, 1)
        cols = (dx[:, None] + torch.arange(w))[:, None, None, :]      # (B, 1, 1, W)
        out = xp[torch.arange(b)[:, None, None, None], torch.arange(c)[None, :, None, None], rows, cols]
    else:
        dy, dx = torch.randint(0, 2 * pad + 1, (2,), generator=g).tolist()   # one shift per batch
        out = xp[:, :, dy:dy + h, dx:dx + w]
    if kind.startswith("crop4flip"):
        flip = torch.rand(b, generator=g) < 0.5
        out = torch.where(flip[:, None, None, None], out.flip(3), out)
    return out


# Bump when training code changes what a config produces (2: seeding before the model is built).
TRAINING_CODE_VERSION = 2


def cache_key(cfg: ClassifierConfig, data: ImageSet) -> str:
    """Config + training-code version + pixels + labels: a hit is exactly the model training would give."""
    h = hashlib.sha256(json.dumps({**asdict(cfg), "code": TRAINING_CODE_VERSION}, sort_keys=True).encode())
    h.update(hashlib.sha256(data.images.contiguous().numpy().tobytes()).digest())
    h.update(hashlib.sha256(data.labels.numpy().tobytes()).digest())
    return f"{cfg.arch}-{h.hexdigest()[:24]}"


def fit_epochs(model: nn.Module, opt, n: int, batch_size: int, epochs: int, max_lr: float, batch_loss,
               g: torch.Generator, desc: str, progress: bool) -> None:
    """`epochs` seeded shuffles of n items in batches, one-cycle schedule; batch_loss(indices) -> loss."""
    steps = epochs * ((n + batch_size - 1) // batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=max_lr, total_steps=steps)
    model.train()
    bar = tqdm(total=steps, desc=desc, disable=not progress, leave=False)
    for _ in range(epochs):
        perm = torch.randperm(n, generator=g)
        for i in range(0, n, batch_size):
            loss = batch_loss(perm[i:i + batch_size])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            bar.update()
            bar.set_postfix(loss=f"{loss.item():.3f}")
    bar.close()


def train_classifier(cfg: ClassifierConfig, data: ImageSet, progress: bool = True,
                     cache: bool = True) -> nn.Module:
    """Train (or load from cache) a classifier on uint8 `data`; returns it in eval mode."""
    check_uint8_images(data.images, "training images")
    torch.manual_seed(cfg.seed)                             # before build: weight init, then dropout
    model = build(cfg)
    model(torch.zeros(1, cfg.in_channels, *data.images.shape[2:]))   # materialise lazy layers
    path = cache_root() / "classifiers" / f"{cache_key(cfg, data)}.pt"
    if cache and path.exists():
        model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
        return model.eval()
    g = torch.Generator().manual_seed(cfg.seed)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)

    def batch_loss(idx):
        x = augment(to_model(data.images[idx]), cfg.augment, g)
        return F.cross_entropy(model(x), data.labels[idx])

    fit_epochs(model, opt, len(data), cfg.batch_size, cfg.epochs, cfg.lr, batch_loss, g, f"train {cfg.arch}", progress)
    model.eval()
    if cache:
        save_atomic(model.state_dict(), path)
    return model


@torch.inference_mode()
def predict_logits(model: nn.Module, images: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    """uint8 (N, C, H, W) -> (N, K) logits."""
    check_uint8_images(images)
    return torch.cat([model(to_model(images[i:i + batch_size])) for i in range(0, len(images), batch_size)])


def accuracy(model: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float:
    return float((predict_logits(model, images).argmax(1) == labels).double().mean())


class Scorer:
    """Wraps a classifier as the IS `classifier` of `evaluate`: uint8 images -> logits, with a name."""

    def __init__(self, model: nn.Module, name: str):
        self.model, self.name = model, name

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        return predict_logits(self.model, images)


def preset(dataset: str, epochs: int, seed: int = 0) -> ClassifierConfig:
    """The named classifier per dataset: convnet4 (+-2 px shifts) on MNIST-likes, ResNet on CIFAR with the
    standard recipe, a pad-4 crop and a flip per image (issue 18 part 5 measured its epoch curve)."""
    presets = {
        "mnist": dict(arch="convnet4", in_channels=1, n_classes=10, augment="shift2"),
        "fashion-mnist": dict(arch="convnet4", in_channels=1, n_classes=10, augment="shift2"),
        "cifar10": dict(arch="resnet", in_channels=3, n_classes=10, augment="crop4flip-each"),
        "cifar100": dict(arch="resnet", in_channels=3, n_classes=100, augment="crop4flip-each"),
    }
    if dataset not in presets:
        raise ValueError(f"no classifier preset for {dataset!r}; valid: {', '.join(presets)}")
    return ClassifierConfig(**presets[dataset], epochs=epochs, seed=seed)


# ------------------------------------------------------------------ a linear probe on Inception pool3 (E2)
@dataclass(frozen=True)
class ProbeConfig:
    """Softmax regression on standardised pool3 features: the ImageNet network's view of the classes."""
    n_classes: int
    l2: float = 1e-3            # on the weights; 2,048 features against a few thousand images need some
    steps: int = 100            # full-batch L-BFGS iterations (strong-Wolfe line search)
    seed: int = 0


class Probe(nn.Module):
    def __init__(self, mean: torch.Tensor, std: torch.Tensor, n_classes: int):
        super().__init__()
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)
        self.fc = nn.Linear(len(mean), n_classes)

    def forward(self, feats):                               # (N, D) pool3 features -> (N, K) logits
        return self.fc((feats - self.mean) / self.std)


def train_probe(feats: torch.Tensor, labels: torch.Tensor, cfg: ProbeConfig) -> Probe:
    """Fit the probe on (N, D) features and their labels; deterministic given cfg.seed."""
    if feats.ndim != 2 or len(feats) != len(labels) or len(feats) < 2:
        raise ValueError(f"need (N, D) features and N labels, N >= 2; got {tuple(feats.shape)}, {len(labels)}")
    if not torch.isfinite(feats).all():
        raise ValueError("probe features contain NaN or Inf")
    torch.manual_seed(cfg.seed)
    f = feats.double()
    probe = Probe(f.mean(0), f.std(0).clamp_min(1e-6), cfg.n_classes).double()
    opt = torch.optim.LBFGS(probe.fc.parameters(), max_iter=cfg.steps, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(probe(f), labels) + cfg.l2 * probe.fc.weight.pow(2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return probe.float().eval()


class ProbeScorer:
    """The probe as an IS `classifier`: uint8 images -> Inception pool3 -> logits, with a name."""

    def __init__(self, probe: Probe, extractor, name: str):
        self.probe, self.extractor, self.name = probe, extractor, name

    @torch.inference_mode()
    def from_features(self, feats: torch.Tensor) -> torch.Tensor:
        return self.probe(feats.float())

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        from gan_repro.metrics import extract_features
        return self.from_features(extract_features(images, self.extractor, progress=False))
