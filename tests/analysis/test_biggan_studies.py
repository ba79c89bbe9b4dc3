"""Notebook 09's truncation sweep and claim B1, on stub generators and hand-made curves."""
import math

import pandas as pd
import pytest
import torch

from gan_repro.analysis import biggan_studies as bs
from gan_repro.truncation import TRUNCATIONS


class _StubTrainer:
    """A 'generator' whose image brightness is the mean |z| of its code; records every z it is given."""
    z_dim, n_classes = 8, 3

    def __init__(self):
        self.zs = []

    def sample(self, n, generator, labels=None, z=None):
        self.zs.append(z)
        level = (z.abs().mean(1) * 80).clamp(0, 255).to(torch.uint8)           # (n,)
        noise = torch.randint(0, 40, (n, 1, 8, 8), generator=generator, dtype=torch.uint8)
        return level[:, None, None, None] + noise, labels


class _StubScorer:
    name = "stub"

    def __call__(self, images):
        m = images.float().mean((1, 2, 3))
        return torch.stack([m / 10, -m / 10, torch.zeros_like(m)], 1)


def _extract(images):
    return images.float().flatten(1)[:, :6]


def test_sample_truncated_uses_the_variants_codes_and_cycles_classes():
    t = _StubTrainer()
    s = bs.sample_truncated(t, 7, "resample", 0.5, seed=0, batch=3)
    z = torch.cat(t.zs)
    assert z.shape == (7, 8) and z.abs().max() <= 0.5 and len(t.zs) == 3       # batches of 3, 3, 1
    assert s.labels.tolist() == [0, 1, 2, 0, 1, 2, 0] and s.images.shape == (7, 1, 8, 8)
    t2 = _StubTrainer()
    bs.sample_truncated(t2, 7, "clamp", 0.5, seed=0)
    assert (t2.zs[0].abs() == 0.5).any()                                         # clamping: mass on the bound


def test_sweep_has_one_finite_row_per_variant_threshold_and_seed():
    budget = bs.SweepBudget("t", (None, 1.0, 0.1), n=24, seeds=(0, 1), variant_seeds=(0,), variant_thresholds=(0.5,))
    real = _extract(_StubTrainer().sample(24, torch.Generator().manual_seed(5), None, torch.randn(24, 8))[0])
    t = _StubTrainer()
    df = bs.truncation_sweep(t, "stub", budget, real, _extract, _StubScorer())
    assert len(df) == 3 * 2 + (len(TRUNCATIONS) - 1) * 2
    assert df[["fid", "is", "precision", "recall"]].notna().all().all()
    c = bs.curve(df)
    assert c.threshold.tolist() == [math.inf, 1.0, 0.1] and (c.fid_se >= 0).all()
    # untruncated, every variant draws the same z: scored once per seed (6 + 3 sampled points), copied
    assert len(t.zs) == 6 + (len(TRUNCATIONS) - 1) and df.shared.sum() == len(TRUNCATIONS) - 1
    untrunc = df[df.threshold.isna() & (df.seed == 0)]
    assert untrunc.fid.nunique() == 1 and len(untrunc) == len(TRUNCATIONS)
    # ...which is honest only because the codes really are identical
    codes = [bs.truncated_noise(v, 5, 8, None, torch.Generator().manual_seed(0)) for v in TRUNCATIONS]
    assert all(torch.equal(codes[0], z) for z in codes[1:])


def test_sample_grid_rows_are_classes_and_columns_keep_their_codes():
    t = _StubTrainer()
    grids = bs.sample_grid(t, (None, 2.0, 0.5), per_class=4, seed=3)
    assert list(grids) == [None, 2.0, 0.5] and grids[0.5].shape == (3 * 4, 1, 8, 8)
    z_none, z_2, z_half = t.zs                                                   # (12, 8) each
    assert torch.equal(z_none[:4], z_none[4:8]) and torch.equal(z_none[:4], z_none[8:])   # same codes per row
    keep = z_none.abs() <= 2.0                                                  # within 2: not redrawn
    assert torch.equal(z_2[keep], z_none[keep]) and z_half.abs().max() <= 0.5


def _curve(fid, is_, thr=(None, 2.0, 1.0, 0.5, 0.1), seeds=3, jitter=0.01):
    rows = []
    for s in range(seeds):
        for t, f, i in zip(thr, fid, is_):
            rows.append({"model": "m", "variant": "resample", "threshold": t, "seed": s, "n": 100,
                         "fid": f * (1 + jitter * (s - 1)), "is": i, "precision": 0.5, "recall": 0.5})
    return pd.DataFrame(rows)


def test_b1_holds_for_the_papers_shape_and_not_otherwise():
    ok = bs.b1(_curve(fid=[30, 25, 20, 24, 40], is_=[5, 6, 7, 8, 9]))[0]
    assert ok["held"] and ok["claim"] == "B1" and ok["dataset"] == "m"
    # FID still falling at the smallest threshold: not U-shaped
    assert not bs.b1(_curve(fid=[30, 25, 20, 18, 15], is_=[5, 6, 7, 8, 9]))[0]["held"]
    # the rise at the end within the seeds' spread: not "clearly worse"
    assert not bs.b1(_curve(fid=[30, 25, 20, 24, 20.5], is_=[5, 6, 7, 8, 9], jitter=0.2))[0]["held"]
    # IS not rising as the threshold falls
    assert not bs.b1(_curve(fid=[30, 25, 20, 24, 40], is_=[9, 5, 8, 6, 7]))[0]["held"]


def test_unknown_sweep_profile_is_a_clear_error():
    with pytest.raises(ValueError, match="no truncation sweep for profile 'bogus'"):
        bs.get_sweep("bogus")


def test_threshold_label_names_no_truncation_however_stored():
    from gan_repro.analysis.biggan_studies import threshold_label
    assert [threshold_label(t) for t in (None, float("inf"), float("nan"), 0.5, 2.0)] == ["none"] * 3 + ["0.5", "2"]
