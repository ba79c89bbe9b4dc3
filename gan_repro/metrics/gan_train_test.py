"""GAN-train and GAN-test (Shmelkov et al. 2018, *How good is my GAN?*, sec. 3).

GAN-train: train a classifier on labelled generated images, report its accuracy on the REAL TEST set
(diversity / recall). GAN-test: train a classifier on the real training set, report its accuracy on
generated images labelled by their conditioning class (quality / precision). The reference is the
same classifier trained on real train and tested on real test.
"""
from __future__ import annotations

import torch

from gan_repro.classifiers import ClassifierConfig, accuracy, train_classifier
from gan_repro.data import ImageSet, check_uint8_images


def _check_labelled(images, labels, n_classes: int, what: str) -> None:
    check_uint8_images(images, what)
    if labels is None:
        raise ValueError(f"{what}: GAN-train/GAN-test need class labels; an unconditional generator has none")
    labels = torch.as_tensor(labels)
    if labels.shape != (len(images),):
        raise ValueError(f"{what}: need one label per image, got {tuple(labels.shape)} for {len(images)}")
    if labels.min() < 0 or labels.max() >= n_classes:
        raise ValueError(f"{what}: labels span [{int(labels.min())}, {int(labels.max())}], but the dataset "
                         f"has {n_classes} classes")


def gan_test(fake: torch.Tensor, fake_labels, real_classifier: torch.nn.Module, n_classes: int) -> float:
    """Accuracy of a classifier trained on real train images, on generated images."""
    _check_labelled(fake, fake_labels, n_classes, "generated images")
    return accuracy(real_classifier, fake, torch.as_tensor(fake_labels))


def gan_train(fake: torch.Tensor, fake_labels, real_test: ImageSet, cfg: ClassifierConfig,
              progress: bool = False, cache: bool = False) -> float:
    """Accuracy on the real test set of a classifier trained (seeded, cfg) on generated images.

    cache=True keeps the classifier under its config + data fingerprint (`train_classifier`): a study that
    trains on the same images twice, or is rerun after an interruption, loads it instead of retraining.
    """
    _check_labelled(fake, fake_labels, cfg.n_classes, "generated images")
    if fake.shape[1:] != real_test.images.shape[1:]:
        raise ValueError(f"generated images {tuple(fake.shape[1:])} differ from real ones "
                         f"{tuple(real_test.images.shape[1:])}")
    model = train_classifier(cfg, ImageSet(fake, torch.as_tensor(fake_labels)), progress=progress, cache=cache)
    return accuracy(model, real_test.images, real_test.labels)
