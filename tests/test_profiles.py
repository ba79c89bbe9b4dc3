import pytest

from gan_repro.profiles import PROFILES, get_profile


def test_three_profiles_with_growing_budgets():
    assert set(PROFILES) == {"smoke", "cpu", "paper"}
    s, c, p = (get_profile(n) for n in ("smoke", "cpu", "paper"))
    for field in ("n_metric", "train_iters", "classifier_epochs", "n_swd_images"):
        assert getattr(s, field) < getattr(c, field) <= getattr(p, field), field


def test_unknown_profile_lists_valid_ones():
    with pytest.raises(ValueError, match="smoke, cpu, paper"):
        get_profile("gpu")
