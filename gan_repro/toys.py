"""WGAN-GP's 2-D toys (Gulrajani et al. 2017, section 3 and Figure 1): datasets, MLPs, a 2-D training loop.

Settings from the paper's public toy code, igul222/improved_wgan_training `gan_toy.py` (what it says):
- `DIM = 512`; Generator and Discriminator are 3 `ReLULayer`s of 512 then a Linear (to 2, to 1);
  `ReLULayer` uses `initialization='he'` (tflib: U(+-sqrt(3) sqrt(2 / fan_in))), the last Linear the
  default 'glorot' (U(+-sqrt(3) sqrt(2 / (fan_in + fan_out)))), biases zero (tflib/ops/linear.py).
- `CRITIC_ITERS = 5`, `BATCH_SIZE = 256`, `ITERS = 100000` generator iterations; the generator is not
  updated at iteration 0; each critic step draws a new real batch.
- `LAMBDA = .1` ("Smaller lambda makes things faster for toy tasks"); the paper: "All experiments in
  this paper use lambda = 10". We run both (METHODS "wgan-gp" and "wgan-gp-paper").
- wgan-gp: `AdamOptimizer(learning_rate=1e-4, beta1=0.5, beta2=0.9)` for critic and generator;
  wgan: `RMSPropOptimizer(learning_rate=5e-5)` and every critic variable clipped to [-.01, .01] after
  each critic step (biases included).
- `FIXED_GENERATOR`: "hold the generator fixed at real data plus Gaussian noise, as in the plots in the
  paper": fake = real + N(0, 1) (Figure 1a; `generator="fixed"` here).
- the critic loss mean(D(fake)) - mean(D(real)) (+ LAMBDA * GP), generator loss -mean(D(fake)).
- datasets (`inf_train_gen`): see `sample`. The value-surface grid is 128 x 128 on [-3, 3]^2
  (`generate_image`: N_POINTS = 128, RANGE = 3).

Figure 1b (12-layer ReLU critics and generators without BN on the Swiss roll, c in {0.1, 0.01, 0.001})
has no public script; gan_repro/analysis/wgan_toys.py builds it from the paper's text.
Losses come from gan_repro.losses (one owner): d_loss/g_loss "wasserstein", gradient_penalty, clip_weights.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
from tqdm.auto import tqdm

from gan_repro.losses import clip_weights, d_loss, g_loss, gradient_penalty
from gan_repro.profiles import budget_for

DATASETS = ("8gaussians", "25gaussians", "swissroll")
# gan_toy.py: 8 Gaussians: centres 2 * (unit circle at multiples of 45 deg), noise std .02, then / 1.414;
# 25 Gaussians: centres 2 * (-2..2)^2, std .05, then / 2.828 ("stdev"); Swiss roll: sklearn
# make_swiss_roll(noise=0.25), dims [0, 2], / 7.5 ("stdev plus a little").
_SCALE = {"8gaussians": 1.414, "25gaussians": 2.828, "swissroll": 7.5}
_STD = {"8gaussians": 0.02, "25gaussians": 0.05, "swissroll": 0.25}


def check_dataset(name: str) -> str:
    if name not in DATASETS:
        raise ValueError(f"unknown toy dataset {name!r}; valid: {', '.join(DATASETS)}")
    return name


def mode_centres(name: str) -> torch.Tensor:
    """(K, 2) mode centres after gan_toy.py's rescaling (8 or 25); the Swiss roll has none: (0, 2)."""
    if check_dataset(name) == "8gaussians":
        a = torch.arange(8, dtype=torch.float64) * math.pi / 4          # the 8 directions of gan_toy.py
        c = 2.0 * torch.stack([a.cos(), a.sin()], 1)
    elif name == "25gaussians":
        g = torch.arange(-2, 3, dtype=torch.float64) * 2.0
        c = torch.cartesian_prod(g, g)
    else:
        return torch.zeros(0, 2)
    return (c / _SCALE[name]).float()


def mode_std(name: str) -> float:
    """Per-axis std of one mode after rescaling (8 Gaussians: .02 / 1.414, 25: .05 / 2.828)."""
    return _STD[check_dataset(name)] / _SCALE[name]


