"""*How good is my GAN?* (Shmelkov et al. 2018) tables: one row per model, IS / FID / GAN-train / GAN-test / SWD.

Protocol (stated in every table header by `table_note`):
- reference classifier: `classifiers.preset(dataset)` trained on real train, tested on real test;
- FID: generated (or, for the "real images" row, real test) images vs real train images, N per side
  at two sizes, the small one on the first images of the large draw;
- IS: from the in-project classifier (the FID weights here stop at pool3, so no Inception logits); with
  `probe=True` also from a linear probe on pool3 features (E2: the same images, another classifier);
- GAN-train: the same classifier config trained on n_gan_train labelled generated images, tested on
  real test; GAN-test: the reference classifier on generated images labelled by their class;
- SWD (x 10^3) at 16 and 32 px on n_swd images vs real train.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd
import torch
from tqdm.auto import tqdm

from gan_repro.classifiers import (
    ClassifierConfig, ProbeConfig, ProbeScorer, Scorer, accuracy, preset, train_classifier, train_probe,
)
from gan_repro.data import ImageSet
from gan_repro.metrics import evaluate, extract_features, feature_stats, frechet_distance, inception_score
from gan_repro.metrics.gan_train_test import gan_train
from gan_repro.profiles import Profile, classifier_epochs


@dataclass(frozen=True)
class TableConfig:
    dataset: str
    n_fid: tuple            # (small, large) images per side for the two FID columns
    n_swd: int
    n_gan_train: int        # labelled generated images a GAN-train classifier learns from
    n_reference: int        # real train images the reference classifier learns from
    classifier: ClassifierConfig
    seed: int = 0


def table_config(dataset: str, profile: Profile, real_train: ImageSet, seed: int = 0) -> TableConfig:
    """The profile's sizes, capped by what the real training set holds (the CIFAR subsets are small)."""
    large = min(profile.n_fid_table[1], len(real_train))
    small = min(profile.n_fid_table[0], large)
    n_train = min(profile.n_gan_train, len(real_train)) if profile.n_gan_train else len(real_train)
    n_ref = min(profile.n_classifier_train or len(real_train), len(real_train))
    return TableConfig(dataset, (small, large), min(profile.n_swd_images, large), n_train, n_ref,
                       preset(dataset, classifier_epochs(profile, dataset), seed), seed)


def table_header(tc: TableConfig, real_train: ImageSet, real_test: ImageSet, profile: str) -> str:
    """Dataset, data source, sizes, profile and seed: the first sentence of `table_note`, a figure title."""
    return (f"{tc.dataset} ({real_train.card.source}: {len(real_train)} train / {len(real_test)} test images), "
            f"profile={profile}, seed={tc.seed}")


def table_note(tc: TableConfig, real_train: ImageSet, real_test: ImageSet, profile: str) -> str:
    c = tc.classifier
    return (f"{table_header(tc, real_train, real_test, profile)}. "
            f"Reference {c.arch} on {tc.n_reference} real train images. "
            f"FID-{tc.n_fid[0]} and FID-{tc.n_fid[1]}: N per side vs real train (paper: 5K and 50K). "
            f"IS from the in-project {c.arch} classifier, not Inception. "
            f"GAN-train: {c.arch} ({c.epochs} epochs, augment {c.augment}) on {tc.n_gan_train} generated "
            f"images, tested on all {len(real_test)} real test images. SWD x1e3 on {tc.n_swd} images.")


def draw(trainer, n: int, seed: int, batch: int = 500, z: torch.Tensor | None = None) -> ImageSet:
    """n labelled samples (classes cycled 0..K-1, so balanced), in batches to bound memory.
    z: (n, z_dim) latent codes to use (e.g. truncated ones); default the trainer's N(0, I) draws."""
    g = torch.Generator().manual_seed(seed)
    parts = [trainer.sample(min(batch, n - i), g, torch.arange(i, min(i + batch, n)) % trainer.n_classes,
                            None if z is None else z[i:i + batch])
             for i in range(0, n, batch)]
    return ImageSet(torch.cat([p[0] for p in parts]), torch.cat([p[1] for p in parts]).cpu())


