"""GAN Seeing (Bau et al., ICCV 2019): the scenes' segmenter; layer access and inversion come next (notebook 13)."""
from gan_repro.seeing.segmenter import Segmenter, SegmenterConfig, iou_table, train_segmenter

__all__ = ["Segmenter", "SegmenterConfig", "iou_table", "train_segmenter"]
