import math

import numpy as np
import pytest
import torch

from gan_repro import toys
from gan_repro.losses import clip_weights, gradient_penalty


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    # tiny MLPs: one thread is ~10x faster than two on a shared 2-core machine; restored afterwards
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def _g(seed=0):
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("name, k", [("8gaussians", 8), ("25gaussians", 25)])
def test_gaussian_mixtures_sit_on_their_modes(name, k):
    x = toys.sample(name, 20000, _g())
    c = toys.mode_centres(name)
    assert x.shape == (20000, 2) and x.dtype == torch.float32 and c.shape == (k, 2)
    dist, idx = torch.cdist(x, c).min(1)
    counts = torch.bincount(idx, minlength=k).double()
    assert counts.min() > 0.8 * 20000 / k                       # every mode drawn, about uniformly
    # per-axis std of one mode is gan_toy.py's noise / rescaling, and 3 sigma holds almost every point
    own = x - c[idx]
    assert own.std(0).numpy() == pytest.approx([toys.mode_std(name)] * 2, rel=0.05)
    assert (dist <= 3 * toys.mode_std(name)).float().mean() > 0.98
    assert x.mean(0).abs().max() < 0.05                           # symmetric mixtures: mean 0


def test_mode_positions_are_gan_toys():
    c8 = toys.mode_centres("8gaussians")
    assert c8.norm(dim=1).numpy() == pytest.approx([2 / 1.414] * 8, rel=1e-6)
    assert sorted(c8[:, 0].tolist())[0] == pytest.approx(-2 / 1.414)
    c25 = toys.mode_centres("25gaussians")
    assert sorted(set(np.round(c25[:, 0].numpy(), 5))) == pytest.approx([v / 2.828 for v in (-4, -2, 0, 2, 4)], abs=1e-5)


def test_swiss_roll_moments_and_shape():
    x = toys.sample("swissroll", 20000, _g()).double()
    r = x.norm(dim=1) * 7.5                                       # back to sklearn's scale: r = t (+ noise)
    assert r.min() > 1.5 * math.pi - 1.5 and r.max() < 4.5 * math.pi + 1.5
    # t ~ U[1.5 pi, 4.5 pi]: E r = 3 pi, and sklearn's noise 0.25 barely moves it
    assert r.mean().item() == pytest.approx(3 * math.pi, rel=0.02)
    assert toys.mode_centres("swissroll").shape == (0, 2)


def test_samplers_are_seeded():
    assert torch.equal(toys.sample("8gaussians", 10, _g(3)), toys.sample("8gaussians", 10, _g(3)))
    assert not torch.equal(toys.sample("8gaussians", 10, _g(3)), toys.sample("8gaussians", 10, _g(4)))


def test_gradient_penalty_on_a_linear_2d_critic():
    # D(x) = <a, x>: grad = a everywhere, so GP = lambda (||a|| - 1)^2 exactly, for (B, 2) points too
    a = torch.tensor([0.3, -2.0])
    gp = gradient_penalty(lambda x, y: x @ a, torch.randn(7, 2), torch.randn(7, 2), None, _g(1), weight=0.1)
    assert gp.item() == pytest.approx(0.1 * (a.norm().item() - 1.0) ** 2, rel=1e-6)


def test_clip_weights_bounds_every_critic_variable():
    critic = toys.MLP(2, 1, 3, 64, _g())
    assert max(p.abs().max() for p in critic.parameters()) > 0.01
    clip_weights(critic, 0.01)
    assert all(p.abs().max() <= 0.01 for p in critic.parameters())


def test_mlp_shapes_and_tflib_initialisation():
    m = toys.MLP(2, 1, 4, 512, _g())
    out, hs = m.activations(torch.randn(5, 2))
    assert out.shape == (5,) and len(hs) == 4 and all(h.shape == (5, 512) for h in hs)
    w = m.layers[1].weight
    assert w.abs().max() <= math.sqrt(3 * 2 / 512) and w.std().item() == pytest.approx(math.sqrt(2 / 512), rel=0.02)
    assert all(lin.bias.abs().sum() == 0 for lin in m.layers)


def test_layer_grad_norms_give_one_value_per_depth():
    cfg = toys.ToyConfig("swissroll", toys.clip_method(0.1), iters=2, critic_depth=12, gen_depth=12,
                         critic_width=32, gen_width=32, batch_size=32)
    run = toys.train(cfg, seed=0, progress=False)
    real = toys.sample("swissroll", 32, _g())
    norms = toys.layer_grad_norms(run.critic, real, run.fake(real, _g()))
    assert norms.shape == (12,) and np.isfinite(norms).all() and (norms > 0).all()


