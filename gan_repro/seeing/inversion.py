"""Layer-wise network inversion (Bau et al., ICCV 2019, sec. 4) and the baselines it is compared with.

Write G = G_f(g_n(... g_1(z))) (`LayerView`, a chain r_i = g_i(r_{i-1}), r_0 = z), cut where r_n still has
fewer values than the image (`LayerView.undercomplete`; ganseeing cuts ProGAN after layer4). Then

1. train an inverse e_i per layer, r_{i-1} ~ e_i(r_i), and e_f for G_f, r_n ~ e_f(x) (`train_encoder`).
   As ganseeing's `train_onelayer_inv.py`: loss = cos_err(r_{i-1}, e_i(r_i)) + 0.01 cos_err(r_i, g_i(e_i(r_i))),
   on fresh samples of G every step (for r_0 = z the first term is the MSE: z's norm matters, its
   direction alone does not fix it);
2. compose E = e_1 . ... . e_n . e_f and fine-tune it jointly on z, layer and pixel recovery (weights 1;
   ganseeing's `train_hybrid_inv.py` does the same at its scale);
3. optimise r = delta_n + g_n(... delta_1 + g_1(z0)), z0 = E(x), under pixel L1 + perceptual L1 +
   lambda sum_i mean(delta_i^2) with Adam, lr and steps from the config, the lr halved at 50 % and 75 % of
   the steps (ganseeing `optimize_residuals.py`: the same loss with weights 1, Adam lr 0.01, 3,000 steps,
   step decay; its perceptual network is VGG16 relu4_2, ours is the caller's, named in every result).

Baselines through the same call (`invert(method, ...)`), all with Adam on the batch (each image's loss
is its own, so images do not interact; ganseeing optimises z with L-BFGS):
  "z"          (a) z alone from a seeded N(0, I) start, pixel + perceptual loss;
  "encoder"    (b) E(x), no optimisation;
  "encoder+z"  (c) z from E(x), pixel + perceptual + 0.25 MSE(E(x), E(G(z))) (ganseeing's z loss);
  "layerwise"  (d) the full method above.
"""
from __future__ import annotations

import hashlib
import io
import json
import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F
from tqdm.auto import tqdm

from gan_repro.data import cache_root, check_float_images, save_atomic, to_model
from gan_repro.models.layers import frozen
from gan_repro.seeing.nethook import LayerView


@dataclass(frozen=True)
class InversionConfig:
    hidden: int = 64            # channels / units of every inverter
    layer_steps: int = 400      # training steps of each e_i and of e_f
    joint_steps: int = 200      # joint fine-tuning of E
    batch_size: int = 64
    lr: float = 1e-3            # inverters (Adam)
    opt_steps: int = 300        # optimisation steps of (a), (c), (d)
    opt_lr: float = 0.01        # Adam, as ganseeing
    delta_weight: float = 1.0   # lambda on sum_i mean(delta_i^2)
    perceptual_weight: float = 1.0
    z_enc_weight: float = 0.25  # (c): weight of MSE(E(x), E(G(z)))
    seed: int = 0


