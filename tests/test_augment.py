"""Classifier augmentations: each output is a padded crop (maybe flipped) of its own input image."""
import pytest
import torch
import torch.nn.functional as F

from gan_repro.classifiers import augment


def _offsets(x, out, pad):
    """(dy, dx, flipped) per image: the crop of the padded input that each output equals."""
    xp = F.pad(x, (pad,) * 4, value=-1.0)
    h, w = x.shape[2:]
    found = []
    for i in range(len(x)):
        hits = [(dy, dx, f) for dy in range(2 * pad + 1) for dx in range(2 * pad + 1) for f in (False, True)
                if torch.equal(out[i], (lambda c: c.flip(2) if f else c)(xp[i, :, dy:dy + h, dx:dx + w]))]
        assert len(hits) == 1, (i, hits)
        found.append(hits[0])
    return found


@pytest.mark.parametrize("kind", ["crop4flip", "crop4flip-each"])
def test_crops_come_from_the_image_and_each_kind_shifts_as_named(kind):
    x = torch.rand(64, 3, 8, 8) + 1.0                       # distinct values, none equal to the pad (-1)
    out = augment(x, kind, torch.Generator().manual_seed(0))
    assert out.shape == x.shape
    found = _offsets(x, out, 4)
    shifts = {(dy, dx) for dy, dx, _ in found}
    flips = sum(f for *_, f in found)
    assert 10 < flips < 54                                  # flips are per image in both kinds
    assert (len(shifts) == 1) if kind == "crop4flip" else (len(shifts) > 20)
    again = augment(x, kind, torch.Generator().manual_seed(0))
    assert torch.equal(out, again)                          # seeded


def test_an_unknown_augment_lists_the_valid_ones():
    with pytest.raises(ValueError, match="crop4flip-each"):
        augment(torch.zeros(1, 1, 4, 4), "mixup", torch.Generator())
