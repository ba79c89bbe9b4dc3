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


@need_mnist
def test_adopt_takes_a_run_the_zoo_config_continues_exactly_and_nothing_else(tmp_path):
    from dataclasses import replace

    from gan_repro.train import CheckpointError, Trainer
    prof = get_profile("smoke")
    zoo_cfg = zoo.train_config("sngan", "mnist", prof, 0)
    old = Trainer(replace(zoo_cfg, iters=1), tmp_path / "zoo" / "sngan-mnist", progress=False).fit()
    # trained elsewhere: the default init named, other checkpoint and log intervals
    src = Trainer(replace(zoo_cfg, init="torch", ckpt_every=1, log_every=1), tmp_path / "src", progress=False).fit()
    other = Trainer(replace(zoo_cfg, seed=1), tmp_path / "other", progress=False).fit()
    with pytest.raises(CheckpointError, match="nothing adopted"):
        zoo.adopt(tmp_path / "other", "sngan", "mnist", prof, 0, root=tmp_path / "zoo")
    assert torch.load(tmp_path / "zoo" / "sngan-mnist" / "generator.pt", weights_only=False)["step"] == 1
    t = zoo.adopt(tmp_path / "src", "sngan", "mnist", prof, 0, root=tmp_path / "zoo")
    made = torch.load(t.out / "generator.pt", weights_only=False)
    assert made["config_hash"] == zoo_cfg.hash() and made["finished"] and made["step"] == zoo_cfg.iters
    for a, b in zip(src.G.state_dict().values(), made["G"].values()):
        assert torch.equal(a, b)
    assert (t.out / "superseded" / old.cfg.hash() / "generator.pt").exists()       # the zoo's old run kept
    assert zoo.train_or_load("sngan", "mnist", prof, 0, root=tmp_path / "zoo")[0].step == zoo_cfg.iters
    assert other.cfg.seed == 1


@need_mnist
def test_adopt_takes_a_finished_runs_generator_alone_when_its_checkpoint_is_gone(tmp_path):
    from dataclasses import replace

    from gan_repro.train import CheckpointError, Trainer
    prof = get_profile("smoke")
    zoo_cfg = zoo.train_config("sngan", "mnist", prof, 0)
    src = Trainer(replace(zoo_cfg, init="torch", ckpt_every=1, log_every=1), tmp_path / "src", progress=False).fit()
    Trainer(replace(zoo_cfg, init="torch", iters=1), tmp_path / "short", progress=False).fit()
    for run in ("src", "short"):                          # a clone of results/ holds generator.pt, not the checkpoint
        (tmp_path / run / "checkpoint.pt").unlink()
    with pytest.raises(CheckpointError, match="nothing adopted"):   # G alone cannot be trained on to the zoo's iters
        zoo.adopt(tmp_path / "short", "sngan", "mnist", prof, 0, root=tmp_path / "zoo")
    assert not (tmp_path / "zoo" / "sngan-mnist").exists()
    t = zoo.adopt(tmp_path / "src", "sngan", "mnist", prof, 0, root=tmp_path / "zoo")
    made = torch.load(t.out / "generator.pt", weights_only=False)
    assert made["config_hash"] == zoo_cfg.hash() and made["finished"] and made["step"] == zoo_cfg.iters
    assert t.step == zoo_cfg.iters and not (t.out / "checkpoint.pt").exists()
    for a, b in zip(src.G.state_dict().values(), t.G.state_dict().values()):
        assert torch.equal(a, b)
    again = zoo.train_or_load("sngan", "mnist", prof, 0, root=tmp_path / "zoo")[0]    # loaded, not retrained
    assert again.step == zoo_cfg.iters and not (again.out / "checkpoint.pt").exists()