def inverter(src: tuple, dst: tuple, hidden: int) -> nn.Module:
    """A small net from tensors of shape `src` to shape `dst` (no batch dim): convs for maps, MLP for vectors."""
    act = nn.LeakyReLU(0.2)
    if len(src) == 1:                                                  # vector -> vector or map
        out = [nn.Linear(src[0], 4 * hidden), act, nn.Linear(4 * hidden, math.prod(dst))]
        return nn.Sequential(*out, nn.Unflatten(1, dst)) if len(dst) > 1 else nn.Sequential(*out)
    c, h, w = src
    body = [nn.Conv2d(c, hidden, 3, padding=1), act]
    if len(dst) == 1:                                                  # map -> vector
        return nn.Sequential(*body, nn.Conv2d(hidden, hidden, 4, 2, 1), act, nn.Flatten(),
                             nn.Linear(hidden * (h // 2) * (w // 2), dst[0]))
    if dst[1] > h or h % dst[1]:
        raise ValueError(f"inverter from {src} to {dst}: the target map must be an integer factor smaller")
    pool = [nn.AvgPool2d(h // dst[1])] if dst[1] < h else []
    return nn.Sequential(*body, *pool, nn.Conv2d(hidden, hidden, 3, padding=1), act,
                         nn.Conv2d(hidden, dst[0], 3, padding=1))


def cos_err(target: torch.Tensor, pred: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of 1 - cosine(target_b, pred_b), every sample flattened."""
    return (1 - F.cosine_similarity(target.flatten(1), pred.flatten(1), dim=1)).mean()


class Encoder(nn.Module):
    """E = e_1 . ... . e_n . e_f: image (B, C, H, W) -> z (B, z_dim), and every layer on the way."""

    def __init__(self, shapes: list, hidden: int):
        super().__init__()                 # shapes: [z, r_1, ..., r_n, x] without the batch dim
        self.e = nn.ModuleList(inverter(shapes[i + 1], shapes[i], hidden) for i in range(len(shapes) - 1))

    def layers(self, x: torch.Tensor) -> list:
        """[z^, r_1^, ..., r_n^] from x: e_f first, e_1 last."""
        out, h = [], x
        for e in reversed(self.e):
            h = e(h)
            out.append(h)
        return out[::-1]

    def forward(self, x):
        return self.layers(x)[0]


def _z(view: LayerView, n: int, g: torch.Generator) -> torch.Tensor:
    return torch.randn(n, view.g.cfg.z_dim, generator=g)


def _layer_loss(view, enc, i, z, rs, x) -> torch.Tensor:
    """The loss of inverter i (0 = e_1 ... n = e_f): recover its layer's input, then 0.01 x re-apply the layer."""
    chain = [z, *rs, x]                                                # r_0 = z, ..., r_{n+1} = x
    pred = enc.e[i](chain[i + 1])
    first = F.mse_loss(pred, z) if i == 0 else cos_err(chain[i], pred)
    n = len(rs)
    again = view.tail(pred, z) if i == n else view.step(i + 1, pred, z)   # g_{i+1}(e_{i+1}(r_{i+1}))
    return first + 0.01 * cos_err(chain[i + 1], again)


def _fit(params, steps, lr, loss_fn, desc, progress) -> list:
    opt = torch.optim.Adam(params, lr=lr)
    losses = []
    for _ in tqdm(range(steps), desc=desc, disable=not progress, leave=False):
        loss = loss_fn()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


# Bump when the training code changes what a config produces.
INVERSION_CODE_VERSION = 1


def encoder_key(view: LayerView, cfg: InversionConfig) -> str:
    buf = io.BytesIO()
    torch.save({k: v.cpu() for k, v in view.g.state_dict().items()}, buf)
    h = hashlib.sha256(buf.getvalue())
    h.update(json.dumps({**asdict(cfg), "layers": view.layers, "code": INVERSION_CODE_VERSION}).encode())
    return h.hexdigest()[:24]


@torch.no_grad()
def _shapes(view: LayerView) -> list:
    z = _z(view, 2, torch.Generator().manual_seed(0))
    x, rs = view.outputs(z)
    return [tuple(t.shape[1:]) for t in (z, *rs, x)]


def train_encoder(view: LayerView, cfg: InversionConfig, progress: bool = True, cache: bool = True) -> tuple:
    """Steps 1 and 2: per-layer inverters, then joint fine-tuning. Cached by G's weights + config + layers.
    Returns (Encoder in eval mode, {"layer_i": losses, "joint": losses})."""
    view._need_chain()
    view.g.eval()
    torch.manual_seed(cfg.seed)
    enc = Encoder(_shapes(view), cfg.hidden)
    path = cache_root() / "inverters" / f"{encoder_key(view, cfg)}.pt"
    if cache and path.exists():
        saved = torch.load(path, map_location="cpu", weights_only=True)
        enc.load_state_dict(saved["state"])
        return enc.eval(), saved["losses"]
    g = torch.Generator().manual_seed(cfg.seed)

    def batch():
        z = _z(view, cfg.batch_size, g)
        with torch.no_grad():
            x, rs = view.outputs(z)
        return z, rs, x

    with frozen(view.g):
        losses = _train(view, enc, cfg, batch, progress)
    enc.eval()
    if cache:
        save_atomic({"state": enc.state_dict(), "losses": losses}, path)
    return enc, losses


def _train(view, enc, cfg, batch, progress) -> dict:
    losses = {}
    for i in range(len(enc.e)):                                        # step 1: one inverter at a time
        losses[f"layer_{i + 1}" if i < len(enc.e) - 1 else "layer_f"] = _fit(
            enc.e[i].parameters(), cfg.layer_steps, cfg.lr, lambda: _layer_loss(view, enc, i, *batch()),
            f"inverter {i + 1}/{len(enc.e)}", progress)

    def joint():                                                       # step 2: z, layers and pixels
        z, rs, x = batch()
        got = enc.layers(x)
        return (F.mse_loss(got[0], z) + sum(cos_err(r, h) for r, h in zip(rs, got[1:]))
                + F.l1_loss(view.g(got[0]), x))

    losses["joint"] = _fit(enc.parameters(), cfg.joint_steps, cfg.lr / 2, joint, "joint E", progress)
    return losses


# ------------------------------------------------------------------ step 3 and the baselines
@dataclass
class InversionResult:
    method: str
    recon: torch.Tensor         # (N, C, H, W) float in [-1, 1]
    losses: list                # mean loss over the batch, per optimisation step (empty for "encoder")
    final_loss: torch.Tensor    # (N,) each image's loss at the end (pixel + perceptual [+ the method's term])


def as_target(x: torch.Tensor, view: LayerView) -> torch.Tensor:
    """Images to invert: uint8 [0, 255] or float [-1, 1], (N, C, H, W) with G's C, H, W."""
    x = to_model(x) if x.dtype == torch.uint8 else check_float_images(x, "images to invert")
    want = _shapes(view)[-1]
    if tuple(x.shape[1:]) != want:
        raise ValueError(f"images to invert must be (N, {', '.join(map(str, want))}) like G's output, "
                         f"got {tuple(x.shape)}")
    return x


def image_loss(x, recon, perceptual, cfg) -> torch.Tensor:
    """(N,) pixel L1 + perceptual_weight x L1 between perceptual features (None: pixels only)."""
    loss = (x - recon).abs().flatten(1).mean(1)
    if perceptual is not None and cfg.perceptual_weight:
        loss = loss + cfg.perceptual_weight * (perceptual(x) - perceptual(recon)).abs().flatten(1).mean(1)
    return loss


def _optimise(params, steps, lr, per_image, progress, desc) -> list:
    """Adam on the batch, lr halved at 50 % and 75 % of the steps; per_image() -> (recon, (N,) losses)."""
    opt = torch.optim.Adam(params, lr=lr)
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, [steps // 2, 3 * steps // 4], 0.5)
    losses = []
    for _ in tqdm(range(steps), desc=desc, disable=not progress, leave=False):
        loss = per_image()[1]                       # (N,); summed, so every image's gradient is its own
        opt.zero_grad(set_to_none=True)
        loss.sum().backward()
        opt.step()
        sched.step()
        losses.append(loss.mean().item())
    return losses


def invert(method: str, x: torch.Tensor, view: LayerView, enc: Encoder, cfg: InversionConfig,
           perceptual=None, progress: bool = True) -> InversionResult:
    """Invert images x with one of METHODS; see the module docstring. Deterministic given cfg.seed."""
    if method not in METHODS:
        raise ValueError(f"unknown inversion method {method!r}; valid: {', '.join(METHODS)}")
    x = as_target(x, view)
    view.g.eval()
    with frozen(view.g, enc, *([perceptual] if isinstance(perceptual, nn.Module) else [])):
        return METHODS[method](x, view, enc, cfg, perceptual, progress)


def _by_z(z0, extra, x, view, cfg, perceptual, progress, name):
    z = z0.clone().requires_grad_(True)

    def per_image():
        recon = view.g(z)
        return recon, image_loss(x, recon, perceptual, cfg) + extra(recon)

    losses = _optimise([z], cfg.opt_steps, cfg.opt_lr, per_image, progress, name)
    with torch.no_grad():
        recon, loss = per_image()
    return InversionResult(name, recon, losses, loss)


def _z_only(x, view, enc, cfg, perceptual, progress):
    z0 = _z(view, len(x), torch.Generator().manual_seed(cfg.seed))
    return _by_z(z0, lambda r: 0.0, x, view, cfg, perceptual, progress, "z")


def _encoder(x, view, enc, cfg, perceptual, progress):
    with torch.no_grad():
        recon = view.g(enc(x))
        return InversionResult("encoder", recon, [], image_loss(x, recon, perceptual, cfg))


def _encoder_z(x, view, enc, cfg, perceptual, progress):
    with torch.no_grad():
        z0 = enc(x)
    extra = lambda recon: cfg.z_enc_weight * ((enc(recon) - z0) ** 2).mean(1)    # MSE(E(x), E(G(z)))
    return _by_z(z0, extra, x, view, cfg, perceptual, progress, "encoder+z")


def _layerwise(x, view, enc, cfg, perceptual, progress):
    with torch.no_grad():
        z0 = enc(x)
        _, rs = view.outputs(z0)
    deltas = {n: torch.zeros_like(r, requires_grad=True) for n, r in zip(view.layers, rs)}

    def per_image():
        recon = view.from_layers(z0, deltas)
        reg = sum((d ** 2).flatten(1).mean(1) for d in deltas.values())
        return recon, image_loss(x, recon, perceptual, cfg) + cfg.delta_weight * reg

    losses = _optimise(list(deltas.values()), cfg.opt_steps, cfg.opt_lr, per_image, progress, "layerwise")
    with torch.no_grad():
        recon, loss = per_image()
    return InversionResult("layerwise", recon, losses, loss)


METHODS = {"z": _z_only, "encoder": _encoder, "encoder+z": _encoder_z, "layerwise": _layerwise}
