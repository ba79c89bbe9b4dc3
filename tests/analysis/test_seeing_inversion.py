import numpy as np
import pandas as pd
import pytest
import torch

from gan_repro.analysis import seeing_inversion as si
from gan_repro.data.scenes import CLASSES

B = si.get_budget("smoke")


def _measures(shift, n=20, seed=0):
    rng = np.random.default_rng(seed)
    base = rng.uniform(0.1, 0.3, n)
    return pd.DataFrame({"l1": base - shift, "psnr": 20 + 10 * shift + rng.normal(0, 0.01, n),
                         "perceptual": base - shift, "miou": 0.5 + shift + rng.normal(0, 0.01, n)})


def _real(d_shift):
    return {"z": (None, _measures(0.0)), "encoder": (None, _measures(0.0, seed=1)),
            "encoder+z": (None, _measures(0.0, seed=2)), "layerwise": (None, _measures(d_shift))}


def _tables(rho_sign):
    iou = np.linspace(0.2, 0.9, len(CLASSES))
    ious = pd.DataFrame({si.LABELS["layerwise"]: iou}, index=pd.Index(CLASSES, name="class"))
    ratio = np.linspace(0.3, 1.2, len(CLASSES))[::rho_sign]
    return ious, pd.DataFrame({"class": CLASSES, "ratio": ratio})


def test_c2_needs_both_parts():
    ious, ratios = _tables(1)
    assert si.c2(_real(0.05), ious, ratios, B, "x")["held"]
    assert not si.c2(_real(0.0), ious, ratios, B, "x")["held"]          # (d) no better than (a), (b)
    ious, flipped = _tables(-1)
    r = si.c2(_real(0.05), ious, flipped, B, "x")
    assert not r["held"] and "-1.00" in r["evidence"]                   # misses what G draws well: no


def test_measures_closed_form():
    class Same:
        def __call__(self, x):
            return x
    x = torch.zeros(2, 3, 4, 4)
    recon = torch.full((2, 3, 4, 4), 0.2)                               # 0.1 apart on [0, 1] pixels

    class Seg:
        def __call__(self, imgs):
            return torch.zeros(len(imgs), 4, 4, dtype=torch.uint8)
    s = si.Setup(None, None, Seg(), Same(), None, "")
    m = si.measures(x, recon, torch.zeros(2, 4, 4, dtype=torch.uint8), s)
    assert m.l1.tolist() == pytest.approx([0.1, 0.1]) and m.psnr.tolist() == pytest.approx([20.0, 20.0], abs=1e-4)
    assert m.perceptual.tolist() == pytest.approx([0.2, 0.2]) and m.miou.tolist() == [1.0, 1.0]
