import numpy as np
import pandas as pd
import pytest

from gan_repro.analysis import seeing_stats as ss
from gan_repro.data.scenes import BACKGROUND, CLASSES, SMALL_CLASSES


def _ratios(small_ratio, large_ratio, se=0.001, bed_ratio=1.0):
    rows = []
    for c in CLASSES:
        real = 0.3 if c in BACKGROUND else 0.01
        r = small_ratio if c in SMALL_CLASSES else large_ratio if c in BACKGROUND else bed_ratio
        rows.append({"class": c, "real_share": real, "gen_share": r * real, "ratio": r,
                     "gap_se": (r * real - real) / se})
    return pd.DataFrame(rows)


B = ss.get_budget("smoke")
C1_MODELS = [ss.model_name(B.dataset, p, it) for p, it in B.gans]


def _summary(fids, fsds):
    return pd.DataFrame({"model": C1_MODELS, "fid": fids, "fsd": fsds})


def test_c1_holds_only_when_every_gan_underdraws_every_small_class():
    good = {m: _ratios(0.5, 1.0) for m in C1_MODELS}
    r = ss.c1(_summary([10, 20], [1, 2]), good, B)
    assert r["held"] and "(the same)" in r["evidence"]
    one_bad = {**good, C1_MODELS[1]: _ratios(0.5, 0.8)}                  # a large class under-drawn
    assert not ss.c1(_summary([10, 20], [1, 2]), one_bad, B)["held"]
    within_se = {m: _ratios(0.95, 1.0, se=0.01) for m in C1_MODELS}     # gap 0.0005 / 0.01 = -0.05 SE
    assert not ss.c1(_summary([10, 20], [2, 1]), within_se, B)["held"]
    assert "(different)" in ss.c1(_summary([10, 20], [2, 1]), good, B)["evidence"]


def test_c3_rank_correlation():
    p, it = B.c3_recipe
    a, b = (ss.model_name(d, p, it) for d in (B.dataset, B.second))
    base = _ratios(0.5, 1.0)
    base["ratio"] = np.linspace(0.1, 2, len(CLASSES))
    same = {a: base, b: base.assign(ratio=base.ratio * 1.3)}
    assert ss.c3(same, B)["held"]
    flipped = {a: base, b: base.assign(ratio=base.ratio[::-1].to_numpy())}
    r = ss.c3(flipped, B)
    assert not r["held"] and "Spearman rho of gen/real ratios -1.00" in r["evidence"]


def test_budgets_are_named_and_checked():
    assert ss.get_budget("cpu").n >= 1000
    with pytest.raises(ValueError, match="smoke"):
        ss.get_budget("huge")
