"""Train (or load) every preset on a dataset at a profile; collect samples, logs, timings, small-N FID."""
from __future__ import annotations

import json
import shutil
import time
from dataclasses import asdict
from pathlib import Path

import pandas as pd
import torch
from tqdm.auto import tqdm

from gan_repro.metrics import evaluate, extract_features
from gan_repro.metrics.gan_train_test import gan_test
from gan_repro.presets import PRESETS, get_preset
from gan_repro.profiles import Profile, train_iters
from gan_repro.results import results_root
from gan_repro.train import CheckpointError, Trainer, TrainConfig


def train_config(preset: str, dataset: str, profile: Profile, seed: int, budget: float = 1.0,
                 n_train: int = 0) -> TrainConfig:
    # a checkpoint every 10 % of the run (an interruption loses at most that), logs every 1 %
    # A7's subset GANs (n_train) scale the preset-wide budget at constant rates: the per-dataset budgets and
    # decays size full-data models for their own tables (SNGAN on MNIST for notebook 03), and A7's committed
    # GANs were sized without them
    key = None if n_train else dataset
    iters = train_iters(profile, preset, budget, key)
    decay = dict(profile.lr_decay_by_data).get((preset, key))
    # ema is False only where the preset has an EMA to drop, so the other presets' configs keep their hash
    ema = profile.ema or not PRESETS[preset].ema_decay
    return TrainConfig(preset=preset, dataset=dataset, iters=iters, batch_size=profile.train_batch_size,
                       width=profile.width, seed=seed, n_train=n_train, ema=ema, lr_decay_start=decay,
                       ckpt_every=max(iters // 10, 1) if iters >= 100 else iters, log_every=max(1, iters // 100))


def zoo_root(profile: Profile, root=None) -> Path:
    """Where every notebook keeps its trained GANs: results/<profile>/02_train_zoo/runs.

    One place, so that 03-08 load the models notebook 02 trained (committed as compact generator.pt
    files under results/cpu/) instead of retraining them.
    """
    return results_root(root) / profile.name / "02_train_zoo" / "runs"


def train_or_load(preset: str, dataset: str, profile: Profile, seed: int, root: Path | None = None,
                  budget: float = 1.0, tag: str = "", n_train: int = 0) -> tuple:
    """(Trainer, seconds spent now). A finished run under root/<preset>-<dataset>[-tag] is loaded.

    root defaults to zoo_root(profile); budget scales the profile's iterations (0.25: a 4:1 short run).
    """
    t0 = time.perf_counter()
    name = f"{preset}-{dataset}" + (f"-{tag}" if tag else "")
    cfg = train_config(preset, dataset, profile, seed, budget, n_train)
    t = Trainer(cfg, Path(root or zoo_root(profile)) / name).fit()
    return t, time.perf_counter() - t0


def adopt(src: Path, preset: str, dataset: str, profile: Profile, seed: int, root: Path | None = None) -> Trainer:
    """Take a finished run trained elsewhere (e.g. by benchmarks/sngan_conditioning.py, with its watchers)
    into the zoo, if the zoo's config continues it exactly (`Trainer.extends`: same model, data, seed and
    learning-rate schedule on every step it took). The zoo folder's files move to superseded/<their hash>/;
    the run's files are copied in and saved under the zoo's config hash. Anything else: CheckpointError,
    and nothing moves.

    Without the run's checkpoint.pt (git-ignored, so gone on another machine) its committed generator.pt,
    which records the same config, step and finished flag, is checked and taken instead: the zoo then gets
    G alone, as a clone of results/ does."""
    src = Path(src)
    cfg = train_config(preset, dataset, profile, seed)
    dest = Path(root or zoo_root(profile)) / f"{preset}-{dataset}"
    ckpt = src / "checkpoint.pt"
    s = torch.load(ckpt if ckpt.exists() else src / "generator.pt", map_location="cpu", weights_only=False)
    t = Trainer(cfg, dest, progress=False)
    if not t.extends(s) or (s["step"] < cfg.iters and not ckpt.exists()):    # G alone cannot be continued
        raise CheckpointError(f"{src} ({s.get('step')} steps, config {s.get('config')}) is not a finished run that "
                              f"the zoo's {cfg} continues exactly; nothing adopted")
    if (dest / "generator.pt").exists():
        t._set_aside(torch.load(dest / "generator.pt", map_location="cpu", weights_only=False), copy_only=False)
    dest.mkdir(parents=True, exist_ok=True)
    for f in src.iterdir():
        if f.is_file() and (f.suffix in (".pt", ".jsonl", ".json") or f.name.startswith("samples_")):
            shutil.copy2(f, dest / f.name)
    if not ckpt.exists():                                 # G alone: saved under the zoo's config and hash
        torch.save({**s, "config": asdict(cfg), "config_hash": cfg.hash()}, dest / "generator.pt")
        (dest / "config.json").write_text(json.dumps(asdict(cfg), indent=2))
    return Trainer(cfg, dest, progress=False).fit()       # continues 0 steps (or loads G): the zoo's hash


def read_log(trainer: Trainer) -> pd.DataFrame:
    path = trainer.out / "log.jsonl"
    rows = [json.loads(l) for l in path.read_text().splitlines()] if path.exists() else []
    return pd.DataFrame(rows)


def at_init(trainer: Trainer) -> Trainer:
    """The same run before its first step: the Trainer seeds its weight initialisation with cfg.seed."""
    return Trainer(trainer.cfg, trainer.out, progress=False)


def zoo_summary(trainers: dict, times: dict, real_test, extractor, n: int, seed: int,
                classifiers: dict | None = None) -> pd.DataFrame:
    """One row per (preset, dataset): iterations, training wall time and it/s, FID at n vs real test
    after training and at initialisation (the "far below its initialisation" check of issue 4).

    classifiers: {dataset: classifier trained on real train} (e.g. `how_good.reference`'s). It adds
    gan_test_n, the fraction of the n samples (classes cycled) it labels as the class they were drawn
    for: whether samples are recognisable, and as the asked-for class. Its ceiling is the classifier's
    accuracy on real test images.
    The real test features are extracted once per dataset and shared by every model.
    """
    real_feats = {ds: extract_features(s.images[:n], extractor, desc=f"{ds} real test")
                  for ds, s in real_test.items()}
    rows = []
    for (preset, ds), t in tqdm(trainers.items(), desc="FID per model"):
        log = read_log(t)
        # median: robust to a resumed run's first record and to minutes shared with other jobs
        sec = float(log.sec_per_step.median() * t.step) if len(log) else float("nan")
        fid = {}
        for when, g in (("init", at_init(t)), ("trained", t)):
            fake, y = g.sample(n, torch.Generator().manual_seed(seed))
            fid[when] = evaluate(fake, real_test[ds].images[:n], ["fid"], extractor=extractor, progress=False,
                                 real_features=real_feats[ds])["fid"]
        row = {"preset": preset, "dataset": ds, "iters": t.step, "train_s": sec,
               "it_per_s": t.step / sec if sec == sec and sec > 0 else float("nan"),
               "this_run_s": times[(preset, ds)], f"fid_init_{n}": fid["init"], f"fid_{n}": fid["trained"]}
        if classifiers and ds in classifiers and y is not None:    # y: the trained G's labels (cycled)
            row[f"gan_test_{n}"] = gan_test(fake, y.cpu(), classifiers[ds], t.n_classes)
        rows.append(row)
    return pd.DataFrame(rows)


ALL_PRESETS = tuple(PRESETS)


def select_presets(spec: str) -> tuple:
    """"all", or comma-separated preset names ("dcgan,wgan-clip"), checked against the registry.

    Lets notebook 02 train part of a dataset's zoo in one session (finished runs are loaded later).
    """
    if spec.strip() == "all":
        return ALL_PRESETS
    names = tuple(n.strip() for n in spec.split(",") if n.strip())
    if not names:
        raise ValueError(f"no preset in {spec!r}; name some of {', '.join(ALL_PRESETS)}, or 'all'")
    return tuple(get_preset(n).name for n in names)     # get_preset: the registry's own name check
