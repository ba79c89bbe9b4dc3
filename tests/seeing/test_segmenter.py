import numpy as np
import pytest
import torch

from gan_repro.data import ImageSet, load_dataset
from gan_repro.data.scenes import CLASSES
from gan_repro.seeing import SegmenterConfig, iou_table, train_segmenter
from gan_repro.seeing.segmenter import cache_key, ce_weights


def test_iou_closed_form():
    true = torch.tensor([0, 0, 1, 1, 2, 2])
    pred = torch.tensor([0, 1, 1, 1, 2, 0])
    t = iou_table(pred, true, ["a", "b", "c", "d"]).set_index("class")
    assert t.iou["a"] == pytest.approx(1 / 3) and t.iou["b"] == pytest.approx(2 / 3)
    assert t.iou["c"] == pytest.approx(1 / 2) and np.isnan(t.iou["d"])      # absent from both: no IoU


def test_ce_weights_favour_small_classes():
    m = torch.zeros(1, 10, 10, dtype=torch.uint8)
    m[0, 0, :1] = 1                                               # 1 % of the pixels
    w = ce_weights(m, SegmenterConfig(2))
    assert w[1] / w[0] == pytest.approx(np.sqrt(99), rel=1e-5) and w.mean() == pytest.approx(1)
    assert ce_weights(m, SegmenterConfig(2, class_weights="none")) is None
    with pytest.raises(ValueError, match="unknown class_weights"):
        ce_weights(m, SegmenterConfig(2, class_weights="focal"))


@pytest.fixture(scope="module")
def scenes_and_segmenter():
    tr, te = load_dataset("scenes-bedroom-small", "train"), load_dataset("scenes-bedroom-small", "test")
    seg = train_segmenter(SegmenterConfig(len(CLASSES), width=8, epochs=3, batch_size=32), tr, progress=False,
                          cache=False)
    return tr, te, seg


def test_learns_the_large_classes(scenes_and_segmenter):
    # 48 steps on 512 scenes: far from the cpu segmenter, but wall and floor must already be found
    _, te, seg = scenes_and_segmenter
    pred = seg(te.images, batch_size=100)
    assert pred.shape == te.masks.shape and pred.dtype == torch.uint8
    t = iou_table(pred, te.masks, CLASSES).set_index("class")
    assert t.iou["wall"] > 0.5 and t.iou["floor"] > 0.5
    assert torch.equal(seg(te.images[:7]), pred[:7])                      # batching does not change the answer


def test_rejects_wrong_images(scenes_and_segmenter):
    _, te, seg = scenes_and_segmenter
    with pytest.raises(ValueError, match=r"shape \(N, 3, 32, 32\)"):
        seg(torch.zeros(2, 3, 28, 28, dtype=torch.uint8))
    with pytest.raises(ValueError, match="1 or 3 channels"):
        seg(torch.zeros(2, 4, 32, 32, dtype=torch.uint8))
    with pytest.raises(TypeError, match="uint8"):
        seg(te.images.float())


def test_training_needs_masks_and_the_cache_key_sees_them(scenes_and_segmenter):
    tr, _, _ = scenes_and_segmenter
    cfg = SegmenterConfig(len(CLASSES))
    with pytest.raises(ValueError, match="needs masks"):
        train_segmenter(cfg, ImageSet(tr.images, tr.labels), progress=False)
    other = ImageSet(tr.images, tr.labels, masks=tr.masks.flip(2))
    assert cache_key(cfg, tr) != cache_key(cfg, other)