def reference(tc: TableConfig, real_train: ImageSet, real_test: ImageSet) -> tuple:
    """(classifier trained on the first n_reference real train images, its real-test accuracy); cached."""
    model = train_classifier(tc.classifier, ImageSet(real_train.images[:tc.n_reference],
                                                     real_train.labels[:tc.n_reference]))
    return model, accuracy(model, real_test.images, real_test.labels)


def probe_size(tc: TableConfig, profile: Profile) -> int:
    """Real train images of E2's pool3 probe: the reference classifier's own (n_reference), so that both
    IS classifiers learn from the same images; at `smoke` only the n_fid[1] whose features FID needs anyway
    (Inception runs at ~10 images/s here)."""
    return tc.n_fid[1] if profile.name == "smoke" else tc.n_reference


class TableScorer:
    """Scores labelled image sets against one dataset: real features and classifier computed once."""

    def __init__(self, tc: TableConfig, real_train: ImageSet, real_test: ImageSet, extractor, probe_n: int = 0):
        self.tc, self.train, self.test, self.extractor = tc, real_train, real_test, extractor
        self.model, self.real_acc = reference(tc, real_train, real_test)
        self.scorer = Scorer(self.model, f"{tc.classifier.arch} trained on {tc.dataset} train")
        self.real_feats = extract_features(real_train.images[:tc.n_fid[1]], extractor,
                                           desc=f"{tc.dataset} real train features")
        self.probe = self._probe(probe_n) if probe_n else None

    def _probe(self, n: int) -> ProbeScorer:
        """E2's second IS classifier: a linear probe on pool3 features of the first n real train images
        (`probe_size`; the first n_fid[1] features are reused)."""
        have = len(self.real_feats)
        rest = (extract_features(self.train.images[have:n], self.extractor, desc="probe train features")
                if n > have else self.real_feats[:0])
        feats = torch.cat([self.real_feats[:n], rest])
        probe = train_probe(feats, self.train.labels[:n], ProbeConfig(self.tc.classifier.n_classes, seed=self.tc.seed))
        return ProbeScorer(probe, self.extractor, f"linear probe on Inception pool3, {n} {self.tc.dataset} train images")

    def probe_is(self, feats: torch.Tensor) -> dict:
        """IS from the probe's logits, split as `evaluate` splits the pixel classifier's (same seed)."""
        r = inception_score(self.probe.from_features(feats), kind="logits",
                            generator=torch.Generator().manual_seed(self.tc.seed * 1000 + 3))
        return {"is_probe": r.mean, "is_probe_std": r.std}

    def fid(self, feats: torch.Tensor) -> dict:
        """FID at both sizes (each capped by len(feats)) against the first N real train features."""
        out = {}
        for key, n in zip(("fid_small", "fid_large"), self.tc.n_fid):
            n = min(n, len(feats))
            out[key] = frechet_distance(*feature_stats(feats[:n]), *feature_stats(self.real_feats[:n])).value
            out[f"n_{key}"] = n
        return out

    def pixel_is(self, images: torch.Tensor) -> dict:
        rec = evaluate(images, None, ["is"], classifier=self.scorer, progress=False, seed=self.tc.seed)
        return {"is": rec["is"], "is_std": rec["is_std"]}

    def row(self, name: str, fake: ImageSet, real: bool = False) -> dict:
        """One table row. real=True: `fake` is a real image set; GAN-train is then the reference accuracy."""
        tc = self.tc
        n = min(tc.n_fid[1], len(fake))
        feats = extract_features(fake.images[:n], self.extractor, progress=False)
        r = {"model": name, **self.fid(feats), **self.pixel_is(fake.images[:n])}
        if self.probe is not None:
            r.update(self.probe_is(feats))
        n_swd = min(tc.n_swd, len(fake))
        sw = evaluate(fake.images[:n_swd], self.train.images[:n_swd], ["swd"], progress=False, seed=tc.seed)
        r.update(swd_16=sw.get("swd_16"), swd_32=sw.get("swd_32"), n_swd=n_swd)
        if real:
            r.update(gan_train=self.real_acc, gan_test=float("nan"), n_gan_train=tc.n_reference)
        else:
            r["gan_test"] = accuracy(self.model, fake.images[:n], fake.labels[:n])
            k = min(tc.n_gan_train, len(fake))
            r["gan_train"] = gan_train(fake.images[:k], fake.labels[:k], self.test, tc.classifier, cache=True)
            r["n_gan_train"] = k
        return r


