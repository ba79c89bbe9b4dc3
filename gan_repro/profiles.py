"""Named experiment budgets: `smoke` (CI, seconds), `cpu` (2-core reproduction, hours), `paper` (GPU).

Notebooks read every budget from here and never hard-code one. Each profile is a frozen dataclass so it
can be saved verbatim into every result's provenance.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Profile:
    name: str
    # metrics
    n_metric: int            # images per side for FID/KID/SWD/PRDC in metric studies
    n_fid_sizes: tuple       # N values of the FID-bias-with-N study (E4)
    n_swd_images: int        # images per side for SWD (PGGAN uses 16,384)
    n_is_images: int         # images for IS / m-IS
    n_ssim_pairs: int        # image pairs for the MS-SSIM diversity score
    batch_size_eval: int     # images per Inception forward pass
    # training
    train_iters: tuple       # ((preset, generator iterations), ...): per preset, sized by its cost
    train_batch_size: int
    width: int               # base channel width of G and D
    classifier_epochs: int
    n_fid_table: tuple       # (small, large) N per side of the two FID columns of tables 1-2 (paper 5K, 50K)
    n_gan_train: int         # generated images a GAN-train classifier learns from (0 = as many as real train)
    set_sizes: tuple         # training-set sizes of the GAN-train curve (A6, Fig. 4)
    augment_ks: tuple        # ((dataset, (k, ...)), ...): real images the GAN-augmentation study keeps (A7)
    augment_budget: float    # fraction of the preset's iterations each A7 GAN trains for (it trains 6-8)
    n_classifier_train: int  # training images for in-project classifiers (0 = the whole split)
    # data
    data_source: str         # "auto": official full files when present, else the shipped subsets
    n_grid: int              # images in a sample grid
    metric_datasets: tuple   # datasets of the metric-behaviour study (01)
    # per-dataset budgets: (((preset, dataset), iters), ...) override train_iters for that dataset alone
    train_iters_by_data: tuple = ()
    # (((preset, dataset), step), ...): learning rates fall linearly from that step to 0 at the end
    # (TrainConfig.lr_decay_start, the schedule of Miyato & Koyama's SNGAN code); elsewhere constant
    lr_decay_by_data: tuple = ()
    # ((dataset, epochs), ...): in-project classifier epochs on that dataset, overriding classifier_epochs
    classifier_epochs_by_data: tuple = ()
    ema: bool = True         # keep the presets' EMA of G (BigGAN's 0.9999); off where a run is far shorter
                             # than the average's ~10k-step span: the "averaged" G would be the early G


PRESET_NAMES = ("dcgan", "wgan-clip", "wgan-gp", "wgan-gp-dcgan", "sngan", "biggan")


def _same(iters: int) -> tuple:
    return tuple((p, iters) for p in PRESET_NAMES)


# cpu: sized per preset by what it needs to learn at width 32, batch 64 on 2 cores. Measured median s/it
# (MNIST / CIFAR-10; notebook 02 at commit 0c3455a): dcgan .030/.060, wgan-clip .084/.190, wgan-gp
# .97/1.46 (ResNet critic, 5 steps, double-backprop penalty), wgan-gp-dcgan .15/.38, sngan .56/.96.
# At 300 (wgan-gp) and 500 (sngan) iterations the ResNet models drew only blobs and strokes, so they
# get 1,000 and 2,000: 16-24 and 19-32 min per model. BigGAN drew black images after 100 iterations
# at 128 channels; at 64 (ch_mult 2 x width 32) it runs .83/1.12 s/it (at 689cb29). At 1,000 it drew weakly
# conditioned MNIST digits (mostly 2s) and CIFAR textures, so it gets 2,000, and cpu trains it without its
# EMA (0.9999 from step 1,000: at step 2,000 the average would still be 90 % the step-1,000 G).
# The ResNet WGAN-GP drew strokes on MNIST at 1,000 and gets 2,000 there; on CIFAR it stays at 1,000, the
# budget the How-good tables (04-07) were run with. WGAN-clip and WGAN-GP-DCGAN drew textures on CIFAR-10
# and get more there than on MNIST (their MNIST runs feed notebook 03 and stay as they were). WGAN-clip
# still drew textures at 8,000 it (GAN-test 17 %, FID-500 175) and object-like shapes at 20,000 (29 %, 146),
# still improving, so it gets 40,000 (.164 s/it: 1.8 h; run it alone with PRESETS=wgan-clip in notebook 02).
# Issue 20's fast path (default since 08d8acb; README "Training" speed table) trains these budgets 1.11-1.18x
# faster on the DCGAN family and, with the ResNets' resampling folded into their convs (f1d543c), 1.64-1.72x
# on the ResNets. The budgets stay: the committed zoo was trained at them and is not retrained for speed
# alone; new runs spend the gain, not a longer budget.
CPU_ITERS = (("dcgan", 5000), ("wgan-clip", 4000), ("wgan-gp", 1000), ("wgan-gp-dcgan", 1500),
             ("sngan", 2000), ("biggan", 2000))
# SNGAN's conditioning on MNIST learns slowly, not wrongly (issue 18, results/cpu/18_sngan_conditioning):
# GAN-test 40 % at 2,000 it, 88 % at 5,000, 97.4 % at 7,500 and 97.2 % at 8,000 (1,000 samples) at constant
# learning rates, where notebook 03's measures read 96.6 % GAN-test and 94.7 % GAN-train (A1 needs 97.0).
# Miyato & Koyama's code decays both rates linearly to 0; MNIST gets 8,000 constant + 2,000 decaying
# (84.5 min at .5 s/it with GAN-test watchers). Fashion-MNIST gets the same (issue 18, code at deea500: 55.9 min
# with watchers on an AVX-512 machine; GAN-test on 1,000 samples 67 % at 2,000 it, 81-86 % over 3,000-8,000 at
# constant rates, 92.1 % at 9,000 and 94.0 % at 10,000 while decaying). The A7 subset GANs (notebook 08) keep
# a quarter of the preset-wide 2,000 at constant rates (`zoo.train_config`).
# A2's WGAN-GP pair (issue 18 part 2) on CIFAR-10: 4,000 it against the short run's quarter, 1,000 (the model
# the tables used as the long run until then). At 250 it the short model had not learned (FID-1000 232), so
# the pair compared a trained model with an untrained one; at 1,000 it has (FID-1000 171.0, GAN-test 44.7 %,
# notebook 04 at 615d20c), so both sides of a 4:1 pair have learned. The 4,000-it run: 103 min at 1.55 s/it
# on a slower AMD machine; FID-1000 116.4, GAN-test 49.8 % (notebook 04 at ad68055). CIFAR-100 (table 05)
# gets the same pair: its 1,000-it model becomes the short run; the 4,000-it run took 103.6 min at 1.56 s/it
# (also a slower AMD machine): FID-1000 149.2 against 190.7 (notebook 05 at 16e2a9d).
CPU_ITERS_BY_DATA = ((("wgan-gp", "mnist"), 2000), (("wgan-clip", "cifar10"), 40000), (("wgan-gp", "cifar10"), 4000),
                     (("wgan-gp", "cifar100"), 4000), (("wgan-gp-dcgan", "cifar10"), 3000), (("sngan", "mnist"), 10000),
                     (("sngan", "fashion-mnist"), 10000))
CPU_LR_DECAY_BY_DATA = ((("sngan", "mnist"), 8000), (("sngan", "fashion-mnist"), 8000))
# GAN-train on MNIST-likes (issue 18 part 1): the paper trains it on as many generated images as the real train
# set holds, so cpu's n_gan_train is 0 (= the real train size; the CIFAR subsets cap it as before). The zoo's
# MNIST SNGAN then read 96.75 % GAN-train at 5 epochs and 97.06 % at 10 (60,000 samples, seed 0 draw;
# results/cpu/18_sngan_conditioning/gan_train_by_n.csv), 95.4 % on 10,000 at 5: at 60,000 images 5 epochs
# had not converged, so the MNIST-likes' convnet (reference and GAN-train alike) trains for 10 (~9 min each).
# CIFAR ResNets (issue 18 part 5, results/cpu/classifier_epochs/, per-image crops and flips, one-cycle Adam):
# CIFAR-10 test accuracy 50.3 % at 5 epochs -> 63.4 / 68.5 / 71.9 / 73.2 % at 15 / 30 / 60 / 90. 30 is the knee:
# 60 buys 3.4 points for twice the time (6.2 -> 14 min a classifier, and 04-08 each train 5-20 of them).
# CIFAR-100's subset (1,117 images) is cheap, 4 min at 120 epochs: 6.3 % at 5 -> 10.8 / 12.2 / 13.9 % at 30/60/120.
CPU_CLASSIFIER_EPOCHS_BY_DATA = (("mnist", 10), ("fashion-mnist", 10), ("cifar10", 30), ("cifar100", 120))
# paper: WGAN-GP 100k generator iterations (Gulrajani 2017), SNGAN 50k (Miyato 2018), the rest 100k
PAPER_ITERS = _same(100000)[:4] + (("sngan", 50000), ("biggan", 100000))

PROFILES = {
    "smoke": Profile(
        name="smoke", n_metric=32, n_fid_sizes=(32, 64), n_swd_images=64, n_is_images=200,
        n_ssim_pairs=50, batch_size_eval=64, train_iters=_same(3), train_batch_size=16, width=8,
        classifier_epochs=1, n_fid_table=(16, 32), n_gan_train=500, set_sizes=(100, 300),
        augment_ks=(("mnist", (500,)),), augment_budget=1.0, n_classifier_train=5000, data_source="auto", n_grid=32,
        metric_datasets=("mnist",),
    ),
    "cpu": Profile(
        name="cpu", n_metric=500, n_fid_sizes=(250, 500, 1000), n_swd_images=1000,
        n_is_images=5000, n_ssim_pairs=500, batch_size_eval=50, train_iters=CPU_ITERS,
        train_batch_size=64, width=32, classifier_epochs=5, n_fid_table=(500, 1000), n_gan_train=0,
        set_sizes=(500, 1000, 2500, 5000),
        augment_ks=(("cifar10", (2500, 5000)), ("mnist", (2500, 5000, 10000)),
                    ("fashion-mnist", (2500, 5000, 10000))),
        augment_budget=0.25, n_classifier_train=0, data_source="auto", n_grid=64,
        metric_datasets=("mnist", "fashion-mnist", "cifar10", "cifar100"),
        train_iters_by_data=CPU_ITERS_BY_DATA, lr_decay_by_data=CPU_LR_DECAY_BY_DATA, ema=False,
        classifier_epochs_by_data=CPU_CLASSIFIER_EPOCHS_BY_DATA,
    ),
    "paper": Profile(
        name="paper", n_metric=10000, n_fid_sizes=(1000, 5000, 10000, 50000), n_swd_images=16384,
        n_is_images=50000, n_ssim_pairs=5000, batch_size_eval=200, train_iters=PAPER_ITERS,
        train_batch_size=64, width=128, classifier_epochs=100, n_fid_table=(5000, 50000), n_gan_train=50000,
        set_sizes=(2500, 5000, 10000, 25000, 50000),
        augment_ks=(("cifar10", (2500, 5000, 10000)), ("cifar100", (2500, 5000, 10000))),
        augment_budget=1.0, n_classifier_train=0, data_source="auto", n_grid=100,
        metric_datasets=("mnist", "fashion-mnist", "cifar10", "cifar100"),
    ),
}


def get_profile(name: str) -> Profile:
    """Look a profile up by name; an unknown name is an error that lists the valid ones."""
    if name not in PROFILES:
        raise ValueError(f"unknown profile {name!r}; valid profiles: {', '.join(PROFILES)}")
    return PROFILES[name]


def budget_for(table: dict, profile: str, what: str):
    """table[profile] of a study's per-profile sizes; an unknown profile is an error naming the study
    (`what`) and the valid profiles."""
    if profile not in table:
        raise ValueError(f"no {what} for profile {profile!r}; valid: {', '.join(table)}")
    return table[profile]


def train_iters(profile: Profile, preset: str, budget: float = 1.0, dataset: str | None = None) -> int:
    """Generator iterations of a preset at a profile, on `dataset` where the profile sets that apart;
    `budget` scales it (e.g. 0.25 for a 4:1 short run)."""
    table = dict(profile.train_iters)
    if preset not in table:
        raise ValueError(f"profile {profile.name!r} has no training budget for preset {preset!r}; "
                         f"it has: {', '.join(table)}")
    iters = dict(profile.train_iters_by_data).get((preset, dataset), table[preset])
    return max(1, round(iters * budget))


def classifier_epochs(profile: Profile, dataset: str) -> int:
    """Epochs of the in-project classifiers (reference, GAN-train, IS) on `dataset` at a profile."""
    return dict(profile.classifier_epochs_by_data).get(dataset, profile.classifier_epochs)


def profile_dict(profile: Profile) -> dict:
    return asdict(profile)
