"""Shapes per preset (conditional and not, 28 and 32 px), one optimiser step, seeds, spectral norm."""
import copy
import math

import pytest
import torch
import torch.nn.functional as F

from gan_repro.models.layers import ConditionalBatchNorm2d, conv_pool, upsample, upsample_conv
from gan_repro.presets import PRESETS, get_preset, make_gan

CASES = [(p, size, ch, k) for p in PRESETS for size, ch in ((28, 1), (32, 3)) for k in (0, 10)
         if not (p == "biggan" and k == 0)]


@pytest.mark.parametrize("name,size,ch,k", CASES)
def test_shapes_and_one_step_changes_parameters(name, size, ch, k):
    torch.manual_seed(0)
    g, d = make_gan(get_preset(name), size, ch, k, width=8)
    z, y = torch.randn(4, g.cfg.z_dim), (torch.arange(4) % k if k else None)
    x = g(z, y)
    assert x.shape == (4, ch, size, size) and x.min() >= -1 and x.max() <= 1
    out = d(x, y)
    assert out.shape == (4,)
    opt = torch.optim.SGD(list(g.parameters()) + list(d.parameters()), lr=0.1)
    before = [p.detach().clone() for p in g.parameters()]
    opt.zero_grad()
    out.mean().backward()
    opt.step()
    assert any(not torch.equal(a, b) for a, b in zip(before, g.parameters()))


def test_same_seed_same_models_and_samples():
    def sample(seed):
        torch.manual_seed(seed)
        g, _ = make_gan(get_preset("sngan"), 32, 3, 10, width=8)
        return g.eval()(torch.randn(2, 128, generator=torch.Generator().manual_seed(1)), torch.tensor([0, 1]))
    assert torch.equal(sample(0), sample(0)) and not torch.equal(sample(0), sample(1))


def test_spectral_norm_keeps_the_top_singular_value_near_one():
    torch.manual_seed(0)
    _, d = make_gan(get_preset("sngan"), 32, 3, 0, width=8)
    x = torch.randn(8, 3, 32, 32)
    for _ in range(30):                    # power iterations run in training-mode forwards
        d(x)
    for name, m in d.named_modules():
        if hasattr(m, "parametrizations"):
            w = m.weight.flatten(1)        # the normalised weight, (out, in*k*k)
            assert abs(torch.linalg.svdvals(w)[0].item() - 1.0) < 0.05, name


def test_conditional_bn_gain_is_one_centred_and_bias_zero_centred():
    cbn = ConditionalBatchNorm2d(4, cond_dim=3)
    torch.nn.init.zeros_(cbn.gain.weight)
    torch.nn.init.zeros_(cbn.bias.weight)
    x = torch.randn(6, 4, 5, 5)
    assert torch.allclose(cbn(x, torch.randn(6, 3)), torch.nn.functional.batch_norm(x, None, None, training=True))


def test_biggan_uses_hierarchical_z_chunks():
    torch.manual_seed(0)
    g, _ = make_gan(get_preset("biggan"), 32, 3, 10, width=8)
    assert g.chunk * (len(g.blocks) + 1) == 120 and "1" in g.attn     # attention at 16 px
    z, y = torch.randn(2, 120), torch.tensor([3, 3])
    z2 = z.clone()
    z2[:, g.chunk:2 * g.chunk] += 1.0      # only the chunk of block 0 changes
    g.eval()
    assert not torch.allclose(g(z, y), g(z2, y))


def test_biggan_blocks_have_ch_mult_times_width_channels():
    # BigGAN's CIFAR model has 4 x 64 = 256 channels per block: ch_mult 2 at the paper width 128
    g, d = make_gan(get_preset("biggan"), 32, 3, 10, width=128)
    assert {g.blocks[0].c1.weight.shape[0], d.out.weight.shape[1]} == {256}


def test_unknown_names_are_errors():
    with pytest.raises(ValueError, match="valid: dcgan, wgan-clip"):
        get_preset("stylegan")
    with pytest.raises(ValueError, match="unsupported image size 48"):
        make_gan(get_preset("dcgan"), 48, 3, 0, 8)


