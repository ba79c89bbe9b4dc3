import pytest
import torch
import torch.nn as nn

from gan_repro.presets import get_preset, make_gan
from gan_repro.seeing.inversion import METHODS, InversionConfig, image_loss, invert, train_encoder
from gan_repro.seeing.nethook import LayerView


def _g(preset, width=8):
    torch.manual_seed(0)
    g, _ = make_gan(get_preset(preset), 32, 3, 10 if preset == "biggan" else 0, width)
    return g.eval()


@pytest.mark.parametrize("preset", ["dcgan", "sngan", "biggan"])
def test_replacing_every_layer_with_itself_changes_nothing(preset):
    g = _g(preset)
    v = LayerView(g)
    z = torch.randn(3, g.cfg.z_dim, generator=torch.Generator().manual_seed(1))
    y = torch.arange(3) if preset == "biggan" else None
    with torch.no_grad():
        want = g(z, y) if y is not None else g(z)
        got, kept = v.run(z, y, retain=v.layers, edit={n: (lambda o: o.clone()) for n in v.layers})
    assert torch.equal(got, want) and list(kept) == v.layers


def test_chain_steps_are_exact():
    v = LayerView(_g("dcgan"))
    z = torch.randn(2, 128)
    with torch.no_grad():
        x, rs = v.outputs(z)
        assert torch.equal(v.step(1, z, z), rs[0]) and torch.equal(v.step(3, rs[1], z * 0), rs[2])
        assert torch.equal(v.tail(rs[-1], z * 0), x)                 # the codes before are overwritten
        zero = {n: torch.zeros_like(r) for n, r in zip(v.layers, rs)}
        assert torch.equal(v.from_layers(z, zero), x)


@pytest.mark.parametrize("width,want", [(8, ["fc", "ups.2", "ups.5"]), (32, ["fc"])])
def test_undercomplete_cut_keeps_the_layers_narrower_than_the_image(width, want):
    # 32 px RGB = 3,072 values; DCGAN layers: fc 4x4x4w, ups.2 8x8x2w, ups.5 16x16xw
    g = _g("dcgan", width).train()
    before = {k: v.clone() for k, v in g.state_dict().items()}
    cut = LayerView(g).undercomplete(torch.zeros(1, 128))
    assert cut.layers == want and cut.is_chain and g.training
    assert all(torch.equal(before[k], v) for k, v in g.state_dict().items())   # BN statistics untouched
    z = torch.randn(2, 128)
    with torch.no_grad():
        x, rs = LayerView(g.eval()).outputs(z)
        assert torch.equal(cut.tail(rs[len(want) - 1], z * 0), x)       # G_f is the rest of G


def test_undercomplete_cut_refuses_a_generator_wide_from_the_first_layer():
    g = _g("dcgan", 64)                                                  # fc 4x4x256 = 4,096 > 3,072
    with pytest.raises(ValueError, match="narrower than its image"):
        LayerView(g).undercomplete(torch.zeros(1, 128))


def test_bad_layers_are_clear_errors():
    g = _g("dcgan")
    with pytest.raises(ValueError, match=r"unknown layer 'ups\.99'; valid: fc, bn0, ups"):
        LayerView(g, layers=["fc", "ups.99"])
    with pytest.raises(ValueError, match="has no layers to split"):
        LayerView(g, layers=[])

    class Flat(nn.Module):
        def forward(self, z):
            return z.tanh()
    with pytest.raises(ValueError, match="no default layer split for Flat"):
        LayerView(Flat())
    with pytest.raises(ValueError, match="not a chain"):             # BigGAN: z chunks enter every block
        train_encoder(LayerView(_g("biggan")), InversionConfig(), progress=False, cache=False)


# a random-init DCGAN's early layers carry little signal: e_2 needs ~150 steps before its loss moves
CFG = InversionConfig(hidden=16, layer_steps=160, joint_steps=20, opt_steps=40, batch_size=16)


@pytest.fixture(scope="module")
def trained():
    v = LayerView(_g("dcgan"))
    enc, losses = train_encoder(v, CFG, progress=False, cache=False)
    z = torch.randn(6, 128, generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        x = v.g(z)
    return v, enc, losses, z, x


def test_inverters_and_methods_reduce_their_losses(trained):
    v, enc, losses, _, x = trained
    for name, ls in losses.items():
        assert sum(ls[-10:]) < sum(ls[:10]), name
    for m in ("z", "encoder+z", "layerwise"):
        r = invert(m, x, v, enc, CFG, progress=False)
        assert len(r.losses) == CFG.opt_steps and r.losses[-1] < r.losses[0], m
        assert r.recon.shape == x.shape and r.final_loss.shape == (6,)


def test_the_true_code_is_the_lowest_loss(trained):
    v, enc, _, z, x = trained
    with torch.no_grad():
        at_truth = image_loss(x, v.g(z), None, CFG)
    assert torch.equal(at_truth, torch.zeros(6))
    for m in METHODS:
        assert (invert(m, x, v, enc, CFG, progress=False).final_loss >= at_truth).all()


def test_bad_images_are_clear_errors(trained):
    v, enc, _, _, x = trained
    with pytest.raises(ValueError, match=r"must be \(N, 3, 32, 32\)"):
        invert("layerwise", torch.zeros(2, 3, 28, 28, dtype=torch.uint8), v, enc, CFG, progress=False)
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        invert("z", x + 5, v, enc, CFG, progress=False)
    with pytest.raises(TypeError):
        invert("z", x.to(torch.int32), v, enc, CFG, progress=False)
    with pytest.raises(ValueError, match="unknown inversion method 'pca'"):
        invert("pca", x, v, enc, CFG, progress=False)


def test_encoder_cache_round_trip(trained, tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_REPRO_CACHE", str(tmp_path))
    v = trained[0]
    small = InversionConfig(hidden=8, layer_steps=3, joint_steps=2, batch_size=4)
    a, la = train_encoder(v, small, progress=False)
    b, lb = train_encoder(v, small, progress=False)                   # from the cache
    assert la == lb and all(torch.equal(p, q) for p, q in zip(a.state_dict().values(), b.state_dict().values()))
    assert len(list((tmp_path / "inverters").glob("*.pt"))) == 1
