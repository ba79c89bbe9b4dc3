"""Claim B2's criterion, intervals and verdict on hand-made truncation curves."""
import pandas as pd
import pytest

from gan_repro.analysis import biggan_ortho as bo

B = bo.OrthoBudget("t", "mnist", width=4, iters=1, seeds=(0, 1, 2), thresholds=(None, 1.0, 0.5, 0.25), n=10)


def _model(beta, seed, fid, is_):
    return [{"beta": beta, "seed": seed, "threshold": t, "n": 10, "fid": f, "is": i, "precision": 0.5, "recall": 0.5}
            for t, f, i in zip(B.thresholds, fid, is_)]


def test_amenable_needs_higher_is_and_fid_near_the_curves_minimum():
    df = pd.DataFrame(_model(1e-4, 0, [30, 25, 29, 40], [5, 6, 7, 8])       # IS up, FID(0.5) 29 <= 1.25 x 25
                      + _model(1e-4, 1, [30, 25, 32, 40], [5, 6, 7, 8])     # FID(0.5) 32 > 31.25: artefacts
                      + _model(1e-4, 2, [30, 25, 26, 40], [5, 6, 4.9, 8]))  # IS at 0.5 below untruncated
    am = bo.amenable(df, B)
    assert am.amenable.tolist() == [True, False, False]
    assert am.fid_ok.tolist() == [True, False, True] and am.is_up.tolist() == [True, True, False]
    assert am["fid_0.5"].tolist() == [29, 32, 26] and am.fid_min.tolist() == [25, 25, 25]


def test_wilson_interval_matches_its_closed_form():
    lo, hi = bo.wilson(0, 6)                      # k = 0: lower bound 0, upper z^2 / (n + z^2)
    z2 = 1.959963984540054 ** 2
    assert lo == pytest.approx(0.0, abs=1e-12) and hi == pytest.approx(z2 / (6 + z2), rel=1e-6)
    lo, hi = bo.wilson(3, 6)                      # symmetric about one half
    assert lo == pytest.approx(1 - hi, rel=1e-9) and lo < 0.5 < hi


def test_b2_compares_the_shares_and_says_whether_they_are_apart():
    good, bad = ([30, 25, 29, 40], [5, 6, 7, 8]), ([30, 25, 60, 90], [5, 6, 4, 3])
    rows = []
    for s in range(6):
        rows += _model(1e-4, s, *good) + _model(0.0, s, *(good if s == 0 else bad))
    r = bo.b2(bo.amenable(pd.DataFrame(rows), B), "mnist")
    assert r["held"] and r["claim"] == "B2" and "6/6" in r["evidence"] and "1/6" in r["evidence"]
    assert "apart" in r["evidence"] and "Fisher p 0.02" in r["evidence"]   # 6/6 vs 1/6: p = 0.015
    rows = []
    for s in range(6):
        rows += _model(1e-4, s, *(good if s < 2 else bad)) + _model(0.0, s, *(good if s < 3 else bad))
    r = bo.b2(bo.amenable(pd.DataFrame(rows), B), "mnist")
    assert not r["held"] and "overlap" in r["evidence"]


def test_unknown_profile_is_a_clear_error():
    with pytest.raises(ValueError, match="no orthogonal-regularisation study for profile 'x'"):
        bo.get_ortho_budget("x")
