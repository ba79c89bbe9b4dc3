import numpy as np
import pytest
import scipy.stats
import torch

from gan_repro.losses import add_ortho_grad_, clip_weights, d_loss, g_loss, gradient_penalty, ortho_reg, truncated_z


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
