"""The extractor on real images: reference parity, backend equality, batch-size invariance, weights."""
import pytest
import torch

from gan_repro.metrics import InceptionExtractor, extract_features, find_weights
from gan_repro.metrics.features import TS_SHA256, cached_features, verify_weights
from gan_repro.metrics.reference import pytorch_fid_model, state_dict_from_torchscript
from tests.needs import need_cifar, need_inception


@pytest.fixture(scope="module")
def cifar16():
    from gan_repro.data import load_dataset
    return load_dataset("cifar10", "test").images[:16]


@need_cifar
@need_inception
def test_equal_to_pytorch_fid_preprocessing_plus_network(extractor, cifar16):
    ref = pytorch_fid_model(state_dict_from_torchscript(extractor.info.path))
    with torch.no_grad():
        want = ref(cifar16.float() / 255.0)[0].flatten(1)     # pytorch-fid: [0, 1] in, resizes itself
    assert (extractor(cifar16) - want).abs().max() < 1e-4


@need_cifar
@need_inception
def test_frozen_equals_raw_torchscript(extractor, cifar16):
    raw = InceptionExtractor(backend="torchscript")
    assert (extractor(cifar16) - raw(cifar16)).abs().max() < 1e-4


@need_cifar
@need_inception
def test_batch_size_invariance_and_gray_input(extractor, cifar16, mnist_test):
    a = extract_features(cifar16, extractor, batch_size=16, progress=False)
    b = extract_features(cifar16, extractor, batch_size=3, progress=False)
    assert a.shape == (16, 2048) and (a - b).abs().max() < 1e-4
    gray = mnist_test.images[:4]
    assert (extractor(gray) - extractor(gray.expand(-1, 3, -1, -1))).abs().max() == 0


@need_inception
def test_weights_are_verified_by_sha256(tmp_path, extractor):
    assert extractor.info.sha256 == TS_SHA256 and extractor.info.kind == "torchscript-pool3"
    bad = tmp_path / "inception.pt"
    bad.write_bytes(b"not the network")
    with pytest.raises(RuntimeError, match="failed the sha256 check"):
        verify_weights(bad)


def test_missing_weights_list_every_path_tried(tmp_path, monkeypatch):
    monkeypatch.delenv("GAN_REPRO_INCEPTION", raising=False)
    monkeypatch.setattr("torch.hub.get_dir", lambda: str(tmp_path / "hub"))
    with pytest.raises(FileNotFoundError) as e:
        find_weights(root=tmp_path)
    msg = str(e.value)
    assert "inception-2015-12-05-pool3.torchscript.pt" in msg and "pt_inception-2015-12-05-6726825d.pth" in msg
    assert str(tmp_path / "weights") in msg


def test_unknown_mode_and_backend(tmp_path):
    with pytest.raises(ValueError, match="valid: pytorch-fid"):
        InceptionExtractor(mode="clean", root=tmp_path)
    with pytest.raises(ValueError, match="valid: frozen, torchscript"):
        InceptionExtractor(backend="onnx", root=tmp_path)


@need_cifar
@need_inception
def test_cache_is_keyed_by_content(extractor, cifar16, tmp_path):
    a = cached_features(cifar16[:4], extractor, cache_dir=tmp_path, progress=False)
    b = cached_features(cifar16[:4], extractor, cache_dir=tmp_path, progress=False)
    assert torch.equal(a, b) and len(list(tmp_path.iterdir())) == 1
    other = cifar16[:4].clone()
    other[0, 0, 0, 0] ^= 1                                  # one pixel differs: a new key
    cached_features(other, extractor, cache_dir=tmp_path, progress=False)
    assert len(list(tmp_path.iterdir())) == 2


def test_inception_logits_need_the_full_weights(tmp_path, monkeypatch):
    from gan_repro.metrics.features import InceptionLogits
    monkeypatch.setattr("torch.hub.get_dir", lambda: str(tmp_path / "hub"))
    with pytest.raises(FileNotFoundError, match="pt_inception-2015-12-05-6726825d.pth.*\n.*\n.*in-project"):
        InceptionLogits.from_pytorch_fid(root=tmp_path)


def test_inception_logits_are_pool3_times_fc():
    from gan_repro.metrics.features import InceptionLogits
    feats = torch.randn(5, 2048, generator=torch.Generator().manual_seed(0))
    w, b = torch.randn(1008, 2048) * 0.01, torch.randn(1008)
    fake_extractor = lambda imgs: feats[: len(imgs)]  # noqa: E731
    imgs = torch.zeros(5, 3, 32, 32, dtype=torch.uint8)
    unbiased = InceptionLogits(fake_extractor, w, b)(imgs)
    biased = InceptionLogits(fake_extractor, w, b, variant="biased")(imgs)
    assert torch.allclose(unbiased, feats @ w.T, atol=1e-5) and torch.allclose(biased - unbiased, b.expand(5, -1), atol=1e-5)
    with pytest.raises(ValueError, match="valid: unbiased, biased"):
        InceptionLogits(fake_extractor, w, b, variant="tf")
