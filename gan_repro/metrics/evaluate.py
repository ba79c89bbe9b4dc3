"""One entry point: evaluate(fake, real, metrics=[...]) computes shared features once, returns a record.

`fake` and `real` may be uint8 image tensors (N, C, H, W), `ImageSet`s, or (fake only) a generator
callable `g(n, generator) -> images` or `-> (images, labels)`, images uint8 or float in [-1, 1].
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import torch

from gan_repro.data import ImageSet, check_uint8_images, to_uint8
from gan_repro.metrics.features import cached_features, feature_stats
from gan_repro.metrics.frechet import frechet_distance
from gan_repro.metrics.inception_score import inception_score, m_inception_score
from gan_repro.metrics.kernel import kid, mmd_gaussian
from gan_repro.metrics.prdc import prdc
from gan_repro.metrics.ssim import ms_ssim_diversity
from gan_repro.metrics.swd import swd


@dataclass
class Context:
    """Inputs plus lazily computed, shared intermediate results (features, classifier logits)."""
    fake: torch.Tensor
    fake_labels: torch.Tensor | None
    real: torch.Tensor | None
    extractor: object
    classifier: object
    seed: int
    batch_size: int
    cache_dir: object
    progress: bool
    n_ssim_pairs: int
    real_labels: torch.Tensor | None = None
    classifier_config: object = None
    segmenter: object = None
    _memo: dict = field(default_factory=dict)

    def gen(self, salt: int) -> torch.Generator:
        """A fresh generator per metric, so that adding a metric never changes another's value."""
        return torch.Generator().manual_seed(self.seed * 1000 + salt)

    def need_real(self, metric: str) -> torch.Tensor:
        if self.real is None:
            raise ValueError(f"metric {metric!r} needs real images")
        return self.real

    def features(self, side: str) -> torch.Tensor:
        if self.extractor is None:
            raise ValueError("feature metrics need an extractor (gan_repro.metrics.InceptionExtractor())")
        if side not in self._memo:
            imgs = self.fake if side == "fake" else self.need_real("features")
            self._memo[side] = cached_features(imgs, self.extractor, self.batch_size, self.cache_dir,
                                               self.progress)
        return self._memo[side]

    def logits(self) -> torch.Tensor:
        if self.classifier is None:
            raise ValueError("IS and m-IS need a classifier (any callable uint8 images -> logits, "
                             "with a .name attribute saying what it is)")
        if "logits" not in self._memo:
            self._memo["logits"] = torch.cat([self.classifier(self.fake[i:i + self.batch_size])
                                              for i in range(0, len(self.fake), self.batch_size)])
        return self._memo["logits"]


def _fid(ctx):
    r = frechet_distance(*feature_stats(ctx.features("fake")), *feature_stats(ctx.features("real")))
    return {"fid": r.value, "fid_mean_term": r.mean_term, "fid_trace_term": r.trace_term}


def _kid(ctx):
    r = kid(ctx.features("fake"), ctx.features("real"), generator=ctx.gen(1))
    return {"kid": r.mean, "kid_std": r.std, "kid_subset_size": r.subset_size}


def _mmd(ctx):
    v, s = mmd_gaussian(ctx.features("fake"), ctx.features("real"))
    return {"mmd": v, "mmd_bandwidth": s}


def _swd(ctx):
    real = ctx.need_real("swd")
    n = min(len(real), len(ctx.fake))
    return swd(ctx.fake[:n], real[:n], generator=ctx.gen(2))


def _prdc(ctx):
    return prdc(ctx.features("real"), ctx.features("fake"), k=3)


def _is(ctx):
    r = inception_score(ctx.logits(), kind="logits", generator=ctx.gen(3))
    return {"is": r.mean, "is_std": r.std, "is_classifier": ctx.classifier.name}


def _need_fake_labels(ctx, what):
    if ctx.fake_labels is None:
        raise ValueError(f"{what} needs class labels for the fake images (a conditional generator)")


def _m_is(ctx):
    _need_fake_labels(ctx, "m_is")
    return {"m_is": m_inception_score(ctx.logits(), ctx.fake_labels, kind="logits"),
            "is_classifier": ctx.classifier.name}


def _gan_test(ctx):
    """GAN-test: ctx.classifier must be a Scorer whose model was trained on real train images."""
    from gan_repro.metrics.gan_train_test import gan_test
    _need_fake_labels(ctx, "gan_test")
    if ctx.classifier is None:
        raise ValueError("gan_test needs classifier=Scorer(model trained on real train images, name)")
    model = ctx.classifier.model
    return {"gan_test": gan_test(ctx.fake, ctx.fake_labels, model, model_classes(model)),
            "gan_test_classifier": ctx.classifier.name}


def _gan_train(ctx):
    """GAN-train: trains ctx.classifier_config on the fakes; `real` must be the real TEST set (labelled)."""
    from gan_repro.metrics.gan_train_test import gan_train
    _need_fake_labels(ctx, "gan_train")
    if ctx.classifier_config is None or ctx.real_labels is None:
        raise ValueError("gan_train needs classifier_config= and real= a labelled real test set (ImageSet)")
    acc = gan_train(ctx.fake, ctx.fake_labels, ImageSet(ctx.real, ctx.real_labels), ctx.classifier_config)
    return {"gan_train": acc, "gan_train_classifier": ctx.classifier_config.arch}


