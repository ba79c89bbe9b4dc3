import pytest

from gan_repro.presets import PRESETS
from gan_repro.profiles import PROFILES, get_profile, train_iters


def test_three_profiles_with_growing_budgets():
    assert set(PROFILES) == {"smoke", "cpu", "paper"}
    s, c, p = (get_profile(n) for n in ("smoke", "cpu", "paper"))
    for field in ("n_metric", "classifier_epochs", "n_swd_images"):
        assert getattr(s, field) < getattr(c, field) <= getattr(p, field), field
    for preset in PRESETS:                       # every preset has a budget, growing with the profile
        assert train_iters(s, preset) < train_iters(c, preset) < train_iters(p, preset), preset


def test_budget_scaling_and_unknown_preset():
    c = get_profile("cpu")
    assert train_iters(c, "wgan-gp", 0.25) * 4 == train_iters(c, "wgan-gp")
    with pytest.raises(ValueError, match="no training budget for preset 'stylegan'"):
        train_iters(c, "stylegan")


def test_unknown_profile_lists_valid_ones():
    with pytest.raises(ValueError, match="smoke, cpu, paper"):
        get_profile("gpu")


def test_a_per_dataset_budget_overrides_the_preset_budget_on_that_dataset_only():
    c = get_profile("cpu")
    assert train_iters(c, "wgan-gp", dataset="mnist") == 2 * train_iters(c, "wgan-gp") == 2000   # preset-wide 1,000
    assert train_iters(c, "wgan-gp", 0.25, dataset="mnist") == 500
    # A2's pair (issue 18 part 2) on both CIFARs, tables 04 and 05: 4,000 it against a quarter, 1,000
    for ds in ("cifar10", "cifar100"):
        assert (train_iters(c, "wgan-gp", dataset=ds), train_iters(c, "wgan-gp", 0.25, dataset=ds)) == (4000, 1000)


@pytest.mark.parametrize("dataset", ["cifar10", "cifar100"])
def test_the_committed_1000_it_cifar_wgan_gp_is_the_short_run_of_the_a2_pair(dataset):
    # it moved from wgan-gp-{dataset} to the short run's folder: its saved config must be the one the zoo asks for
    # there, or notebook 04 or 05 would try to retrain (or refuse) it
    import torch
    from pathlib import Path
    from gan_repro.analysis.zoo import train_config
    g = Path(__file__).resolve().parents[1] / f"results/cpu/02_train_zoo/runs/wgan-gp-{dataset}-x0.25/generator.pt"
    saved = torch.load(g, map_location="cpu", weights_only=False)
    want = train_config("wgan-gp", dataset, get_profile("cpu"), 0, budget=0.25)
    assert (saved["config_hash"], saved["step"], saved["finished"]) == (want.hash(), 1000, True)


def test_the_mnist_and_fashion_mnist_sngans_get_their_own_budget_and_decay_and_the_a7_subset_gans_keep_the_preset_wide_one():
    from gan_repro.analysis.zoo import train_config
    c = get_profile("cpu")
    for ds in ("mnist", "fashion-mnist"):                                         # notebook 03's SNGANs
        full = train_config("sngan", ds, c, 0)
        assert (full.iters, full.lr_decay_start) == (10000, 8000)
    cifar = train_config("sngan", "cifar10", c, 0)
    assert (cifar.iters, cifar.lr_decay_start) == (2000, None)
    assert train_config("dcgan", "mnist", c, 0).lr_decay_start is None
    # notebook 08's A7 GANs: a quarter of 2,000 on every dataset at constant rates, as committed
    for ds in ("mnist", "fashion-mnist", "cifar10"):
        a7 = train_config("sngan", ds, c, 0, budget=c.augment_budget, n_train=2500)
        assert (a7.iters, a7.lr_decay_start) == (500, None)