def test_sngan_reference_init_matches_the_reference_code():
    from gan_repro.models.resnet import ResNetConfig, ResNetDiscriminator, ResNetGenerator
    cfg = ResNetConfig(image_size=32, channels=3, n_classes=10, width=16, init="reference")
    torch.manual_seed(0)
    g, d = ResNetGenerator(cfg), ResNetDiscriminator(cfg)

    def glorot(w, gain=1.0):                      # chainer's GlorotUniform bound, fans with receptive field
        rf = w[0, 0].numel() if w.dim() > 2 else 1
        return gain * math.sqrt(6 / ((w.shape[0] + w.shape[1]) * rf))

    emb = d.embed.parametrizations.weight.original
    assert emb.abs().max() <= glorot(emb) and emb.abs().max() > 0.9 * glorot(emb)   # not N(0, 1)
    assert d.out.bias is None                                                       # l5: nobias
    c1 = d.blocks[1].c1.parametrizations.weight.original
    assert glorot(c1, math.sqrt(2)) * 0.9 < c1.abs().max() <= glorot(c1, math.sqrt(2))
    # CBN gains 1 and biases 0 for every class: at init G ignores the label
    z = torch.randn(4, 128)
    g.eval()
    assert torch.equal(g(z, torch.zeros(4, dtype=torch.long)), g(z, torch.full((4,), 7)))
    assert all((m.weight == 0).all() for n, m in g.named_modules() if n.endswith((".gain", ".bias")))
    with pytest.raises(ValueError, match="unknown init 'he'; valid: torch, reference"):
        ResNetGenerator(ResNetConfig(init="he"))


def test_init_override_enters_the_config_hash_only_when_set():
    from gan_repro.train import TrainConfig
    base = TrainConfig(preset="sngan", dataset="mnist", iters=10)
    assert base.hash() == TrainConfig(preset="sngan", dataset="mnist", iters=10, init=None).hash()
    assert base.hash() != TrainConfig(preset="sngan", dataset="mnist", iters=10, init="reference").hash()


@pytest.mark.parametrize("side", [7, 8, 14])
def test_folded_resampling_equals_the_conv_and_the_resampling_in_float64(side):
    # the 4x4 stride-2 kernels built from a 3x3 one (layers.FOLD_DOWN / FOLD_UP) against the plain ops, odd
    # sides included (pooling drops the last row, as the folded conv's output size does); float64, so only
    # float order could differ: agreement to 1e-12
    torch.manual_seed(0)
    conv = torch.nn.Conv2d(5, 6, 3, 1, 1).double()
    x = torch.randn(2, 5, side, side, dtype=torch.float64)
    down, up = conv_pool(conv, x, fold=True), upsample_conv(conv, x, fold=True)
    assert down.shape == (2, 6, side // 2, side // 2) and up.shape == (2, 6, 2 * side, 2 * side)
    assert torch.allclose(down, F.avg_pool2d(conv(x), 2), rtol=0, atol=1e-12)
    assert torch.allclose(up, conv(upsample(x)), rtol=0, atol=1e-12)
    assert torch.equal(conv_pool(conv, x, fold=False), F.avg_pool2d(conv(x), 2))


@pytest.mark.parametrize("name", ["wgan-gp", "sngan", "biggan"])
@pytest.mark.parametrize("size,ch", [(28, 1), (32, 3)])
def test_folded_resnet_blocks_train_the_same_function_and_eval_ignores_the_fold(name, size, ch):
    # the Trainer's fold_resample: in training mode G's and D's outputs and D's weight gradients equal the
    # unfolded models' up to float order (measured at width 16: G <= 2.3e-6 of the tanh range, D <= 1.1e-7 relative;
    # D's weight gradients, at width 8 here, <= 4.1e-6 in norm; a wrong fold would be off by O(1))
    # in eval mode (sampling) the fold is off, so committed generators sample exactly as before
    torch.manual_seed(0)
    g, d = make_gan(get_preset(name), size, ch, 10, width=8)
    gf, df = copy.deepcopy(g), copy.deepcopy(d)
    for m in (*gf.modules(), *df.modules()):
        if hasattr(m, "fold_resample"):
            m.fold_resample = True
    assert sum(hasattr(m, "fold_resample") for m in g.modules()) == len(g.blocks)
    z, y = torch.randn(4, g.cfg.z_dim), torch.arange(4)
    g.eval(), gf.eval()                   # first: a training forward moves BN's running statistics by float order
    assert torch.equal(g(z, y), gf(z, y))
    g.train(), gf.train()
    x, xf = g(z, y), gf(z, y)
    assert (x - xf).abs().max() < 1e-5
    s, sf = d(x.detach(), y), df(x.detach(), y)
    assert torch.allclose(s, sf, rtol=1e-5, atol=1e-6)
    s.sum().backward()
    sf.sum().backward()
    for (n, a), b in zip(d.named_parameters(), df.parameters()):
        assert (a.grad - b.grad).norm() <= 3e-5 * a.grad.norm(), n
