"""The studies of *How good is my GAN?* sec. 5: subsampling and corruption (A3-A5), generated-set size
(A6, Fig. 4) and GAN data augmentation (A7). All build on a `how_good.TableScorer` of one dataset.

Every classifier here is cached (config + data fingerprint): A3's fraction 1 and A4's level 0 train on the
same images, as do A5x's noisy row and A5's full pool, and an interrupted study resumes where it stopped.

Classifier budget: a GAN-train classifier on fewer images than the reference set gets proportionally
more epochs (capped at MAX_EPOCH_FACTOR x), so every point of a curve has about the same number of
optimiser steps; otherwise small sets would mostly measure under-training.
"""
from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
import torch
from tqdm.auto import tqdm

from gan_repro.classifiers import ClassifierConfig, accuracy, train_classifier
from gan_repro.data import ImageSet, corrupt
from gan_repro.metrics import extract_features, feature_stats, frechet_distance
from gan_repro.metrics.gan_train_test import gan_train

MAX_EPOCH_FACTOR = 10


def steps_matched(cfg: ClassifierConfig, n: int, n_ref: int) -> ClassifierConfig:
    """cfg with epochs scaled by n_ref / n (at most MAX_EPOCH_FACTOR x): equal optimiser steps."""
    factor = min(MAX_EPOCH_FACTOR, max(1.0, n_ref / n))
    return replace(cfg, epochs=math.ceil(cfg.epochs * factor))


def subset(s: ImageSet, idx: torch.Tensor) -> ImageSet:
    return ImageSet(s.images[idx], s.labels[idx])


def subsampling(scorer, fake: ImageSet, fractions: tuple) -> pd.DataFrame:
    """A3: keep a fraction of distinct generated images, repeated back to the full GAN-train size.

    GAN-train learns from fewer distinct images in as many steps; GAN-test is scored on the distinct ones.
    """
    n = scorer.tc.n_gan_train
    rows = []
    for f in tqdm(fractions, desc="subsampling"):
        k = max(scorer.tc.classifier.n_classes, round(n * f))
        distinct = subset(fake, torch.arange(k))                      # labels cycle, so still balanced
        rep = subset(distinct, torch.arange(n) % k)
        rows.append({"fraction": f, "n_distinct": k,
                     "gan_train": gan_train(rep.images, rep.labels, scorer.test, scorer.tc.classifier, cache=True),
                     "gan_test": accuracy(scorer.model, distinct.images, distinct.labels)})
    return pd.DataFrame(rows)


def salt_and_pepper(scorer, fake: ImageSet, levels: tuple, seed: int) -> pd.DataFrame:
    """A4: GAN-train and GAN-test of generated images with a fraction `level` of pixels set to 0 or 255."""
    n = scorer.tc.n_gan_train
    rows = []
    for lv in tqdm(levels, desc="salt and pepper"):
        x = fake.images[:n] if lv == 0 else corrupt(fake.images[:n], "salt_and_pepper", lv,
                                                    torch.Generator().manual_seed(seed))
        rows.append({"level": lv,
                     "gan_train": gan_train(x, fake.labels[:n], scorer.test, scorer.tc.classifier, cache=True),
                     "gan_test": accuracy(scorer.model, x, fake.labels[:n])})
    return pd.DataFrame(rows)


def real_noise(scorer, sigma: float, seed: int) -> pd.DataFrame:
    """A5: real images with Gaussian noise (0-255 scale) as if they were a GAN's output, next to clean.

    FID: (noisy) real test vs real train at the large table N. GAN-train: trained on the reference
    classifier's (noisy) real train images, tested on clean real test. GAN-test: the reference
    classifier on (noisy) real test images.
    """
    tc, rows = scorer.tc, []
    for s in (0.0, sigma):
        g = torch.Generator().manual_seed(seed)
        noisy = (lambda x: x) if s == 0 else (lambda x: corrupt(x, "gaussian_noise", s, g))
        # the same real images the reference classifier learned from, so sigma = 0 is exactly that row
        train_x, test_x = noisy(scorer.train.images[:tc.n_reference]), noisy(scorer.test.images)
        n = min(tc.n_fid[1], len(test_x))
        f = extract_features(test_x[:n], scorer.extractor, progress=False)
        fid = frechet_distance(*feature_stats(f), *feature_stats(scorer.real_feats[:n])).value
        labels = scorer.train.labels[:tc.n_reference]
        gtrain = scorer.real_acc if s == 0 else gan_train(train_x, labels, scorer.test, tc.classifier, cache=True)
        rows.append({"sigma": s, "fid": fid, "n_fid": n, "gan_train": gtrain,
                     "gan_test": accuracy(scorer.model, test_x, scorer.test.labels)})
    return pd.DataFrame(rows)


