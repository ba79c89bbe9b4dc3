import math

import pytest
import torch

from gan_repro.metrics import inception_score, m_inception_score


@pytest.mark.parametrize("k", [2, 10, 100])
def test_uniform_one_hot_over_k_classes_gives_k(k):
    p = torch.eye(k).repeat(10, 1)                    # every split holds each class once
    r = inception_score(p, splits=10, generator=torch.Generator().manual_seed(0))
    # with a shuffle the splits are not exactly balanced; unshuffled-equivalent check on the whole set:
    assert inception_score(p, splits=1).mean == pytest.approx(k, rel=1e-9)
    assert r.mean <= k + 1e-9


def test_identical_predictions_give_one():
    p = torch.softmax(torch.randn(1, 7), 1).repeat(100, 1)
    r = inception_score(p, splits=10)
    assert r.mean == pytest.approx(1.0, abs=1e-9) and r.std == pytest.approx(0.0, abs=1e-9)


def test_logits_equal_their_softmax_and_splits_are_seeded():
    logits = torch.randn(200, 5, generator=torch.Generator().manual_seed(0)) * 3
    a = inception_score(logits, kind="logits", generator=torch.Generator().manual_seed(1))
    b = inception_score(torch.softmax(logits.double(), 1), generator=torch.Generator().manual_seed(1))
    c = inception_score(logits, kind="logits", generator=torch.Generator().manual_seed(2))
    assert a.mean == pytest.approx(b.mean, rel=1e-12) and a != c


def test_std_is_ddof0_over_splits():
    logits = torch.randn(100, 5, generator=torch.Generator().manual_seed(0)) * 3
    p = torch.softmax(logits.double(), 1)
    g = torch.Generator().manual_seed(0)
    r = inception_score(p, splits=4, generator=g)
    perm = torch.randperm(100, generator=torch.Generator().manual_seed(0))
    parts = [inception_score(c, splits=1).mean for c in torch.chunk(p[perm], 4)]
    mean = sum(parts) / 4
    assert r.std == pytest.approx(math.sqrt(sum((x - mean) ** 2 for x in parts) / 4), rel=1e-9)


def test_m_is_is_one_for_collapsed_classes_and_large_for_diverse_ones():
    labels = torch.arange(4).repeat_interleave(10)
    collapsed = torch.softmax(torch.randn(4, 6), 1).repeat_interleave(10, 0)
    assert m_inception_score(collapsed, labels) == pytest.approx(1.0, abs=1e-9)
    diverse = torch.eye(10)[torch.arange(40) % 10] * 0.9 + 0.01   # rows sum to 1
    assert m_inception_score(diverse, labels) > 5


def test_is_bad_input():
    with pytest.raises(ValueError, match="sum to 1"):
        inception_score(torch.rand(20, 3) * 5)
    with pytest.raises(ValueError, match="at least 10 samples"):
        inception_score(torch.eye(3))
    with pytest.raises(ValueError, match="NaN"):
        inception_score(torch.full((20, 3), float("nan")), kind="logits")