def train_models(models: dict, dataset: str, profile: Profile, seed: int, n_train: int = 0) -> dict:
    """{row name: Trainer} for {row name: (preset, budget)}; finished runs in the shared zoo are loaded.

    A budget below 1 (the 4:1 short run) and a training subset (n_train, A7) get their own run folders.
    """
    from gan_repro.analysis import zoo
    out = {}
    for name, (p, budget) in models.items():
        tag = "-".join(x for x in (f"x{budget:g}" if budget != 1 else "", f"n{n_train}" if n_train else "") if x)
        out[name] = zoo.train_or_load(p, dataset, profile, seed, budget=budget, tag=tag, n_train=n_train)[0]
    return out


def score_models(scorer: TableScorer, trainers: dict, real_row: ImageSet | None = None) -> pd.DataFrame:
    """Rows for "real images" (real_row, e.g. the real test set) and every {name: Trainer}."""
    tc = scorer.tc
    rows = [scorer.row("real images", real_row, real=True)] if real_row is not None else []
    n = max(tc.n_fid[1], tc.n_gan_train)
    for name, t in tqdm(trainers.items(), desc=f"{tc.dataset} table"):
        rows.append(scorer.row(name, draw(t, n, tc.seed + 1)))
    return pd.DataFrame(rows)


def side_by_side(ours: pd.DataFrame, paper: dict, cols=("is", "fid_small", "fid_large", "gan_train",
                                                         "gan_test", "swd_16", "swd_32")) -> pd.DataFrame:
    """paper | ours per column; accuracies in %, as the paper prints them. paper: {model: {col: value}}."""
    out = []
    for r in ours.to_dict("records"):
        row = {"model": r["model"]}
        for c in cols:
            scale = 100.0 if c.startswith("gan_") else 1.0
            row[f"{c} paper"] = paper.get(r["model"], {}).get(c, float("nan"))
            row[f"{c} ours"] = r.get(c, float("nan")) * scale if r.get(c) is not None else float("nan")
        out.append(row)
    return pd.DataFrame(out).set_index("model")


def config_dict(tc: TableConfig) -> dict:
    return asdict(tc)


def two_classifier_is(scorer: TableScorer, table: pd.DataFrame, sets: dict) -> pd.DataFrame:
    """E2: IS from the pixel classifier and from the pool3 probe on the same sets: the table's rows (their
    IS values are reused) and {name: uint8 images} more (e.g. notebook 01's corrupted real images)."""
    rows = [{"set": r["model"], "is": r["is"], "is_std": r["is_std"], "is_probe": r["is_probe"],
             "is_probe_std": r["is_probe_std"]} for r in table.to_dict("records")]
    for name, x in tqdm(sets.items(), desc="IS two ways"):
        feats = extract_features(x, scorer.extractor, progress=False)
        rows.append({"set": name, **scorer.pixel_is(x), **scorer.probe_is(feats)})
    d = pd.DataFrame(rows)
    return d.assign(rank=d["is"].rank(ascending=False), rank_probe=d.is_probe.rank(ascending=False))