def swiss_roll(n: int, noise: float, generator: torch.Generator) -> torch.Tensor:
    """sklearn.datasets.make_swiss_roll's construction, columns [0, 2]: t = 1.5 pi (1 + 2 u),
    (t cos t, t sin t) + noise * N(0, I). (sklearn's height column, 21 u, is dropped by gan_toy.py.)"""
    t = 1.5 * math.pi * (1 + 2 * torch.rand(n, generator=generator, dtype=torch.float64))
    x = torch.stack([t * t.cos(), t * t.sin()], 1)
    return x + noise * torch.randn(n, 2, generator=generator, dtype=torch.float64)


def sample(name: str, n: int, generator: torch.Generator) -> torch.Tensor:
    """(n, 2) float32 points of a toy dataset, as gan_toy.py builds them.

    Mode draws are i.i.d. uniform; gan_toy.py's 25 Gaussians cycles through a shuffled fixed set of
    100,000 points (4,000 per mode), the same distribution up to that balancing.
    """
    if check_dataset(name) == "swissroll":
        x = swiss_roll(n, _STD[name], generator)
    else:
        c = mode_centres(name).double() * _SCALE[name]
        idx = torch.randint(len(c), (n,), generator=generator)
        x = c[idx] + _STD[name] * torch.randn(n, 2, generator=generator, dtype=torch.float64)
    return (x / _SCALE[name]).float()


class MLP(nn.Module):
    """`depth` ReLU layers of `width`, then a Linear to `out` (gan_toy.py: depth 3, width 512, no BN).

    Initialised from `generator` as tflib does: He-uniform hidden layers, Glorot-uniform last layer,
    zero biases. forward: (B, in) -> (B, out), or (B,) when out == 1 (a critic's scores).
    """

    def __init__(self, n_in: int, n_out: int, depth: int, width: int, generator: torch.Generator):
        super().__init__()
        if depth < 1 or width < 1:
            raise ValueError(f"an MLP needs depth >= 1 and width >= 1, got depth={depth}, width={width}")
        dims = [n_in] + [width] * depth + [n_out]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        with torch.no_grad():
            for i, lin in enumerate(self.layers):
                fan_in, fan_out = lin.in_features, lin.out_features
                std = math.sqrt(2 / fan_in) if i < depth else math.sqrt(2 / (fan_in + fan_out))
                lin.weight.copy_((torch.rand(fan_out, fan_in, generator=generator) * 2 - 1) * std * math.sqrt(3))
                lin.bias.zero_()

    def activations(self, x: torch.Tensor) -> tuple:
        """(output, [h_1, ..., h_depth]): the post-ReLU activations of every hidden layer, (B, width) each."""
        hs = []
        for lin in self.layers[:-1]:
            x = torch.relu(lin(x))
            hs.append(x)
        out = self.layers[-1](x)
        return (out.squeeze(1) if out.shape[1] == 1 else out), hs

    def forward(self, x: torch.Tensor, y=None) -> torch.Tensor:   # y: unused label (losses.gradient_penalty)
        return self.activations(x)[0]


@dataclass(frozen=True)
class ToyMethod:
    """How the critic is kept Lipschitz: "gp" (penalty weight lam) or "clip" (bound c), and the optimiser."""
    name: str
    constraint: str            # "gp" | "clip"
    optimizer: str             # "adam" (1e-4, betas .5, .9) | "rmsprop" (5e-5)
    lam: float = 0.0
    c: float = 0.0

    def __post_init__(self):
        if self.constraint not in ("gp", "clip") or self.optimizer not in OPTIMIZERS:
            raise ValueError(f"constraint must be gp or clip and optimizer one of {', '.join(OPTIMIZERS)}; "
                             f"got {self.constraint!r}, {self.optimizer!r}")
        if self.constraint == "clip" and not self.c > 0:
            raise ValueError(f"the clipping bound c must be > 0, got {self.c}")
        if self.constraint == "gp" and not self.lam > 0:
            raise ValueError(f"the penalty weight lambda must be > 0, got {self.lam}")


OPTIMIZERS = {"adam": dict(lr=1e-4, betas=(0.5, 0.9)), "rmsprop": dict(lr=5e-5)}   # gan_toy.py
METHODS = {
    "wgan-clip": ToyMethod("wgan-clip", "clip", "rmsprop", c=0.01),          # gan_toy.py MODE = 'wgan'
    "wgan-gp": ToyMethod("wgan-gp", "gp", "adam", lam=0.1),                  # gan_toy.py LAMBDA = .1
    "wgan-gp-paper": ToyMethod("wgan-gp-paper", "gp", "adam", lam=10.0),     # the paper's lambda = 10
    "wgan-clip-adam": ToyMethod("wgan-clip-adam", "clip", "adam", c=0.01),   # D4: clipping with Adam
}


