"""GAN-train / GAN-test on real MNIST with stand-in generators: the paper's core argument as tests."""
from dataclasses import replace

import pytest
import torch

from gan_repro import classifiers
from gan_repro.classifiers import ClassifierConfig, Scorer, accuracy, train_classifier
from gan_repro.data import ImageSet, load_dataset
from gan_repro.metrics import evaluate
from gan_repro.metrics.gan_train_test import gan_test, gan_train
from tests.needs import need_mnist

pytestmark = need_mnist
CFG = ClassifierConfig("convnet4", 1, 10, width=16, epochs=6, batch_size=64, seed=0)   # small, quick, named
N = 3000


@pytest.fixture(scope="module")
def setup():
    train, test = load_dataset("mnist", "train"), load_dataset("mnist", "test")
    real_train = ImageSet(train.images[:N], train.labels[:N])
    held_out = ImageSet(train.images[N:2 * N], train.labels[N:2 * N])     # the "perfect generator"
    test = ImageSet(test.images[:2000], test.labels[:2000])
    model = train_classifier(CFG, real_train, progress=False, cache=False)
    return real_train, held_out, test, model, accuracy(model, test.images, test.labels)


def test_a_perfect_generator_scores_like_real_data(setup):
    _, held_out, test, model, ref = setup
    assert ref > 0.9
    assert gan_test(held_out.images, held_out.labels, model, 10) == pytest.approx(ref, abs=0.03)
    assert gan_train(held_out.images, held_out.labels, test, CFG) == pytest.approx(ref, abs=0.03)


def test_one_image_per_class_has_high_gan_test_and_low_gan_train(setup):
    _, held_out, test, model, ref = setup
    first = torch.stack([torch.nonzero(held_out.labels == c)[0, 0] for c in range(10)])
    idx = first.repeat(N // 10)                         # 10 distinct images, each N/10 times
    x, y = held_out.images[idx], held_out.labels[idx]
    # only 10 distinct images, so GAN-test moves in steps of 0.1: it stays high (real, recognisable
    # images), while GAN-train collapses because the set teaches nothing of each class's spread
    g_test, g_train = gan_test(x, y, model, 10), gan_train(x, y, test, CFG)
    assert g_test >= 0.7 and g_train < ref - 0.25 and g_test - g_train > 0.2


def test_shuffled_labels_drop_both_to_chance(setup):
    _, held_out, test, model, _ = setup
    y = held_out.labels[torch.randperm(N, generator=torch.Generator().manual_seed(0))]
    assert gan_test(held_out.images, y, model, 10) < 0.2
    assert gan_train(held_out.images, y, test, CFG) < 0.3


def test_registered_in_evaluate_and_bad_input_is_rejected(setup):
    _, held_out, test, model, _ = setup
    small = ImageSet(held_out.images[:500], held_out.labels[:500])
    rec = evaluate(small, test, ["gan_test"], classifier=Scorer(model, "convnet4 on 3k MNIST"))
    assert 0.85 < rec["gan_test"] <= 1 and rec["gan_test_classifier"] == "convnet4 on 3k MNIST"
    with pytest.raises(ValueError, match="unconditional generator has none"):
        gan_test(held_out.images[:10], None, model, 10)
    with pytest.raises(ValueError, match="has 10 classes"):
        gan_test(held_out.images[:10], torch.full((10,), 12), model, 10)
    with pytest.raises(ValueError, match="needs class labels"):
        evaluate(held_out.images[:10], test, ["gan_train"], classifier_config=CFG)


def test_classifier_training_is_seeded(setup):
    real_train, _, test, model, ref = setup
    again = train_classifier(CFG, real_train, progress=False, cache=False)
    assert accuracy(again, test.images, test.labels) == ref
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), again.state_dict().values()))


def test_pool3_probe_fits_separable_features_and_rejects_bad_input():
    from gan_repro.classifiers import ProbeConfig, train_probe
    g = torch.Generator().manual_seed(0)
    centres = torch.randn(3, 50, generator=g) * 3                       # three well-separated classes
    y, yt = torch.arange(300) % 3, torch.arange(90) % 3
    probe = train_probe(centres[y] + torch.randn(300, 50, generator=g), y, ProbeConfig(3))
    assert (probe(centres[yt] + torch.randn(90, 50, generator=g)).argmax(1) == yt).all()
    x = centres[y] + torch.randn(300, 50, generator=torch.Generator().manual_seed(1))
    assert torch.equal(train_probe(x, y, ProbeConfig(3)).fc.weight, train_probe(x, y, ProbeConfig(3)).fc.weight)
    with pytest.raises(ValueError, match="NaN"):
        train_probe(torch.full((4, 2), float("nan")), torch.zeros(4, dtype=torch.long), ProbeConfig(2))
    with pytest.raises(ValueError, match=r"\(N, D\) features and N labels"):
        train_probe(torch.zeros(4, 2), torch.zeros(3, dtype=torch.long), ProbeConfig(2))


def test_cached_gan_train_loads_what_it_trained_and_keys_on_the_images(setup, tmp_path, monkeypatch):
    _, held_out, test, _, _ = setup
    monkeypatch.setenv("GAN_REPRO_CACHE", str(tmp_path))
    cfg, x, y = replace(CFG, epochs=1), held_out.images[:500], held_out.labels[:500]
    first = gan_train(x, y, test, cfg, cache=True)
    assert len(list((tmp_path / "classifiers").glob("*.pt"))) == 1

    def no_training(*args, **kwargs):
        raise RuntimeError("trained again")
    monkeypatch.setattr(classifiers, "fit_epochs", no_training)
    assert gan_train(x, y, test, cfg, cache=True) == first        # the same images: loaded, not retrained
    with pytest.raises(RuntimeError, match="trained again"):      # other images (one pixel): a new model
        gan_train(torch.cat([x[:1] ^ 1, x[1:]]), y, test, cfg, cache=True)
    with pytest.raises(RuntimeError, match="trained again"):      # the default stays uncached
        gan_train(x, y, test, cfg)
