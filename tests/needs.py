"""Which real data is present under the data root, and skip markers that say what is missing."""
import pytest

from gan_repro.data import data_root

ROOT = data_root()
HAS_MNIST = (ROOT / "MNIST" / "raw" / "train-images-idx3-ubyte").exists()
HAS_FASHION = (ROOT / "FashionMNIST" / "raw" / "train-images-idx3-ubyte").exists()
HAS_CIFAR10 = (ROOT / "cifar" / "cifar10-subset.npz").exists() or (ROOT / "cifar-10-batches-py").exists()
HAS_CIFAR100 = (ROOT / "cifar" / "cifar100-subset.npz").exists() or (ROOT / "cifar-100-python").exists()
HAS_INCEPTION = (ROOT / "weights" / "inception-2015-12-05-pool3.torchscript.pt").exists()
HAS_ALL = HAS_MNIST and HAS_FASHION and HAS_CIFAR10 and HAS_CIFAR100 and HAS_INCEPTION

need_mnist = pytest.mark.skipif(not HAS_MNIST, reason=f"MNIST not under data root {ROOT}")
need_fashion = pytest.mark.skipif(not HAS_FASHION, reason=f"Fashion-MNIST not under data root {ROOT}")
need_cifar = pytest.mark.skipif(not (HAS_CIFAR10 and HAS_CIFAR100),
                                reason=f"CIFAR-10/100 not under data root {ROOT}")
need_inception = pytest.mark.skipif(not HAS_INCEPTION, reason=f"Inception weights not under {ROOT}/weights")