def test_clipped_critic_gradients_shrink_geometrically_with_small_c():
    # every weight at +-c: each 32-wide layer scales the backward signal by about c * 32 << 1
    critic = toys.MLP(2, 1, 8, 32, _g())
    clip_weights(critic, 0.001)
    with torch.no_grad():
        for p in critic.parameters():
            p.copy_(0.001 * torch.sign(p + 1e-12))
    real = toys.sample("swissroll", 64, _g())
    norms = toys.layer_grad_norms(critic, real, real + 1)
    assert norms[0] < 1e-6 * norms[-1]


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="valid: 8gaussians, 25gaussians, swissroll"):
        toys.sample("moons", 4, _g())
    with pytest.raises(ValueError, match="depth >= 1"):
        toys.MLP(2, 1, 0, 8, _g())
    with pytest.raises(ValueError, match="depth must be >= 1"):
        toys.ToyConfig("swissroll", toys.get_method("wgan-gp"), 1, critic_depth=0)
    for c in (0.0, -0.01):
        with pytest.raises(ValueError, match="c must be > 0"):
            toys.clip_method(c)
    with pytest.raises(ValueError, match="valid: wgan-clip, wgan-gp"):
        toys.get_method("wgan")
    with pytest.raises(ValueError, match="valid: smoke, cpu, paper"):
        toys.get_budget("gpu")
    with pytest.raises(ValueError, match="bound must be > 0"):
        toys.share_near_bounds(np.zeros(3), 0.0)


def test_w1_exact_closed_forms():
    x = torch.randn(50, 2, generator=_g())
    assert toys.w1_exact(x, x[torch.randperm(50, generator=_g())]) == pytest.approx(0.0, abs=1e-12)
    assert toys.w1_exact(x, x + torch.tensor([3.0, 4.0])) == pytest.approx(5.0, rel=1e-6)   # a shift moves each point by 5


def test_polynomial_r2_and_share_near_bounds():
    xs = np.linspace(-3, 3, 40)
    yy, xx = np.meshgrid(xs, xs, indexing="ij")
    assert toys.polynomial_r2(xs, xx ** 2 - 2 * xx * yy + yy, 3) == pytest.approx(1.0)
    assert toys.polynomial_r2(xs, np.sin(4 * xx) * np.cos(4 * yy), 3) < 0.2
    assert toys.share_near_bounds(np.array([0.01, -0.0096, 0.0094, 0.0]), 0.01) == 0.5


class _Fn(torch.nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


@pytest.mark.parametrize("dataset", toys.DATASETS)
def test_structure_contrast_closed_forms(dataset):
    # a linear critic is blind to the structure: the pairs are symmetric, so the contrast is 0
    w = torch.tensor([0.7, -1.3])
    assert abs(toys.structure_contrast(_Fn(lambda x: x @ w), dataset)) < 1e-5
    if dataset == "swissroll":
        return
    # a cone of slope 1 on every mode, D(x) = -(distance to the nearest mode): each Q lies exactly |P - Q|
    # from its nearest modes (8: the arc midpoint's chord; 25: half the grid step), so the contrast is 1
    c = toys.mode_centres(dataset)
    cone = _Fn(lambda x: -torch.cdist(x, c).min(1).values)
    assert toys.structure_contrast(cone, dataset) == pytest.approx(1.0, abs=1e-5)
    assert toys.structure_contrast(_Fn(lambda x: -cone(x)), dataset) == pytest.approx(-1.0, abs=1e-5)
    p, q = toys.structure_pairs(dataset)
    assert len(p) == {"8gaussians": 16, "25gaussians": 80}[dataset] and p.shape == q.shape


def test_mode_stats_on_true_and_collapsed_samples():
    x = toys.sample("25gaussians", 5000, _g())
    s = toys.mode_stats(x, "25gaussians")
    assert s["modes_covered"] == 25 and s["share_3sigma"] > 0.98
    one = toys.mode_centres("25gaussians")[:1].repeat(5000, 1)      # collapse onto a single mode
    assert toys.mode_stats(one, "25gaussians")["modes_covered"] == 1


def test_short_gp_and_clip_runs_raise_the_critics_estimate():
    # fixed generator: training the critic raises E D(real) - E D(fake) from about 0
    for m in ("wgan-gp", "wgan-clip"):
        cfg = toys.ToyConfig("8gaussians", toys.get_method(m), iters=20, generator="fixed",
                             critic_width=64, batch_size=64)
        run = toys.train(cfg, seed=0, progress=False)
        assert run.diverged_at is None and len(run.w_estimate) == 20
        assert run.w_estimate[-1] > 2 * abs(run.w_estimate[0]) and run.w_estimate[-1] > 0


def test_training_is_seeded():
    cfg = toys.ToyConfig("8gaussians", toys.get_method("wgan-gp"), iters=2, critic_width=16, gen_width=16,
                         batch_size=16)
    a, b = toys.train(cfg, 5, progress=False), toys.train(cfg, 5, progress=False)
    assert a.w_estimate == b.w_estimate
    assert all(torch.equal(p, q) for p, q in zip(a.gen.parameters(), b.gen.parameters()))


def test_share_near_own_extremes_is_small_for_he_uniform_and_one_when_saturated():
    critic = toys.MLP(2, 1, 3, 256, _g())
    assert 0.03 < toys.share_near_own_extremes(critic) < 0.07        # uniform weights: ~5 % in the top 5 %
    clip_weights(critic, 0.01)                                        # nearly all He weights exceed 0.01
    assert toys.share_near_own_extremes(critic) > 0.8