def diversity_loss(scorer, sigma: float, fraction: float, seed: int) -> pd.DataFrame:
    """A5 as PAPERS.md reads it: the noisy real train pool (sigma on the 0-255 scale) against a random
    `fraction` of it: the same image quality, a pure loss of diversity.

    - FID: N = n_fid[1] per side against the first N real *test* images (not train: the pool holds the
      train images themselves). The full side draws N pool images without replacement; the fraction
      holds fewer than N distinct images, so its side draws N with replacement (duplicates are the lost
      diversity);
    - GAN-train: the reference classifier's config trained on each set (the fraction with matched steps,
      `steps_matched`), tested on clean real test;
    - GAN-test: the reference classifier on each set (the images it learned from, clean, now noisy).
    """
    tc = scorer.tc
    g = torch.Generator().manual_seed(seed)
    pool = ImageSet(corrupt(scorer.train.images[:tc.n_reference], "gaussian_noise", sigma, g),
                    scorer.train.labels[:tc.n_reference])
    k = max(tc.classifier.n_classes, round(len(pool) * fraction))
    part = subset(pool, torch.randperm(len(pool), generator=g)[:k])
    n = min(tc.n_fid[1], len(pool), len(scorer.test))
    ref = extract_features(scorer.test.images[:n], scorer.extractor, desc="real test features")
    draws = {"all": torch.randperm(len(pool), generator=g)[:n], "fraction": torch.randint(k, (n,), generator=g)}
    rows = []
    for name, s in tqdm((("all", pool), ("fraction", part)), desc="A5 diversity"):
        f = extract_features(s.images[draws[name]], scorer.extractor, progress=False)
        cfg = steps_matched(tc.classifier, len(s), len(pool))
        rows.append({"set": name, "n_distinct": len(s), "n_fid": n, "fid": frechet_distance(
                         *feature_stats(f), *feature_stats(ref)).value,
                     "gan_train": gan_train(s.images, s.labels, scorer.test, cfg, cache=True), "epochs": cfg.epochs,
                     "gan_test": accuracy(scorer.model, s.images, s.labels), "sigma": sigma})
    return pd.DataFrame(rows)


def set_size_curve(scorer, sources: dict, sizes: tuple, seed: int) -> pd.DataFrame:
    """A6 / Fig. 4: GAN-train against the number of training images, per source {name: ImageSet}.

    Generated sets cycle their labels (the first n are balanced); pass real train in a seeded random
    order. Steps are matched across sizes (see the module note).
    """
    rows = []
    n_ref = max(sizes)
    bar = tqdm(total=len(sources) * len(sizes), desc="GAN-train vs set size")
    for name, s in sources.items():
        for n in sizes:
            n = min(n, len(s))
            cfg = steps_matched(scorer.tc.classifier, n, n_ref)
            rows.append({"source": name, "n": n, "epochs": cfg.epochs,
                         "gan_train": gan_train(s.images[:n], s.labels[:n], scorer.test, cfg, cache=True)})
            bar.update()
    bar.close()
    return pd.DataFrame(rows)


def shuffled(s: ImageSet, seed: int) -> ImageSet:
    return subset(s, torch.randperm(len(s), generator=torch.Generator().manual_seed(seed)))


def augmentation(real_train: ImageSet, real_test: ImageSet, gans: dict, cfg: ClassifierConfig, seed: int,
                 n_fake: int | None = None) -> pd.DataFrame:
    """A7: classifier on the first k real images vs on those plus a GAN's samples (GAN trained on those k).

    gans: {k: Trainer trained with n_train=k}. n_fake: generated images added (default k, i.e. 1:1).
    """
    from gan_repro.analysis.how_good import draw
    rows = []
    for k, t in tqdm(gans.items(), desc="augmentation"):
        real = subset(real_train, torch.arange(k))
        fake = draw(t, n_fake or k, seed + 1)
        both = ImageSet(torch.cat([real.images, fake.images]), torch.cat([real.labels, fake.labels]))
        accs = [accuracy(train_classifier(cfg, d, progress=False), real_test.images, real_test.labels)
                for d in (real, both)]
        rows.append({"k": k, "n_fake": len(fake), "real": accs[0], "real+gan": accs[1]})
    return pd.DataFrame(rows)
