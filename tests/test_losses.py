import numpy as np
import pytest
import scipy.stats
import torch

from gan_repro.losses import (add_ortho_grad_, clamp_singular_values_, clip_weights, d_loss, g_loss, gradient_penalty,
                              ortho_reg, r1_penalty, truncated_z)


def test_losses_closed_forms():
    real, fake = torch.tensor([2.0, 0.5]), torch.tensor([-1.0, 0.0])
    total, lr, lf = d_loss("hinge", real, fake)
    assert lr.item() == pytest.approx(0.25) and lf.item() == pytest.approx(0.5) and total == lr + lf
    assert d_loss("wasserstein", real, fake)[0].item() == pytest.approx(-1.25 - 0.5)
    assert g_loss("ns", torch.zeros(3)).item() == pytest.approx(np.log(2))
    with pytest.raises(ValueError, match="valid: ns, hinge, wasserstein"):
        g_loss("lsgan", fake)


def test_gradient_penalty_on_a_linear_critic():
    # D(x) = <a, x>: grad = a everywhere, so GP = lambda (||a|| - 1)^2 exactly
    a = torch.randn(3, 4, 4, generator=torch.Generator().manual_seed(0))
    critic = lambda x, y: (x * a).flatten(1).sum(1)  # noqa: E731
    real, fake = torch.randn(5, 3, 4, 4), torch.randn(5, 3, 4, 4)
    gp = gradient_penalty(critic, real, fake, None, torch.Generator().manual_seed(1), weight=10.0)
    assert gp.item() == pytest.approx(10.0 * (a.norm().item() - 1.0) ** 2, rel=1e-5)


def test_r1_on_a_linear_and_a_quadratic_critic():
    a = torch.randn(3, 4, 4, generator=torch.Generator().manual_seed(0))
    real = torch.randn(5, 3, 4, 4, generator=torch.Generator().manual_seed(1))
    # D(x) = <a, x>: grad = a at every x, so R1 = gamma / 2 ||a||^2
    linear = lambda x, y: (x * a).flatten(1).sum(1)  # noqa: E731
    assert r1_penalty(linear, real, None, 10.0).item() == pytest.approx(5.0 * a.pow(2).sum().item(), rel=1e-5)
    # D(x) = 1/2 <a, x^2>: grad = a x, so R1 = gamma / 2 mean_i ||a x_i||^2 (depends on where it is taken)
    quad = lambda x, y: 0.5 * (a * x * x).flatten(1).sum(1)  # noqa: E731
    want = 0.5 * (a * real).flatten(1).pow(2).sum(1).mean().item()
    assert r1_penalty(quad, real, None, 1.0).item() == pytest.approx(want, rel=1e-5)
    # a penalty D can learn from: it has a gradient with respect to D's parameters
    w = a.clone().requires_grad_(True)
    r1_penalty(lambda x, y: (x * w).flatten(1).sum(1), real, None, 2.0).backward()
    assert torch.allclose(w.grad, 2.0 * w.detach())


def test_singular_value_clamp_bounds_sigma0_and_spares_the_rest():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(4, 8, 3), torch.nn.Linear(6, 5))
    with torch.no_grad():
        model[0].weight.mul_(5.0)                        # sigma_0 well above the bound
        model[1].weight.mul_(0.01)                       # already below it: must stay bit-identical
    before = [p.detach().clone() for p in model.parameters()]
    sv_before = torch.linalg.svdvals(before[0].flatten(1))
    clamp_singular_values_(model, 1.0)
    conv, lin = model[0].weight.flatten(1), model[1].weight
    sv = torch.linalg.svdvals(conv)
    assert sv.max() <= 1.0 + 1e-5 and sv_before.max() > 1.0
    # the values under the bound keep their size; those above sit at the bound
    assert torch.allclose(sv, sv_before.clamp(max=1.0), atol=1e-5)
    assert torch.equal(lin, before[2]) and torch.equal(model[0].bias, before[1])   # biases and small weights


@pytest.mark.parametrize("foreach", [False, True])
def test_weight_clipping_bounds_every_weight(foreach):
    m = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.Linear(8, 2))
    for p in m.parameters():
        torch.nn.init.normal_(p, std=1.0)
    before = [p.detach().clone() for p in m.parameters()]
    clip_weights(m, 0.01, foreach=foreach)
    for b, p in zip(before, m.parameters()):
        assert torch.equal(p, b.clamp(-0.01, 0.01))         # inside kept, outside put on the bound
    assert any((b.abs() < 0.01).any() for b in before)     # the test has weights on both sides


def test_ortho_gradient_is_biggan_pytorch_step_and_half_the_paper_formula():
    torch.manual_seed(0)
    m = torch.nn.Sequential(torch.nn.Conv2d(3, 6, 3), torch.nn.Linear(5, 4))
    add_ortho_grad_(m, beta=1e-2)                         # the official code's step
    step = [p.grad.clone() for p in m.parameters() if p.dim() >= 2]
    m.zero_grad()
    ortho_reg(m, beta=1e-2).backward()                   # autograd of the paper's formula
    auto = [p.grad for p in m.parameters() if p.dim() >= 2]
    for s, a in zip(step, auto):
        assert torch.allclose(2 * s, a, rtol=1e-5, atol=1e-8)
    assert all(p.grad is None or p.grad.abs().sum() == 0 for p in m.parameters() if p.dim() < 2)


def test_ortho_reg_is_zero_for_orthogonal_rows():
    lin = torch.nn.Linear(8, 4, bias=False)
    torch.nn.init.orthogonal_(lin.weight)
    assert ortho_reg(lin).item() < 1e-12


@pytest.mark.parametrize("thr", [0.5, 1.0, 2.0])
def test_truncation_redraws_and_keeps_the_truncated_normal(thr):
    z = truncated_z(4000, 16, thr, torch.Generator().manual_seed(0))
    assert z.abs().max() <= thr
    ks = scipy.stats.kstest(z.flatten().numpy(), scipy.stats.truncnorm(-thr, thr).cdf)
    assert ks.pvalue > 0.01                               # not a clamp (mass at +-thr), not a rescale
    clamped = torch.randn(4000 * 16, generator=torch.Generator().manual_seed(0)).clamp(-thr, thr)
    assert scipy.stats.kstest(clamped.numpy(), scipy.stats.truncnorm(-thr, thr).cdf).pvalue < 1e-6
