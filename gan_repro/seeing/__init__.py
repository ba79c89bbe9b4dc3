"""GAN Seeing (Bau et al., ICCV 2019): the scenes' segmenter, layer access and layer-wise inversion."""
from gan_repro.seeing.inversion import METHODS, Encoder, InversionConfig, InversionResult, invert, train_encoder
from gan_repro.seeing.nethook import LayerView
from gan_repro.seeing.segmenter import Segmenter, SegmenterConfig, SegmenterFeatures, iou_table, train_segmenter

__all__ = ["METHODS", "Encoder", "InversionConfig", "InversionResult", "LayerView", "Segmenter", "SegmenterConfig",
           "SegmenterFeatures", "invert", "iou_table", "train_encoder", "train_segmenter"]