def model_classes(model: torch.nn.Module) -> int:
    """Number of classes of a classifier: the size of its last linear layer."""
    last = [m for m in model.modules() if isinstance(m, torch.nn.Linear)][-1]
    return last.out_features


def _ms_ssim(ctx):
    return {"ms_ssim": ms_ssim_diversity(ctx.fake, ctx.fake_labels, ctx.n_ssim_pairs, ctx.gen(4))}


def _fsd(ctx):
    """FSD (Bau et al. 2019): ctx.segmenter maps uint8 images to (N, H, W) class ids, with .n_classes."""
    from gan_repro.metrics.segment_stats import fsd, segment_stats
    if ctx.segmenter is None:
        raise ValueError("fsd needs segmenter= (a callable uint8 images -> masks, with .n_classes and .name)")
    k = ctx.segmenter.n_classes
    r = fsd(segment_stats(ctx.segmenter(ctx.fake), k), segment_stats(ctx.segmenter(ctx.need_real("fsd")), k))
    return {"fsd": r.value, "fsd_mean_term": r.mean_term, "fsd_trace_term": r.trace_term,
            "fsd_segmenter": ctx.segmenter.name}


METRICS: dict = {"fid": _fid, "kid": _kid, "mmd": _mmd, "swd": _swd, "prdc": _prdc, "is": _is,
                 "m_is": _m_is, "ms_ssim": _ms_ssim, "gan_train": _gan_train, "gan_test": _gan_test,
                 "fsd": _fsd}


def register_metric(name: str, fn: Callable) -> None:
    """Add a metric `fn(ctx) -> dict`; names are unique."""
    if name in METRICS:
        raise ValueError(f"metric {name!r} is already registered")
    METRICS[name] = fn


def _as_images(x, n, what) -> tuple:
    """ImageSet / uint8 tensor / float tensor in [-1, 1] -> (uint8 images, labels or None), first n."""
    labels = None
    if isinstance(x, ImageSet):
        x, labels = x.images, x.labels
    elif isinstance(x, tuple):
        x, labels = x
    if isinstance(x, torch.Tensor) and x.is_floating_point():
        x = to_uint8(x)
    check_uint8_images(x, what)
    if n is not None:
        if len(x) < n:
            raise ValueError(f"{what}: asked for n={n} images, only {len(x)} available")
        x, labels = x[:n], None if labels is None else labels[:n]
    if len(x) < 2:
        raise ValueError(f"{what}: need at least 2 images, got {len(x)}")
    return x, labels


def sample(generator_fn: Callable, n: int, seed: int, like: torch.Tensor | None = None) -> tuple:
    """Call g(n, torch.Generator) and check what comes back: (n, C, H, W) images, like `like`'s C, H, W."""
    out = generator_fn(n, torch.Generator().manual_seed(seed))
    imgs, labels = _as_images(out, None, "generator output")
    if len(imgs) != n or (like is not None and imgs.shape[1:] != like.shape[1:]):
        want = f"({n}, {', '.join(map(str, like.shape[1:]))})" if like is not None else f"({n}, C, H, W)"
        raise ValueError(f"generator returned shape {tuple(imgs.shape)}, expected {want}")
    return imgs, labels


def evaluate(fake, real=None, metrics=("fid",), extractor=None, n: int | None = None, seed: int = 0,
             batch_size: int = 50, classifier=None, cache_dir=None, progress: bool = True,
             n_ssim_pairs: int = 500, real_features: torch.Tensor | None = None,
             classifier_config=None, segmenter=None) -> dict:
    """Compute `metrics` (names from METRICS) of fake vs real; returns one flat record.

    real_features: (N_real, D) features of `real` from the same extractor, to reuse one reference
    across many fakes; their count must match the real images.
    classifier / classifier_config: the IS, GAN-test (Scorer of a real-trained model) and GAN-train
    (ClassifierConfig trained on the fakes, tested on `real`, the labelled real test set) classifiers.
    segmenter: for FSD, uint8 images -> (N, H, W) class ids (e.g. `gan_repro.seeing.Segmenter`).
    """
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        raise ValueError(f"unknown metrics {unknown}; valid: {', '.join(METRICS)}")
    real_imgs, real_labels = (None, None) if real is None else _as_images(real, n, "real")
    if callable(fake) and not isinstance(fake, torch.Tensor):
        if n is None:
            raise ValueError("a generator callable needs n (how many images to draw)")
        fake_imgs, fake_labels = sample(fake, n, seed, real_imgs)
    else:
        fake_imgs, fake_labels = _as_images(fake, n, "fake")
    if real_features is not None and (real_imgs is None or len(real_features) != len(real_imgs)):
        raise ValueError("real_features must hold one row per real image")
    ctx = Context(fake_imgs, fake_labels, real_imgs, extractor, classifier, seed, batch_size,
                  cache_dir, progress, n_ssim_pairs, real_labels, classifier_config, segmenter)
    if real_features is not None:          # a precomputed reference: the real side is never extracted
        ctx._memo["real"] = real_features
    record = {"n_fake": len(fake_imgs), "n_real": None if real_imgs is None else len(real_imgs),
              "seed": seed}
    if extractor is not None:
        record.update(extractor=extractor.id, mode=extractor.mode, weights_sha256=extractor.info.sha256)
    for name in metrics:
        record.update(METRICS[name](ctx))
    return record