def get_method(name: str) -> ToyMethod:
    if name not in METHODS:
        raise ValueError(f"unknown toy method {name!r}; valid: {', '.join(METHODS)}")
    return METHODS[name]


def clip_method(c: float, optimizer: str = "rmsprop") -> ToyMethod:
    """WGAN weight clipping at bound c (Figure 1b sweeps c in {0.1, 0.01, 0.001})."""
    return ToyMethod(f"wgan-clip c={c:g}" + ("" if optimizer == "rmsprop" else f" {optimizer}"), "clip", optimizer,
                     c=c)


@dataclass(frozen=True)
class ToyConfig:
    """One toy run. Defaults are gan_toy.py's (see the module docstring)."""
    dataset: str
    method: ToyMethod
    iters: int                      # generator iterations (critic-only runs: critic steps = iters * critic_iters)
    generator: str = "mlp"          # "mlp" | "fixed" (real + N(0, 1), Figure 1a)
    critic_depth: int = 3
    critic_width: int = 512
    gen_depth: int = 3
    gen_width: int = 512
    batch_size: int = 256
    critic_iters: int = 5

    def __post_init__(self):
        check_dataset(self.dataset)
        if self.generator not in ("mlp", "fixed"):
            raise ValueError(f"generator must be 'mlp' or 'fixed', got {self.generator!r}")
        if self.critic_depth < 1 or self.gen_depth < 1:
            raise ValueError(f"depth must be >= 1, got critic {self.critic_depth}, generator {self.gen_depth}")
        if self.iters < 1:
            raise ValueError(f"iters must be >= 1, got {self.iters}")


