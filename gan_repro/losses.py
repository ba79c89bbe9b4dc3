"""GAN losses and regularisers, apart from the models (a model does not own its training step).

d_loss / g_loss take D's raw scores on real and fake: (B,) tensors.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

LOSSES = ("ns", "hinge", "wasserstein")


def d_loss(kind: str, real: torch.Tensor, fake: torch.Tensor) -> tuple:
    """Returns (loss, loss on real, loss on fake); the parts are logged separately (claim B3)."""
    if kind == "ns":            # Goodfellow et al. 2014: -log D(x) - log(1 - D(G(z)))
        lr, lf = F.softplus(-real).mean(), F.softplus(fake).mean()
    elif kind == "hinge":       # Lim & Ye 2017; SNGAN, BigGAN
        lr, lf = F.relu(1.0 - real).mean(), F.relu(1.0 + fake).mean()
    elif kind == "wasserstein":  # Arjovsky et al. 2017: the critic maximises E[D(x)] - E[D(G(z))]
        lr, lf = -real.mean(), fake.mean()
    else:
        raise ValueError(f"unknown loss {kind!r}; valid: {', '.join(LOSSES)}")
    return lr + lf, lr, lf


def g_loss(kind: str, fake: torch.Tensor) -> torch.Tensor:
    if kind == "ns":
        return F.softplus(-fake).mean()                  # non-saturating: -log D(G(z))
    if kind in ("hinge", "wasserstein"):
        return -fake.mean()
    raise ValueError(f"unknown loss {kind!r}; valid: {', '.join(LOSSES)}")


def gradient_penalty(critic, real: torch.Tensor, fake: torch.Tensor, y, generator: torch.Generator,
                     weight: float = 10.0) -> torch.Tensor:
    """WGAN-GP (Gulrajani et al. 2017, eq. 3): weight * E[(||grad D(x_hat)||_2 - 1)^2].

    x_hat = eps * real + (1 - eps) * fake, eps ~ U[0, 1] per sample (drawn from `generator`); any rank:
    images (B, C, H, W) or points (B, 2) (the WGAN-GP toys, gan_repro/toys.py).
    """
    eps = torch.rand((len(real),) + (1,) * (real.dim() - 1), generator=generator).to(real.device)
    x_hat = (eps * real + (1 - eps) * fake.detach()).requires_grad_(True)
    out = critic(x_hat, y)
    (grad,) = torch.autograd.grad(out.sum(), x_hat, create_graph=True)
    return weight * ((grad.flatten(1).norm(dim=1) - 1.0) ** 2).mean()


def r1_penalty(critic, real: torch.Tensor, y, gamma: float) -> torch.Tensor:
    """Zero-centred gradient penalty at real data, R1 (Mescheder et al. 2018, eq. 9):
    (gamma / 2) * E_x ||grad_x D(x)||^2. BigGAN (sec. 4.2) uses it to regularise D's Jacobian, at
    gamma = 10 (stable, IS -45 %) and gamma = 1 (the weakest without sudden collapse, IS -20 %).

    D is called once more on `real` (its own forward: a spectrally normalised D takes one more power step).
    """
    x = real.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x, y).sum(), x, create_graph=True)     # (B, C, H, W)
    return 0.5 * gamma * grad.flatten(1).pow(2).sum(1).mean()


@torch.no_grad()
def clip_weights(model: torch.nn.Module, c: float = 0.01, foreach: bool = False) -> None:
    """WGAN weight clipping (Arjovsky et al. 2017): every parameter into [-c, c]. foreach: two multi-tensor
    calls instead of one per parameter (the trainer's fast path), the same values."""
    params = list(model.parameters())
    if foreach:
        torch._foreach_clamp_min_(params, -c)
        torch._foreach_clamp_max_(params, c)
        return
    for p in params:
        p.clamp_(-c, c)


def _ortho_params(model: torch.nn.Module, skip=()) -> list:
    """Every parameter with >= 2 axes (conv, linear, embedding weights) not in `skip`."""
    skip_ids = {id(p) for p in skip}
    return [p for p in model.parameters() if p.dim() >= 2 and id(p) not in skip_ids]


def ortho_reg(model: torch.nn.Module, beta: float = 1e-4, skip=()) -> torch.Tensor:
    """BigGAN's modified orthogonal regularisation as written in the paper (Brock et al. 2019, eq. 3):

        R_beta = beta * sum_W || W W^T * (1 - I) ||_F^2,   W reshaped to (out, -1)

    (the Gram matrix of the filters, as BigGAN-PyTorch computes it). Its gradient is
    4 beta (W W^T * (1 - I)) W; see `add_ortho_grad_` for the official code's step, which is half that.
    """
    total = torch.zeros(())
    for p in _ortho_params(model, skip):
        w = p.flatten(1)
        off = (w @ w.T) * (1.0 - torch.eye(len(w), device=w.device))
        total = total + (off ** 2).sum()
    return beta * total


@torch.no_grad()
def add_ortho_grad_(model: torch.nn.Module, beta: float = 1e-4, skip=()) -> None:
    """BigGAN-PyTorch's orthogonal regularisation step (utils.ortho): after backward, before the
    optimiser step, add 2 beta (W W^T * (1 - I)) W to each weight's .grad.

    That is the gradient of (beta / 2) ||W W^T * (1 - I)||_F^2, half of `ortho_reg`'s: we follow the
    official code and tests/test_losses.py pins the factor. BigGAN-PyTorch skips G's shared embedding.
    """
    for p in _ortho_params(model, skip):
        if p.grad is None:
            p.grad = torch.zeros_like(p)
        w = p.flatten(1)
        g = 2.0 * ((w @ w.T) * (1.0 - torch.eye(len(w), device=w.device))) @ w
        p.grad += beta * g.view_as(p)


@torch.no_grad()
def clamp_singular_values_(model: torch.nn.Module, bound: float, skip=()) -> None:
    """Clamp the spectrum of every weight with >= 2 axes (reshaped to (out, -1)) at `bound`: W <- U
    min(S, bound) V^T wherever sigma_0 > bound; below it W is untouched.

    BigGAN (sec. 4.1) clamps G's top singular value sigma_0 to stop its growth; clamping sigma_0 alone
    would leave sigma_1 above the bound when both exceed it, so every value above is clamped, and
    afterwards sigma_0 <= bound. Exact SVD: G's weights are small here.
    """
    for p in _ortho_params(model, skip):
        w = p.flatten(1)
        u, sv, vh = torch.linalg.svd(w.float(), full_matrices=False)
        if sv[0] > bound:
            p.copy_(((u * sv.clamp(max=bound)) @ vh).view_as(p).to(p.dtype))


def truncated_z(n: int, dim: int, threshold: float, generator: torch.Generator) -> torch.Tensor:
    """BigGAN truncation trick: z ~ N(0, I) with every |z_i| > threshold redrawn until it is not.

    This samples the truncated normal exactly (no clamping, no rescaled std). threshold <= 0 or inf:
    plain N(0, I).
    """
    z = torch.randn(n, dim, generator=generator)
    if threshold <= 0 or threshold == float("inf"):
        return z
    bad = z.abs() > threshold
    while bad.any():
        z[bad] = torch.randn(int(bad.sum()), generator=generator)
        bad = z.abs() > threshold
    return z
