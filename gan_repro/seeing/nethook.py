"""Layer access for generators: run G and read or change any named module's output (ganseeing's nethook).

`LayerView(g)` names a chain of layers g_1 ... g_n inside G, so that G = G_f(g_n(... g_1(z))), and runs G
with forward hooks that retain a layer's output, replace it, or add to it, and that can stop the forward
pass early. Hooks leave G's own forward untouched, so the same code serves the DCGAN, ResNet and BigGAN
generators. The default chains (`SPLITS`, by generator class name) take each stage's activation:

    DCGANGenerator  : fc, then every ReLU of the up-sampling stack        (B, 4w*16), (B, 2w, 8, 8), ...
    ResNetGenerator : fc, then every residual block                       (B, w*16), (B, w, 8, 8), ...
    BigGANGenerator : fc, then every block (its attention, where present)

In the DCGAN and ResNet generators each layer's output is the only input of the next (a chain), which
layer-wise inversion needs; so is any leading part of it, and `undercomplete` cuts the chain where the
layers become wider than the image (the cut layer-wise inversion uses). BigGAN feeds a chunk of z to every block (hierarchical z): its layers can be
read and edited, but it is not a chain (`is_chain`).
"""
from __future__ import annotations

from typing import Callable

import torch
import torch.nn as nn


def _dcgan_layers(g) -> list:
    return ["fc"] + [f"ups.{i}" for i, m in enumerate(g.ups) if isinstance(m, nn.ReLU)]


def _resnet_layers(g) -> list:
    return ["fc"] + [f"blocks.{i}" for i in range(len(g.blocks))]


def _biggan_layers(g) -> list:
    return ["fc"] + [f"attn.{i}" if str(i) in g.attn else f"blocks.{i}" for i in range(len(g.blocks))]


SPLITS = {"DCGANGenerator": _dcgan_layers, "ResNetGenerator": _resnet_layers, "BigGANGenerator": _biggan_layers}
CHAINS = ("DCGANGenerator", "ResNetGenerator")     # generators whose default layers form a chain


class _Stop(Exception):
    """Raised by a hook to end the forward pass once the wanted layer has run."""


class LayerView:
    """A generator seen as named layers. `layers` (default: `SPLITS` by class) are module names of G."""

    def __init__(self, g: nn.Module, layers: list | None = None):
        self.g = g
        self.modules = dict(g.named_modules())
        kind = type(g).__name__
        if layers is None:
            if kind not in SPLITS:
                raise ValueError(f"no default layer split for {kind}; pass layers=[...] from its modules: "
                                 f"{', '.join(n for n in self.modules if n)}")
            layers = SPLITS[kind](g)
        if not layers:
            raise ValueError(f"{kind} has no layers to split at; pass layers=[...] from its modules: "
                             f"{', '.join(n for n in self.modules if n) or '(none)'}")
        for name in layers:
            self.check(name)
        self.layers = list(layers)
        # a leading part of a default chain is a chain too (G_f is then the rest of G)
        self.is_chain = kind in CHAINS and self.layers == SPLITS[kind](g)[:len(self.layers)]

    def check(self, name: str) -> None:
        if name not in self.modules or not name:
            raise ValueError(f"unknown layer {name!r}; valid: {', '.join(n for n in self.modules if n)}")

    def run(self, z: torch.Tensor, y=None, retain=(), edit: dict | None = None, stop_at: str | None = None):
        """G(z, y) with hooks. retain: layer names whose outputs come back; edit: {name: f(output) ->
        new output}; stop_at: end the pass after that layer (the image is then None).
        Returns (image or None, {name: output})."""
        edit = edit or {}
        for name in [*retain, *edit, *([stop_at] if stop_at else [])]:
            self.check(name)
        kept, handles = {}, []

        def hook(name):
            def f(_module, _inputs, out):
                out = edit[name](out) if name in edit else out
                if name in retain:
                    kept[name] = out
                if name == stop_at:
                    raise _Stop
                return out
            return f

        for name in dict.fromkeys([*retain, *edit, *([stop_at] if stop_at else [])]):
            handles.append(self.modules[name].register_forward_hook(hook(name)))
        try:
            x = self.g(z, y) if y is not None else self.g(z)
        except _Stop:
            x = None
        finally:
            for h in handles:
                h.remove()
        return x, kept

    def outputs(self, z: torch.Tensor, y=None) -> tuple:
        """(image, [r_1 ... r_n]) for codes z: every layer's output in one pass."""
        x, kept = self.run(z, y, retain=self.layers)
        return x, [kept[n] for n in self.layers]

    def step(self, i: int, r_prev: torch.Tensor, z_like: torch.Tensor) -> torch.Tensor:
        """g_i alone (1-based): r_i from r_{i-1} (r_0 = z). Layers before i run on z_like and are overwritten."""
        self._need_chain()
        if i == 1:
            return self.run(r_prev, retain=[self.layers[0]], stop_at=self.layers[0])[1][self.layers[0]]
        name, prev = self.layers[i - 1], self.layers[i - 2]
        return self.run(z_like, edit={prev: _const(r_prev)}, retain=[name], stop_at=name)[1][name]

    def from_layers(self, z: torch.Tensor, deltas: dict) -> torch.Tensor:
        """G with r_i = delta_i + g_i(r_{i-1}) at every layer named in `deltas` (ganseeing's residuals)."""
        return self.run(z, edit={n: _add(d) for n, d in deltas.items()})[0]

    def tail(self, r_n: torch.Tensor, z_like: torch.Tensor) -> torch.Tensor:
        """G_f alone: the image from the last layer's output r_n."""
        self._need_chain()
        return self.run(z_like, edit={self.layers[-1]: _const(r_n)})[0]

    def undercomplete(self, z: torch.Tensor) -> "LayerView":
        """The same G cut after the leading layers whose outputs have fewer values than the image, so that
        G_f cannot draw an arbitrary image from it. Layer-wise inversion needs this: residuals on a layer
        wider than the image let it reconstruct anything, and "what it cannot reconstruct" says nothing
        about G (ganseeing cuts ProGAN-256 after layer4: 8x8x512 values, a sixth of the pixels)."""
        self._need_chain()
        was = self.g.training
        self.g.eval()                       # shapes only: BN running statistics must not move
        try:
            with torch.no_grad():
                x, rs = self.outputs(z[:1])
        finally:
            self.g.train(was)
        narrow = [r.numel() < x.numel() for r in rs]
        keep = self.layers[:narrow.index(False) if False in narrow else len(narrow)]
        if not keep:
            sizes = ", ".join(f"{n} {r.numel()}" for n, r in zip(self.layers, rs))
            raise ValueError(f"no leading layers of {type(self.g).__name__} are narrower than its image "
                             f"({x.numel()} values; layers: {sizes}); pass layers=[...] explicitly")
        return LayerView(self.g, keep)

    def _need_chain(self):
        if not self.is_chain:
            raise ValueError(f"{type(self.g).__name__} with layers {self.layers} is not a chain (each layer's "
                             "output the only input of the next); layer-wise inversion needs one")


def _const(t: torch.Tensor) -> Callable:
    return lambda _out: t


def _add(d: torch.Tensor) -> Callable:
    return lambda out: out + d
