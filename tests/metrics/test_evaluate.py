import numpy as np
import pytest
import torch
from pytorch_fid.fid_score import calculate_frechet_distance

from gan_repro.data import load_dataset, to_model
from gan_repro.metrics import METRICS, evaluate
from gan_repro.metrics.reference import pytorch_fid_model, state_dict_from_torchscript
from tests.needs import need_inception, need_mnist

N = 64


@need_mnist
@need_inception
def test_real_mnist_fid_equals_pytorch_fid_computation(extractor):
    train = load_dataset("mnist", "train").images[:N]
    test = load_dataset("mnist", "test").images[:N]
    ours = evaluate(train, test, ["fid"], extractor=extractor, progress=False)
    ref = pytorch_fid_model(state_dict_from_torchscript(extractor.info.path))
    acts = []
    with torch.no_grad():
        for x in (train, test):   # pytorch-fid: [0, 1] RGB in, its own resize and normalisation
            acts.append(ref(x.expand(-1, 3, -1, -1).float() / 255.0)[0].flatten(1).double().numpy())
    stats = [(a.mean(0), np.cov(a, rowvar=False)) for a in acts]
    want = calculate_frechet_distance(*stats[0], *stats[1])
    assert ours["fid"] == pytest.approx(want, rel=1e-4)
    assert ours["n_fake"] == ours["n_real"] == N and ours["mode"] == "pytorch-fid"
    assert ours["fid"] == pytest.approx(ours["fid_mean_term"] + ours["fid_trace_term"])


@need_mnist
def test_evaluate_with_a_generator_callable_and_float_output(mnist_test):
    imgs = mnist_test.images[:40]

    def g(n, generator):                      # returns float [-1, 1] images and labels
        idx = torch.randperm(40, generator=generator)[:n]
        return to_model(imgs[idx]), mnist_test.labels[idx]

    r = evaluate(g, None, ["ms_ssim"], n=20, seed=1)
    assert r["n_fake"] == 20 and 0 < r["ms_ssim"] < 1


@need_mnist
def test_generator_with_the_wrong_shape_is_an_error(mnist_test):
    real = mnist_test.images[:8]
    with pytest.raises(ValueError, match=r"generator returned shape \(8, 1, 14, 14\), expected \(8, 1, 28, 28\)"):
        evaluate(lambda n, g: real[:, :, ::2, ::2], real, ["swd"], n=8)


def test_unknown_metric_and_too_few_samples():
    x = torch.zeros(4, 3, 32, 32, dtype=torch.uint8)
    with pytest.raises(ValueError, match="unknown metrics \\['fidd'\\]; valid: fid, kid"):
        evaluate(x, x, ["fidd"])
    with pytest.raises(ValueError, match="at least 2 images"):
        evaluate(x[:1], x, ["swd"])
    with pytest.raises(ValueError, match="only 4 available"):
        evaluate(x, x, ["swd"], n=10)
    with pytest.raises(ValueError, match=r"need float images in \[-1, 1\].*range=\[200, 200\]"):
        evaluate(torch.full((4, 3, 32, 32), 200.0), x, ["swd"])   # floats in [0, 255] are not [-1, 1]


def test_registry_holds_the_suite():
    assert {"fid", "kid", "mmd", "swd", "prdc", "is", "m_is", "ms_ssim"} <= set(METRICS)
