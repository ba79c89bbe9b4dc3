"""Data layer: datasets with cards, the uint8 <-> [-1, 1] convention, subsampling, corruptions."""
from gan_repro.data.corruptions import CORRUPTIONS, corrupt, gaussian_blur, gaussian_noise, salt_and_pepper
from gan_repro.data.datasets import (
    DATASETS, SCENES, DataError, DatasetCard, ImageSet, balanced_subsample, cache_root, data_root, load_dataset,
    load_npz, make_card, save_atomic, save_npz,
)
from gan_repro.data.images import check_float_images, check_uint8_images, to_model, to_rgb, to_uint8

__all__ = [
    "CORRUPTIONS", "DATASETS", "SCENES", "DataError", "DatasetCard", "ImageSet", "balanced_subsample", "cache_root",
    "check_float_images", "check_uint8_images", "corrupt", "data_root", "gaussian_blur", "gaussian_noise",
    "load_dataset", "load_npz", "make_card", "salt_and_pepper", "save_atomic", "save_npz", "to_model", "to_rgb",
    "to_uint8",
]
