import pytest
import torch

from gan_repro.data import DataError, ImageSet, balanced_subsample, load_dataset, load_npz, save_npz
from tests.needs import need_cifar, need_fashion, need_mnist

MNIST_TRAIN_COUNTS = (5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949)   # official
MNIST_TEST_COUNTS = (980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009)


@need_mnist
def test_mnist_counts_and_range():
    tr, te = load_dataset("mnist", "train"), load_dataset("mnist", "test")
    assert tr.images.shape == (60000, 1, 28, 28) and tr.images.dtype == torch.uint8
    assert tr.card.class_counts == MNIST_TRAIN_COUNTS and te.card.class_counts == MNIST_TEST_COUNTS
    assert tr.images.min() == 0 and tr.images.max() == 255
    assert tr.card.source == "official" and len(tr.card.sha256) == 64


@need_fashion
def test_fashion_mnist_is_balanced():
    tr, te = load_dataset("fashion-mnist", "train"), load_dataset("fashion-mnist", "test")
    assert tr.card.class_counts == (6000,) * 10 and te.card.class_counts == (1000,) * 10
    assert tr.classes[0] == "T-shirt/top"


@need_cifar
def test_cifar_subsets_match_the_data_card():
    c10 = load_dataset("cifar10", "train")
    assert c10.images.shape == (5438, 3, 32, 32) and len(load_dataset("cifar10", "test")) == 1017
    assert c10.card.source.startswith("subset:") and len(c10.classes) == 10
    assert min(c10.card.class_counts) > 450                   # about 540 per class
    c100 = load_dataset("cifar100", "train")
    assert len(c100) == 1117 and len(c100.card.class_counts) == 100
    assert len(load_dataset("cifar100", "test")) == 916


def test_npz_round_trip(tmp_path):
    g = torch.Generator().manual_seed(0)
    s = ImageSet(torch.randint(0, 256, (12, 3, 8, 8), generator=g, dtype=torch.uint8),
                 torch.arange(12) % 3)
    save_npz(tmp_path / "x.npz", {"train": s}, classes=["a", "b", "c"])
    back = load_npz(tmp_path / "x.npz", "train")
    assert torch.equal(back.images, s.images) and torch.equal(back.labels, s.labels)
    assert back.classes == ["a", "b", "c"] and back.card.class_counts == (4, 4, 4)


def test_missing_data_names_every_path_tried(tmp_path):
    with pytest.raises(DataError) as e:
        load_dataset("cifar10", "train", root=tmp_path)
    assert "cifar-10-batches-py" in str(e.value) and "cifar10-subset.npz" in str(e.value)
    with pytest.raises(DataError, match="train-images-idx3-ubyte"):
        load_dataset("mnist", "train", root=tmp_path)


@need_mnist
def test_truncated_idx_file_is_reported_as_damaged(tmp_path):
    from gan_repro.data import data_root
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    src = data_root() / "MNIST" / "raw"
    for f in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        (raw / f).write_bytes((src / f).read_bytes())
    data = (raw / "t10k-images-idx3-ubyte").read_bytes()
    (raw / "t10k-images-idx3-ubyte").write_bytes(data[:-100])
    with pytest.raises(DataError, match="damaged.*re-download"):
        load_dataset("mnist", "test", root=tmp_path)
    (raw / "t10k-images-idx3-ubyte").write_bytes(b"\x00\x00\x08\x01" + data[4:])
    with pytest.raises(DataError, match="magic number 2049, expected 2051"):
        load_dataset("mnist", "test", root=tmp_path)


def test_truncated_npz_is_reported_as_damaged(tmp_path):
    s = ImageSet(torch.zeros(4, 1, 8, 8, dtype=torch.uint8), torch.arange(4))
    p = save_npz(tmp_path / "x.npz", {"train": s})
    p.write_bytes(p.read_bytes()[:50])
    with pytest.raises(DataError, match="damaged npz"):
        load_npz(p, "train")


def test_unknown_names_list_valid_ones():
    with pytest.raises(ValueError, match="mnist, fashion-mnist, cifar10, cifar100"):
        load_dataset("svhn")
    with pytest.raises(ValueError, match="train, test"):
        load_dataset("mnist", "val")


def test_balanced_subsample_is_balanced_and_seeded():
    labels = torch.tensor([0] * 50 + [1] * 30 + [2] * 20)
    a = balanced_subsample(labels, 10, torch.Generator().manual_seed(1))
    b = balanced_subsample(labels, 10, torch.Generator().manual_seed(1))
    c = balanced_subsample(labels, 10, torch.Generator().manual_seed(2))
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert torch.bincount(labels[a]).tolist() == [10, 10, 10] and len(set(a.tolist())) == 30
    with pytest.raises(ValueError, match="class 2 has 20 items"):
        balanced_subsample(labels, 25, torch.Generator().manual_seed(0))


def test_cache_root_never_writes_into_a_read_only_data_root(tmp_path, monkeypatch):
    from gan_repro.data import cache_root
    monkeypatch.delenv("GAN_REPRO_CACHE", raising=False)
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    monkeypatch.setenv("GAN_REPRO_DATA", str(ro))
    assert cache_root() == __import__("pathlib").Path.home() / ".cache" / "gan_repro"
    rw = tmp_path / "rw"
    rw.mkdir()
    monkeypatch.setenv("GAN_REPRO_DATA", str(rw))
    assert cache_root() == rw / "cache"
    monkeypatch.setenv("GAN_REPRO_CACHE", str(tmp_path / "c"))
    assert cache_root() == tmp_path / "c"
    ro.chmod(0o755)