@dataclass
class ToyRun:
    config: ToyConfig
    critic: MLP
    gen: MLP | None                 # None for the fixed "generator"
    w_estimate: list = field(default_factory=list)   # per generator iteration: mean D(real) - mean D(fake)
    diverged_at: int | None = None  # first iteration with a non-finite loss (training stops there)

    def fake(self, real: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """(B, 2) fake points for a real batch: G(z), z ~ N(0, I_2), or real + N(0, I) when fixed."""
        if self.gen is None:
            return real + torch.randn(real.shape, generator=generator)
        return self.gen(torch.randn(len(real), 2, generator=generator))


def _optimizer(method: ToyMethod, params):
    cls = torch.optim.Adam if method.optimizer == "adam" else torch.optim.RMSprop
    return cls(params, **OPTIMIZERS[method.optimizer])


def _critic_step(run: ToyRun, opt, g: torch.Generator) -> float:
    cfg, m = run.config, run.config.method
    real = sample(cfg.dataset, cfg.batch_size, g)                      # (B, 2): a new batch per step
    with torch.no_grad():
        fake = run.fake(real, g)
    loss, lr, lf = d_loss("wasserstein", run.critic(real), run.critic(fake))
    if m.constraint == "gp":
        loss = loss + gradient_penalty(run.critic, real, fake, None, g, weight=m.lam)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    if m.constraint == "clip":
        clip_weights(run.critic, m.c)                                  # every critic variable, biases too
    return float(-(lr + lf).detach())                                  # E D(real) - E D(fake)


def train(cfg: ToyConfig, seed: int, progress: bool = True) -> ToyRun:
    """gan_toy.py's loop: per iteration one generator step (not at iteration 0), then critic_iters steps."""
    g = torch.Generator().manual_seed(seed)
    critic = MLP(2, 1, cfg.critic_depth, cfg.critic_width, g)
    gen = MLP(2, 2, cfg.gen_depth, cfg.gen_width, g) if cfg.generator == "mlp" else None
    run = ToyRun(cfg, critic, gen)
    if cfg.method.constraint == "clip":
        clip_weights(critic, cfg.method.c)     # tflib clips after each step; the first step sees He init
    opt_d = _optimizer(cfg.method, critic.parameters())
    opt_g = _optimizer(cfg.method, gen.parameters()) if gen is not None else None
    bar = tqdm(range(cfg.iters), disable=not progress, desc=f"{cfg.dataset} {cfg.method.name}", leave=False)
    for it in bar:
        if it > 0 and gen is not None:
            z = torch.randn(cfg.batch_size, 2, generator=g)
            loss_g = g_loss("wasserstein", critic(gen(z)))
            opt_g.zero_grad(set_to_none=True)
            loss_g.backward()
            opt_g.step()
        for _ in range(cfg.critic_iters):
            w = _critic_step(run, opt_d, g)
        run.w_estimate.append(w)
        if not math.isfinite(w):
            run.diverged_at = it
            break
    critic.zero_grad(set_to_none=True)
    return run


# ---- measures -------------------------------------------------------------------------------------

@torch.no_grad()
def value_surface(critic: MLP, span: float = 3.0, n: int = 128) -> tuple:
    """The critic on an n x n grid over [-span, span]^2 (gan_toy.py: 128, 3). Returns (xs, V) with
    V[i, j] = D(xs[j], xs[i]) (rows follow y, for contour(xs, xs, V))."""
    xs = torch.linspace(-span, span, n)
    yy, xx = torch.meshgrid(xs, xs, indexing="ij")
    v = critic(torch.stack([xx.flatten(), yy.flatten()], 1)).view(n, n)
    return xs.numpy(), v.double().numpy()


def polynomial_r2(xs: np.ndarray, v: np.ndarray, degree: int) -> float:
    """R^2 of the least-squares fit of the surface by a polynomial in (x, y) of total degree <= degree.
    R^2 near 1: the surface is that simple (the "simpler surface" of D1)."""
    yy, xx = np.meshgrid(xs, xs, indexing="ij")
    cols = [xx.ravel() ** i * yy.ravel() ** j for i in range(degree + 1) for j in range(degree + 1 - i)]
    a = np.stack(cols, 1)
    coef, *_ = np.linalg.lstsq(a, v.ravel(), rcond=None)
    resid = v.ravel() - a @ coef
    total = ((v.ravel() - v.mean()) ** 2).sum()
    return float(1 - (resid ** 2).sum() / total) if total > 0 else 1.0


def structure_pairs(name: str, n_roll: int = 200) -> tuple:
    """(P, Q), each (M, 2): points on the data's structure and, pairwise, the off-data point halfway to a
    neighbouring part of it. 8 Gaussians: each mode and the circle's points halfway (+-22.5 deg) to its two
    neighbours (M = 16); 25 Gaussians: each mode and the midpoint to each grid neighbour (M = 80); Swiss
    roll: n_roll points of the noise-free spiral and, in the same direction, the radii halfway to the arm
    inside and outside (M = 2 n_roll)."""
    if check_dataset(name) == "8gaussians":
        a = torch.arange(8, dtype=torch.float64) * math.pi / 4
        r = 2.0 / _SCALE[name]
        p = r * torch.stack([a.cos(), a.sin()], 1).repeat_interleave(2, 0)
        b = a.repeat_interleave(2) + torch.tensor([-1.0, 1.0], dtype=torch.float64).repeat(8) * math.pi / 8
        return p.float(), (r * torch.stack([b.cos(), b.sin()], 1)).float()
    if name == "25gaussians":
        c = mode_centres(name).double()
        d = torch.cdist(c, c)
        i, j = torch.nonzero((d > 0) & (d < 1.01 * d[d > 0].min()), as_tuple=True)   # grid neighbours
        return c[i].float(), ((c[i] + c[j]) / 2).float()
    t = 1.5 * math.pi * (1 + 2 * torch.linspace(0, 1, n_roll, dtype=torch.float64))   # swiss_roll's t range
    u = torch.stack([t.cos(), t.sin()], 1)
    p = (t[:, None] * u).repeat(2, 1)
    q = torch.cat([(t[:, None] - math.pi) * u, (t[:, None] + math.pi) * u])     # arms are 2 pi apart in t
    return (p / _SCALE[name]).float(), (q / _SCALE[name]).float()


def structure_contrast(critic: MLP, dataset: str) -> float:
    """Does the critic's surface follow the data's fine structure? mean(D(P) - D(Q)) / (mean |P - Q| x s),
    with (P, Q) = structure_pairs and s the mean ||grad_x D|| along the segments P -> Q (at 10, 30, ..., 90 %:
    the slope itself, not at a peak where it vanishes). ~1 when the critic peaks on the data with its own
    slope (a cone on every mode), 0 for a linear critic (the pairs are symmetric), < 0 when it dips on the
    data. Dimensionless, so clipped and GP critics of any scale compare."""
    p, q = structure_pairs(dataset)
    f = torch.tensor([0.1, 0.3, 0.5, 0.7, 0.9])[:, None, None]
    x = (p + f * (q - p)).reshape(-1, 2).requires_grad_(True)       # (5 M, 2) points along the segments
    (grad,) = torch.autograd.grad(critic(x).sum(), x)
    with torch.no_grad():
        rise = float((critic(p) - critic(q)).mean())
    return rise / float((p - q).norm(dim=1).mean() * grad.norm(dim=1).mean())


def input_grad_norms(critic: MLP, real: torch.Tensor, fake: torch.Tensor, generator: torch.Generator) -> dict:
    """Mean ||grad_x D(x)||_2 at real, fake and interpolated points (x_hat as in the penalty)."""
    eps = torch.rand(len(real), 1, generator=generator)
    out = {}
    for name, x in (("real", real), ("fake", fake), ("interpolated", eps * real + (1 - eps) * fake)):
        x = x.detach().clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(critic(x).sum(), x)
        out[name] = float(grad.norm(dim=1).mean())
    return out


def layer_grad_norms(critic: MLP, real: torch.Tensor, fake: torch.Tensor) -> np.ndarray:
    """Figure 1b (left): ||d loss / d h_l|| for each hidden layer l = 1..depth, where loss is the critic's
    Wasserstein loss mean D(fake) - mean D(real) and h_l the (B, width) post-ReLU activations.
    In float64 on a copy: with c = 0.001 the norms fall below float32's range within 12 layers."""
    critic = copy.deepcopy(critic).double()
    out_r, hs_r = critic.activations(real.double())
    out_f, hs_f = critic.activations(fake.detach().double())
    loss = d_loss("wasserstein", out_r, out_f)[0]
    grads = torch.autograd.grad(loss, hs_r + hs_f)
    depth = len(hs_r)
    return np.array([math.sqrt(float(grads[i].pow(2).sum() + grads[depth + i].pow(2).sum())) for i in range(depth)])


def layer_weights(critic: MLP) -> list:
    """Each layer's weight-matrix entries, flattened (biases left out), for Figure 1b (right)."""
    return [lin.weight.detach().flatten().numpy() for lin in critic.layers]


def critic_weights(critic: MLP) -> np.ndarray:
    """Every weight-matrix entry of the critic in one flat array."""
    return np.concatenate(layer_weights(critic))


def share_near_own_extremes(critic: MLP, tol: float = 0.05) -> float:
    """Share of weights within tol of their own layer's largest |w| (a bimodal test for an unclipped
    critic, whose first layer (fan-in 2) has far larger weights than the rest)."""
    ws = layer_weights(critic)
    return float(sum(share_near_bounds(w, float(np.abs(w).max()), tol) * w.size for w in ws) / sum(w.size for w in ws))


def share_near_bounds(w: np.ndarray, bound: float, tol: float = 0.05) -> float:
    """Share of weights within tol * bound of +-bound: |w| >= (1 - tol) * bound (D3)."""
    if not bound > 0:
        raise ValueError(f"bound must be > 0, got {bound}")
    return float((np.abs(w) >= (1 - tol) * bound).mean())


def w1_exact(x: torch.Tensor, y: torch.Tensor) -> float:
    """Exact Wasserstein-1 between two equal-size point sets (uniform weights): the optimal assignment
    (scipy's linear_sum_assignment on Euclidean costs), mean matched distance."""
    from scipy.optimize import linear_sum_assignment
    if x.shape != y.shape:
        raise ValueError(f"w1_exact needs two equal-size point sets, got {tuple(x.shape)} and {tuple(y.shape)}")
    cost = torch.cdist(x.double(), y.double()).numpy()
    r, c = linear_sum_assignment(cost)
    return float(cost[r, c].mean())


def mode_stats(x: torch.Tensor, dataset: str, n_sigma: float = 3.0, min_share: float = 0.1) -> dict:
    """Share of points within n_sigma * std (Euclidean) of their nearest mode, and modes covered: a mode
    counts when it holds at least min_share of its fair share (n / K) of such points. Swiss roll: {}."""
    c = mode_centres(dataset)
    if len(c) == 0:
        return {}
    d = torch.cdist(x.float(), c)                       # (n, K)
    dist, idx = d.min(1)
    near = dist <= n_sigma * mode_std(dataset)
    counts = torch.bincount(idx[near], minlength=len(c))
    covered = int((counts >= min_share * len(x) / len(c)).sum())
    return {"share_3sigma": float(near.float().mean()), "modes_covered": covered, "n_modes": len(c)}


# ---- budgets ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ToyBudget:
    """Iterations and sizes of notebook 14's studies for one profile (see BUDGETS for the reasoning)."""
    name: str
    width: int                  # hidden width of every MLP (gan_toy.py DIM = 512)
    batch_size: int             # gan_toy.py BATCH_SIZE = 256
    surface_iters: int          # Figure 1a, fixed generator: critic steps = 5 x this
    gan_iters: int              # full GAN training on the three datasets (D1)
    gan_methods: tuple          # METHODS trained as full GANs (D1)
    deep_depth: int             # Figure 1b: critic and generator depth (paper: 12)
    deep_iters: int             # Figure 1b's runs (D2, D3)
    d4_iters: int
    d4_archs: tuple             # ((critic depth, critic width), ...) of the optimiser study (D4)
    n_eval: int                 # points per side for W1 / MMD / mode statistics
    grid: int                   # value-surface grid points per axis (gan_toy.py N_POINTS = 128)


# cpu: the paper's widths, depths, batch, optimisers, learning rates, lambda and c; only iterations (and D4's
# architectures) are cut. Seconds per generator iteration (5 critic steps), 3 x 512 pair on 8 Gaussians:
# idle 2-core machine, 2 threads: GP .20, clip .093 (1 thread: .29, .14); earlier, sharing the machine with
# another job, 1 thread: GP .25-.45, clip .22 (2 threads: 2.7); fixed generator GP ~.5, clip .19; 12-layer
# pair, GP 2.4, clip 1.6; D4 over its 4 critics x 3 methods 2.3 s. The paper's 100,000 iterations would take
# ~6 h per 3 x 512 GP run, so cpu runs 120 fixed-generator iterations (600 critic steps: RMSProp 5e-5 can
# cross +-0.01 several times, and the table's w_late_change shows whether the estimate levelled off),
# 2,000 GAN iterations (8 Gaussians, GP lambda .1, W1 to the data: .85 at 0, .54 at 500, .33 at 1,000,
# still falling; the first cpu run's 500 left every GAN covering 0-1 modes), 40 iterations of Figure 1b's
# 12-layer runs (the clipped gradients' geometric profile is set by the weights at +-c, which the He
# initialisation already puts there after the first clip; both shares are recorded), and 1,000 iterations
# of D4 (at 200 no run of any method had halved its initial W1, D4's stability criterion). Estimated
# 2 + 23 + 3 + 20 = ~50 min on an idle machine.
BUDGETS = {
    "smoke": ToyBudget("smoke", width=32, batch_size=64, surface_iters=4, gan_iters=3,
                       gan_methods=("wgan-clip", "wgan-gp"), deep_depth=12, deep_iters=2, d4_iters=3,
                       d4_archs=((1, 32), (3, 16)), n_eval=128, grid=32),
    "cpu": ToyBudget("cpu", width=512, batch_size=256, surface_iters=120, gan_iters=2000,
                     gan_methods=("wgan-clip", "wgan-gp"), deep_depth=12, deep_iters=40, d4_iters=1000,
                     d4_archs=((1, 512), (3, 512), (6, 128), (12, 128)), n_eval=1000, grid=128),
    "paper": ToyBudget("paper", width=512, batch_size=256, surface_iters=100000, gan_iters=100000,
                       gan_methods=("wgan-clip", "wgan-gp", "wgan-gp-paper"), deep_depth=12, deep_iters=100000,
                       d4_iters=100000, d4_archs=tuple((d, w) for d in (1, 3, 6, 12) for w in (128, 512)),
                       n_eval=2000, grid=128),
}


def get_budget(profile: str) -> ToyBudget:
    return budget_for(BUDGETS, profile, "toy budget")
