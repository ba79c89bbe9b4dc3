import numpy as np
import pandas as pd
import pytest

from gan_repro.analysis import wgan_toys as wt


def _depth(spans: dict) -> pd.DataFrame:
    """Per method, 12 layer norms spanning `decades` orders of magnitude geometrically."""
    return pd.DataFrame([{"method": m, "layer": k, "grad_norm": 10.0 ** (d * (k - 1) / 11)}
                         for m, d in spans.items() for k in range(1, 13)])


def test_d2_needs_every_c_geometric_and_gp_flat():
    arrays = {"wgan-gp-paper": {"input_grad": {"interpolated": 1.0}}}
    ok = {"wgan-clip c=0.1": 3.0, "wgan-clip c=0.01": -5.0, "wgan-clip c=0.001": -9.0, "wgan-gp-paper": 0.3}
    assert wt.d2(_depth(ok), arrays)["held"]
    assert not wt.d2(_depth({**ok, "wgan-clip c=0.1": 1.5}), arrays)["held"]
    assert not wt.d2(_depth({**ok, "wgan-gp-paper": 1.5}), arrays)["held"]


def test_d3_shares_and_d4_counts():
    arr = {"wgan-clip c=0.01": {"near_bounds": 0.6, "near_bounds_init": 0.9, "bound": 0.01},
           "wgan-gp-paper": {"near_bounds": 0.05, "near_bounds_init": 0.01, "bound": 2.0}}
    assert wt.d3(arr)["held"]
    arr["wgan-gp-paper"]["near_bounds"] = 0.2
    assert not wt.d3(arr)["held"]
    opt = pd.DataFrame({"critic": ["a", "a", "b", "b"], "method": ["wgan-gp-paper", "wgan-clip-adam"] * 2,
                        "stable": [True, True, True, False]})
    d4, d4b = wt.d4(opt)
    assert d4["held"] and d4b["held"] and "wgan-gp-paper 2, wgan-clip-adam 1" in d4["evidence"]


def test_late_change_is_zero_on_a_plateau():
    assert wt.late_change([0.0] * 10 + [1.0] * 90) == pytest.approx(0.0)
    assert wt.late_change(list(np.linspace(0, 1, 100))) > 0.1
