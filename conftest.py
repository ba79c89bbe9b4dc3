"""Shared fixtures. Tests run on the real data under $GAN_REPRO_DATA and skip, saying why, without it."""
import os
import tempfile
from pathlib import Path

import pytest

# Kernels started by nbval inherit this environment: make the data root absolute (nbval runs notebooks
# with their own folder as cwd) and send smoke results to a scratch folder, not into the repo.
if os.environ.get("GAN_REPRO_DATA"):
    os.environ["GAN_REPRO_DATA"] = str(Path(os.environ["GAN_REPRO_DATA"]).resolve())
os.environ.setdefault("GAN_REPRO_RESULTS", tempfile.mkdtemp(prefix="gan_repro_results_"))

from tests.needs import HAS_ALL, HAS_INCEPTION, HAS_MNIST, ROOT  # noqa: E402


def pytest_collection_modifyitems(config, items):
    """Notebooks need the real data; without it they are skipped with the reason, not failed."""
    if HAS_ALL:
        return
    skip = pytest.mark.skip(reason=f"notebooks need the data root (GAN_REPRO_DATA); {ROOT} is incomplete")
    for item in items:
        if str(item.fspath).endswith(".ipynb"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def extractor():
    if not HAS_INCEPTION:
        pytest.skip(f"Inception weights not under {ROOT}/weights")
    from gan_repro.metrics import InceptionExtractor
    return InceptionExtractor()


@pytest.fixture(scope="session")
def mnist_test():
    if not HAS_MNIST:
        pytest.skip(f"MNIST not under data root {ROOT}")
    from gan_repro.data import load_dataset
    return load_dataset("mnist", "test")
