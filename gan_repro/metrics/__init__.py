"""Metric suite: features -> statistics -> metric, a registry by name, and `evaluate`."""
from gan_repro.metrics.evaluate import METRICS, evaluate, register_metric, sample
from gan_repro.metrics.features import (
    InceptionExtractor, InceptionLogits, default_cache_dir, extract_features, feature_stats, find_weights,
)
from gan_repro.metrics.frechet import FrechetResult, frechet_distance
from gan_repro.metrics.inception_score import inception_score, m_inception_score
from gan_repro.metrics.kernel import kid, mmd_gaussian
from gan_repro.metrics.prdc import prdc
from gan_repro.metrics.ssim import SMALL, STANDARD, ms_ssim, ms_ssim_diversity, ssim
from gan_repro.metrics.swd import swd

__all__ = [
    "METRICS", "SMALL", "STANDARD", "FrechetResult", "InceptionExtractor", "InceptionLogits",
    "default_cache_dir", "evaluate",
    "extract_features", "feature_stats", "find_weights", "frechet_distance", "inception_score", "kid",
    "m_inception_score", "mmd_gaussian", "ms_ssim", "ms_ssim_diversity", "prdc", "register_metric",
    "sample", "ssim", "swd",
]
