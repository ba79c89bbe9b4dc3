import numpy as np
import pytest
import torch

from gan_repro.metrics import evaluate
from gan_repro.metrics.frechet import frechet_distance
from gan_repro.metrics.segment_stats import class_counts, fsd, ratio_table, segment_stats


def _masks():
    m = torch.zeros(3, 4, 4, dtype=torch.uint8)
    m[0, :2] = 1          # image 0: 8 px of class 1, 8 of class 0
    m[1, 0, 0] = 2        # image 1: 1 px of class 2
    return m              # image 2: all class 0


def test_counts_and_stats_closed_form():
    c = class_counts(_masks(), 3)
    assert c.tolist() == [[8, 8, 0], [15, 0, 1], [16, 0, 0]]
    st = segment_stats(_masks(), 3)
    np.testing.assert_allclose(st.mean_fraction, [(8 + 15 + 16) / 48, 8 / 48, 1 / 48])
    np.testing.assert_allclose(st.presence, [1, 1 / 3, 1 / 3])
    frac = np.array(c, float) / 16
    np.testing.assert_allclose(st.se_fraction, frac.std(0, ddof=1) / np.sqrt(3))
    np.testing.assert_allclose(st.sigma, np.cov(100 * frac, rowvar=False))


def test_fsd_with_itself_is_zero_and_equals_frechet_on_scaled_counts():
    g = torch.Generator().manual_seed(0)
    a = torch.randint(0, 5, (50, 8, 8), generator=g, dtype=torch.uint8)
    b = (torch.rand(60, 8, 8, generator=g) * 3).to(torch.uint8)           # another distribution
    sa, sb = segment_stats(a, 5), segment_stats(b, 5)
    assert abs(fsd(sa, sa).value) < 1e-8
    ca, cb = class_counts(a, 5) * 100 / 64, class_counts(b, 5) * 100 / 64  # ganseeing: fraction x 100
    ref = frechet_distance(ca.mean(0), np.cov(ca, rowvar=False), cb.mean(0), np.cov(cb, rowvar=False))
    r = fsd(sa, sb)
    assert r.value == pytest.approx(ref.value, rel=1e-12) and r.value > 10
    assert r.mean_term + r.trace_term == pytest.approx(r.value)


def test_ratio_table():
    gen = segment_stats(torch.zeros(4, 4, 4, dtype=torch.uint8), 3)       # all class 0
    real = segment_stats(_masks(), 3)
    r = ratio_table(gen, real, ["a", "b", "c"]).set_index("class")
    assert r.ratio["a"] == pytest.approx(1 / ((8 + 15 + 16) / 48))
    # class b: real fractions (1/2, 0, 0), mean 1/6, SE = sd / sqrt(3) = 1/6; gen all 0 -> gap -1 SE exactly
    assert r.ratio["b"] == 0 and r.gap_se["b"] == pytest.approx(-1) and r.gen_presence["b"] == 0


@pytest.mark.parametrize("bad, msg", [
    (torch.zeros(2, 4, 4), "integer"),
    (torch.zeros(4, 4, dtype=torch.long), r"\(N, H, W\)"),
    (torch.full((2, 4, 4), 7, dtype=torch.long), r"ids must lie in \[0, 3\)"),
])
def test_bad_masks(bad, msg):
    with pytest.raises(ValueError, match=msg):
        class_counts(bad, 3)


class _Threshold:
    """A fake segmenter: class = red channel // 64 (4 classes)."""
    n_classes, name = 4, "red // 64"

    def __call__(self, images):
        return (images[:, 0] // 64).to(torch.uint8)


def test_fsd_through_evaluate_matches_the_pipeline():
    g = torch.Generator().manual_seed(1)
    fake = torch.randint(0, 256, (40, 3, 8, 8), generator=g, dtype=torch.uint8)
    real = torch.randint(0, 128, (40, 3, 8, 8), generator=g, dtype=torch.uint8)
    seg = _Threshold()
    rec = evaluate(fake, real, ["fsd"], segmenter=seg, progress=False)
    want = fsd(segment_stats(seg(fake), 4), segment_stats(seg(real), 4))
    assert rec["fsd"] == pytest.approx(want.value) and rec["fsd_segmenter"] == "red // 64"
    with pytest.raises(ValueError, match="fsd needs segmenter"):
        evaluate(fake, real, ["fsd"], progress=False)
