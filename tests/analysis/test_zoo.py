"""zoo_summary on a 3-step MNIST run: FID before and after, and GAN-test counts samples of their class;
notebook 02's preset selection."""
import pytest
import torch

from gan_repro.analysis import zoo
from gan_repro.data import load_dataset
from gan_repro.metrics import InceptionExtractor
from gan_repro.profiles import get_profile
from tests.needs import need_inception, need_mnist


class _Always(torch.nn.Module):
    """A "classifier" that labels every image as class k: (B, C, H, W) -> (B, 10) one-hot logits."""

    def __init__(self, k: int):
        super().__init__()
        self.k = k

    def forward(self, x):
        return torch.nn.functional.one_hot(torch.full((len(x),), self.k), 10).float()


@need_mnist
@need_inception
def test_gan_test_is_the_share_of_samples_labelled_as_the_class_they_were_drawn_for(tmp_path):
    t, sec = zoo.train_or_load("dcgan", "mnist", get_profile("smoke"), 0, root=tmp_path)
    key = ("dcgan", "mnist")
    out = zoo.zoo_summary({key: t}, {key: sec}, {"mnist": load_dataset("mnist", "test")}, InceptionExtractor(),
                          10, 0, classifiers={"mnist": _Always(3)})
    assert out.loc[0, "gan_test_10"] == 1 / 10            # classes cycled 0..9: one of 10 samples was a 3
    assert out.loc[0, "iters"] == 3 and torch.isfinite(torch.tensor(out.loc[0, ["fid_init_10", "fid_10"]].tolist())).all()


def test_select_presets_keeps_the_order_given_and_names_unknown_presets():
    assert zoo.select_presets("all") == zoo.ALL_PRESETS
    assert zoo.select_presets("sngan, dcgan") == ("sngan", "dcgan")
    with pytest.raises(ValueError, match="unknown preset 'sgan'; valid: dcgan"):
        zoo.select_presets("dcgan,sgan")
    with pytest.raises(ValueError, match="no preset in ' , '; name some of dcgan"):
        zoo.select_presets(" , ")
