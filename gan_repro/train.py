"""Trainer: wires data, a preset's G and D, losses and optimisers; checkpoints, resume, logs, spectra.

All randomness of a run (data order, z, labels, GP interpolation) flows from one torch.Generator whose
state is checkpointed with the models, optimisers, EMA and step, so a resumed run continues
bit-identically (tests/test_train.py). Checkpoints are written atomically every `ckpt_every` steps.
"""
from __future__ import annotations

import copy
import contextlib
import hashlib
import json
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from tqdm.auto import tqdm

from gan_repro.data import load_dataset, make_card, to_model, to_uint8
from gan_repro.losses import (add_ortho_grad_, clamp_singular_values_, clip_weights, d_loss, g_loss,
                              gradient_penalty, r1_penalty)
from gan_repro.models.layers import frozen
from gan_repro.presets import get_preset, make_gan, model_field, with_model, with_sn


@dataclass(frozen=True)
class TrainConfig:
    preset: str
    dataset: str
    iters: int                  # generator steps
    batch_size: int = 64
    width: int = 64
    conditional: bool = True
    n_train: int = 0            # first n training images only (0 = all), e.g. GAN augmentation (A7)
    seed: int = 0
    ckpt_every: int = 500
    log_every: int = 50
    spectra_every: int = 0      # top-3 singular values of every weight every K steps (0 = off)
    device: str = "cpu"
    distributed: str = "none"   # "none" | "gloo" (CPU) | "nccl" (CUDA): DDP under torchrun
    ema: bool = True            # keep the preset's EMA of G, if it has one (False: sample the raw G)
    fast: bool = True           # the faster CPU path of issue 20 (Trainer._speed_setup); False: the path of
                                # every run before it, kept for side-by-side timing (benchmarks/bench_train.py)
    r1_gamma: float = 0.0       # BigGAN's D-Jacobian stabiliser: R1 at real data (losses.r1_penalty); 0 = off
    g_sigma_bound: float = 0.0  # clamp every G weight's singular values at this bound after each G step
                                # (losses.clamp_singular_values_); 0 = off
    ortho_beta: float | None = None   # override the preset's orthogonal regularisation (B2: 0 vs 1e-4)
    lr_scale: float = 1.0       # both learning rates x this (B3: a setting that collapses)
    g_sn: bool | None = None    # override spectral norm in G where the family has it (use_sn_g); None = the preset's
    init: str | None = None     # override the family's weight init where it has a choice (ResNet: "torch" |
                                # "reference", SNGAN's own code's); None = the preset's
    lr_decay_start: int | None = None   # None: constant learning rates. k: both fall linearly from step k to 0
                                # at step iters, as Miyato & Koyama's SNGAN code does (LinearShift of Adam's alpha)
    d_sn: bool | None = None    # the same for D (use_sn_d): B3's search for a setting that collapses
    compile: bool = False       # torch.compile G's and D's training forward (inductor); opt-in, see _speed_setup.
                                # Not in the hash: it changes float order only, and a run may resume either way
    precision: str = "fp32"     # "fp32" | "bf16": G's and D's training calls under bfloat16 autocast (issue 20).
                                # Opt-in only: it changes the numbers, so it enters the hash (and the run's name
                                # in results via its config). Weights, optimiser states and losses stay fp32

    def hash(self) -> str:
        d = asdict(self)
        for k in _RUNTIME_FIELDS:
            del d[k]
        for k, default in _LATE_FIELDS.items():   # runs committed before a field existed keep their hash
            if d[k] == default:
                del d[k]
        return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:16]


# fields added after runs were committed: they enter the config hash only when set away from this default
_LATE_FIELDS = {"ema": True, "fast": True, "r1_gamma": 0.0, "g_sigma_bound": 0.0, "ortho_beta": None,
                "lr_scale": 1.0, "g_sn": None, "init": None, "lr_decay_start": None, "d_sn": None,
                "precision": "fp32"}
# fields that never enter the hash: how a run executes, not what it trains
_RUNTIME_FIELDS = ("compile",)
# fields a finished run may differ in and still be continued exactly by a longer one: the schedule of
# logs and checkpoints touches no weight or random number, and dropping the EMA changes no training step
EXTENDABLE = ("iters", "ckpt_every", "log_every", "ema") + _RUNTIME_FIELDS


def lr_factor(step: int, start: int | None, iters: int) -> float:
    """Learning-rate multiplier for the iteration after `step` completed ones: 1 up to `start`, then linear
    to 0 at `iters` (chainer's LinearShift((lr, 0), (start, iters)), which Miyato & Koyama's train.py uses)."""
    if start is None or step <= start:
        return 1.0
    return max(0.0, 1.0 - (step - start) / max(1, iters - start))


# the parts of the fast path (TrainConfig.fast), each switchable on its own for benchmarks/bench_train.py
FAST_PARTS = ("joint_d", "foreach", "channels_last", "freeze_d", "fold_resample")
PRECISIONS = {"fp32": None, "bf16": torch.bfloat16}     # TrainConfig.precision -> autocast dtype (None: off)


class CheckpointError(RuntimeError):
    """A checkpoint that cannot be read, or belongs to another config: never a silent restart."""


def top_singular_values(model: torch.nn.Module, k: int = 3) -> dict:
    """{weight name: top-k singular values}, exact (svdvals), conv kernels reshaped to (out, -1).

    Spectrally normalised layers report their raw weight (`...original`), whose growth claim B3 tracks.
    """
    out = {}
    for name, p in model.named_parameters():
        if p.dim() >= 2:
            out[name] = torch.linalg.svdvals(p.detach().flatten(1).float())[:k].tolist()
    return out


class Trainer:
    def __init__(self, cfg: TrainConfig, out_dir: str | Path, progress: bool = True, fast_parts=None):
        """fast_parts: which of FAST_PARTS run (benchmarks only); default all of them when cfg.fast, else none."""
        self.cfg, self.out, self.progress = cfg, Path(out_dir), progress
        parts = tuple(fast_parts) if fast_parts is not None else FAST_PARTS if cfg.fast else ()
        unknown = set(parts) - set(FAST_PARTS)
        if unknown:
            raise ValueError(f"unknown fast-path parts {sorted(unknown)}; valid: {', '.join(FAST_PARTS)}")
        self.fast_parts = parts
        if cfg.precision not in PRECISIONS:
            raise ValueError(f"unknown precision {cfg.precision!r}; valid: {', '.join(PRECISIONS)}")
        self.preset = get_preset(cfg.preset)
        for net, on in (("g", cfg.g_sn), ("d", cfg.d_sn)):
            if on is not None:
                self.preset = with_sn(self.preset, net, on)
        if cfg.init is not None:
            self.preset = with_model(self.preset, "init", cfg.init, "choice of weight init")
        data = load_dataset(cfg.dataset, "train")
        n = cfg.n_train or len(data)
        self.images, self.labels = data.images[:n], data.labels[:n]
        self.card = data.card if n == len(data) else make_card(
            data.card.name, "train", self.images, self.labels, len(data.classes), f"{data.card.source}[:{n}]")
        self.n_classes = len(data.classes) if cfg.conditional else 0
        if self.preset.family == "biggan" and not cfg.conditional:
            raise ValueError("the biggan preset is class-conditional: set conditional=True")
        torch.manual_seed(cfg.seed)                                   # weight initialisation
        c, size = self.images.shape[1], self.images.shape[2]
        self.g_core, self.d_core = (m.to(cfg.device) for m in make_gan(self.preset, size, c, self.n_classes, cfg.width))
        self.ema = copy.deepcopy(self.g_core).eval() if self.preset.ema_decay and cfg.ema else None
        self._channels_last = "channels_last" in parts
        if self._channels_last:                  # 4-D weights (and so conv outputs) in NHWC, before any DDP
            for m in (self.g_core, self.d_core, self.ema):
                if m is not None:
                    m.to(memory_format=torch.channels_last)
        self.rank, self.world = 0, 1
        self.G, self.D = self.g_core, self.d_core
        if cfg.distributed != "none":
            self._wrap_ddp()
        self._speed_setup()
        g_lr, d_lr = self.preset.g_lr * cfg.lr_scale, self.preset.d_lr * cfg.lr_scale
        self.opt_g, self.opt_d = self._optimiser(self.G, g_lr), self._optimiser(self.D, d_lr)
        self._base_lr = ((self.opt_g, g_lr), (self.opt_d, d_lr))   # what lr_decay_start scales, step by step
        self.batch = cfg.batch_size // self.world                     # per process; global = batch_size
        self.gen = torch.Generator().manual_seed(cfg.seed + 1000 * self.rank)   # own data and z per rank
        # G's orthogonal regularisation (the config's beta overrides the preset's) and the sigma clamp skip
        # G's shared class embedding, as BigGAN-PyTorch does
        self._ortho_beta = self.preset.ortho_beta if cfg.ortho_beta is None else cfg.ortho_beta
        self._ortho_skip = list(self.g_core.shared.parameters()) if hasattr(self.g_core, "shared") else []
        self.step = 0

    def _wrap_ddp(self):
        """DistributedDataParallel over G and D (launch with torchrun). BN: on CUDA the models are converted
        to SyncBatchNorm (batch statistics over all processes); on CPU/gloo SyncBatchNorm is unsupported,
        so each process normalises with its own batch statistics (as single-GPU training would at the
        per-process batch size). DDP broadcasts rank 0's buffers at every forward."""
        import torch.distributed as dist
        from torch.nn.parallel import DistributedDataParallel as DDP
        if self.cfg.distributed not in ("gloo", "nccl"):
            raise ValueError(f"unknown distributed backend {self.cfg.distributed!r}; valid: none, gloo, nccl")
        if not dist.is_initialized():
            dist.init_process_group(self.cfg.distributed)
        self.rank, self.world = dist.get_rank(), dist.get_world_size()
        if self.cfg.device.startswith("cuda"):
            self.g_core = torch.nn.SyncBatchNorm.convert_sync_batchnorm(self.g_core)
            self.d_core = torch.nn.SyncBatchNorm.convert_sync_batchnorm(self.d_core)
        self.G, self.D = DDP(self.g_core), DDP(self.d_core)

    def _speed_setup(self):
        """The fast path (cfg.fast): the same maths as the old path, up to float order (tests/test_train.py
        checks every preset step by step). Each part's own gain, CIFAR-10, width 32, batch 64, 2 threads,
        old and new alternating in one process (benchmarks/bench_train.py --compare --parts P), median
        over the six presets: channels_last 1.15x (ResNets 1.2-1.4x), joint_d 1.02x, foreach 1.00x;
        on the three ResNets fold_resample 1.37-1.48x; freeze_d 1.00-1.05x.
        - channels_last: 4-D weights, real batches and so every conv activation in NHWC (set in __init__);
        - joint_d: one D call on [real; fake] when D has neither BatchNorm (it would normalise the halves
          together) nor spectral norm (one power iteration per D step instead of two would change u);
        - foreach: optimisers, weight clipping and the EMA in multi-tensor calls;
        - freeze_d: no D weight gradients in G's step (bit-identical: nothing reads them);
        - fold_resample: the ResNet blocks' x2 upsampling and average pooling folded into their 3x3 convs
          (models/layers.py: 2.25x fewer multiply-adds there), in training mode only, so sampling is unchanged.
        cfg.compile (opt-in, measured slower on the DCGAN family: 0.77-0.89x, and 1.3-1.6x on the ResNets
        against the old path, no better than channels_last alone) compiles the G and D calls of the losses;
        the gradient penalty keeps eager D (inductor has no double backward). Compilation (9-148 s per
        preset here) is paid again in every process."""
        has_bn = any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in self.d_core.modules())
        has_sn = any(hasattr(m, "parametrizations") for m in self.d_core.modules())
        self._joint_d = "joint_d" in self.fast_parts and not has_bn and not has_sn
        self._foreach = "foreach" in self.fast_parts
        # DDP's reducer expects a gradient for every D weight in each backward through D, so DDP keeps them
        self._freeze_d = "freeze_d" in self.fast_parts and self.cfg.distributed == "none"
        for m in (*self.g_core.modules(), *self.d_core.modules()):    # the ResNet families' blocks (layers.py)
            if hasattr(m, "fold_resample"):
                m.fold_resample = "fold_resample" in self.fast_parts
        self.G_train, self.D_train = self.G, self.D
        if self.cfg.compile:
            self.G_train, self.D_train = (torch.compile(m, dynamic=False) for m in (self.G, self.D))

    def _amp(self):
        """Autocast for G's and D's training calls when cfg.precision asks for it; fp32 (the default and the hot
        path) gets a plain no-op context, not a disabled autocast that still saves and restores its state."""
        dtype = PRECISIONS[self.cfg.precision]
        if dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(torch.device(self.cfg.device).type, dtype=dtype)

    def _optimiser(self, model, lr):
        fast = {"foreach": True} if self._foreach else {}
        if self.preset.optimizer == "adam":
            return torch.optim.Adam(model.parameters(), lr=lr, betas=self.preset.betas, **fast)
        if self.preset.optimizer == "rmsprop":
            return torch.optim.RMSprop(model.parameters(), lr=lr, **fast)
        raise ValueError(f"unknown optimizer {self.preset.optimizer!r}; valid: adam, rmsprop")

    # ------------------------------------------------------------------ sampling
    @property
    def z_dim(self) -> int:
        return self.g_core.cfg.z_dim

    def _labels(self, n):
        """Uniform random class labels for fakes, (n,) on the device; None when unconditional."""
        return torch.randint(self.n_classes, (n,), generator=self.gen).to(self.cfg.device) if self.n_classes else None

    def _real_batch(self):
        """A batch drawn with replacement: float (B, C, H, W) in [-1, 1] and labels (B,) or None."""
        idx = torch.randint(len(self.images), (self.batch,), generator=self.gen)
        y = self.labels[idx].to(self.cfg.device) if self.n_classes else None
        x = to_model(self.images[idx]).to(self.cfg.device)
        return (x.contiguous(memory_format=torch.channels_last) if self._channels_last else x), y

    # ------------------------------------------------------------------ one generator iteration
    def train_step(self) -> dict:
        p, dev, b = self.preset, self.cfg.device, self.batch
        if self.cfg.lr_decay_start is not None:              # set from the step alone: resume needs no state
            f = lr_factor(self.step, self.cfg.lr_decay_start, self.cfg.iters)
            for opt, lr in self._base_lr:
                for group in opt.param_groups:
                    group["lr"] = lr * f
        for _ in range(p.n_critic):
            real, y = self._real_batch()
            # fakes take the real batch's labels, so every GP interpolate is between two images of one class
            z = torch.randn(b, self.z_dim, generator=self.gen).to(dev)
            with torch.no_grad(), self._amp():
                fake = self.G_train(z, y)
            with self._amp():                                     # fp32: a no-op; scores and losses in fp32
                if self._joint_d:                                 # (2B,) scores in one call
                    out = self.D_train(torch.cat([real, fake]), None if y is None else torch.cat([y, y])).float()
                    s_real, s_fake = out[:b], out[b:]
                else:
                    s_real, s_fake = self.D_train(real, y).float(), self.D_train(fake, y).float()
                loss_d, l_real, l_fake = d_loss(p.loss, s_real, s_fake)
                if p.gp_weight:
                    loss_d = loss_d + gradient_penalty(self.D, real, fake, y, self.gen, p.gp_weight)
                if self.cfg.r1_gamma:
                    loss_d = loss_d + r1_penalty(self.D, real, y, self.cfg.r1_gamma)
            self.opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            self.opt_d.step()
            if p.clip:
                clip_weights(self.d_core, p.clip, foreach=self._foreach)
        z, y = torch.randn(b, self.z_dim, generator=self.gen).to(dev), self._labels(b)
        # freeze_d: G's loss needs D's input gradients only; D's weight gradients would be set to None unread
        # by the next D step's zero_grad, so skipping them changes nothing but the time
        with frozen(self.d_core) if self._freeze_d else contextlib.nullcontext():
            with self._amp():
                loss_g = g_loss(p.loss, self.D_train(self.G_train(z, y), y).float())
            self.opt_g.zero_grad(set_to_none=True)
            loss_g.backward()
        if self._ortho_beta:
            add_ortho_grad_(self.g_core, self._ortho_beta, self._ortho_skip)
        self.opt_g.step()
        if self.cfg.g_sigma_bound:
            clamp_singular_values_(self.g_core, self.cfg.g_sigma_bound, self._ortho_skip)
        if self.ema is not None:
            self._update_ema()
        self.step += 1
        return {"d_loss": loss_d.item(), "d_real": l_real.item(), "d_fake": l_fake.item(), "g_loss": loss_g.item()}

    @torch.no_grad()
    def _update_ema(self):
        d = self.preset.ema_decay if self.step >= self.preset.ema_start else 0.0   # 0: copy G
        pe, pg = list(self.ema.parameters()), list(self.g_core.parameters())
        if self._foreach:
            torch._foreach_lerp_(pe, pg, 1.0 - d)
        else:
            for a, b in zip(pe, pg):
                a.lerp_(b, 1.0 - d)
        for be, bg in zip(self.ema.buffers(), self.g_core.buffers()):
            be.copy_(bg)

    # ------------------------------------------------------------------ checkpoints
    @property
    def ckpt_path(self) -> Path:
        return self.out / "checkpoint.pt"

    def state(self, finished: bool) -> dict:
        return {"config": asdict(self.cfg), "config_hash": self.cfg.hash(), "step": self.step,
                "finished": finished, "G": self.g_core.state_dict(), "D": self.d_core.state_dict(),
                "opt_g": self.opt_g.state_dict(), "opt_d": self.opt_d.state_dict(),
                "ema": self.ema.state_dict() if self.ema is not None else None,
                "gen": self.gen.get_state(), "torch_rng": torch.get_rng_state(), "dataset": self.card.as_dict()}

    def save(self, finished: bool = False) -> None:
        """Atomic checkpoint + compact G-only weights; only rank 0 writes."""
        if self.rank != 0:
            return
        self.out.mkdir(parents=True, exist_ok=True)
        tmp = self.ckpt_path.with_suffix(".tmp")
        torch.save(self.state(finished), tmp)
        tmp.replace(self.ckpt_path)                 # atomic: an interrupted write leaves the old one
        g = self.ema if self.ema is not None else self.g_core
        tmp = self.out / "generator.pt.tmp"
        torch.save({"config": asdict(self.cfg), "config_hash": self.cfg.hash(), "step": self.step,
                    "finished": finished, "ema": self.ema is not None, "G": g.state_dict()}, tmp)
        tmp.replace(self.out / "generator.pt")

    def load_generator_only(self) -> bool:
        """A finished run's compact `generator.pt` (what results/ commits): G (or its EMA) for sampling."""
        path = self.out / "generator.pt"
        if not path.exists():
            return False
        s = torch.load(path, map_location=self.cfg.device, weights_only=False)
        self.supersede_if_stale(s)
        if s.get("config_hash") != self.cfg.hash() or not s.get("finished"):
            return False
        try:
            (self.ema if s["ema"] else self.g_core).load_state_dict(s["G"])
        except (RuntimeError, KeyError) as e:
            raise self._misfit(path, e) from e
        self.step = s["step"]
        return True

    def _misfit(self, path: Path, e: Exception) -> CheckpointError:
        """The config hash matches but the weights do not fit the model: its code changed since."""
        return CheckpointError(f"{path} has this config's hash, but its weights do not fit the model that "
                               f"{self.cfg.preset!r} builds now (the model code changed since it was written?): "
                               f"{str(e).splitlines()[0]} ... Move the run folder {self.out} aside to retrain.")

    def load(self) -> bool:
        """Resume from the checkpoint if there is one; True if it holds a finished run.

        Without a checkpoint, a finished run's generator.pt is enough to sample (D is then untrained).
        A finished shorter run of this config is continued (`extends`); a finished run of another config is
        moved aside (`supersede_if_stale`); an unfinished one is an error.
        """
        if not self.ckpt_path.exists():
            return self.load_generator_only()
        try:
            s = torch.load(self.ckpt_path, map_location=self.cfg.device, weights_only=False)
        except Exception as e:  # any unreadable file: say so, never restart from zero silently
            raise CheckpointError(f"damaged checkpoint {self.ckpt_path}: {type(e).__name__}: {e}. "
                                  "Delete it to start over, or restore a good copy.") from e
        extend = self.extends(s)
        if extend:                                        # keep a copy of the shorter run as it was
            self.keep_copy(s)
        elif self.supersede_if_stale(s):
            return False
        if s.get("config_hash") != self.cfg.hash() and not extend:   # an unfinished run of another config
            raise CheckpointError(f"{self.ckpt_path} holds an unfinished run of another config "
                                  f"({s.get('config')}); resume it with that config or use another folder")
        try:
            self.g_core.load_state_dict(s["G"])
            self.d_core.load_state_dict(s["D"])
            self.opt_g.load_state_dict(s["opt_g"])
            self.opt_d.load_state_dict(s["opt_d"])
            if self.ema is not None:
                self.ema.load_state_dict(s["ema"])
        except (RuntimeError, ValueError, KeyError) as e:
            raise self._misfit(self.ckpt_path, e) from e
        self.gen.set_state(s["gen"])
        torch.set_rng_state(s["torch_rng"])
        self.step = s["step"]
        self.truncate_logs()
        return bool(s["finished"]) and not extend

    def extends(self, old: dict) -> bool:
        """True if `old` (a loaded checkpoint) is a finished, shorter run that this config continues exactly:
        equal in every field but the EXTENDABLE ones, at most cfg.iters steps, and an EMA only dropped.

        Without `lr_decay_start` training has no schedule tied to `iters` (constant learning rates), so step k
        of a 1,000-step run is step k of a 2,000-step run: continuing the first is bit-identical to running the
        second. With a decay the schedules must agree on the old run's steps: a decay may start after them
        (`lr_factor` is 1 up to its start), and a decayed run is taken over only by its own schedule.
        """
        mine, theirs = asdict(self.cfg), {**_LATE_FIELDS, **old.get("config", {})}
        if not old.get("finished") or old.get("config_hash") == self.cfg.hash() or old["step"] > self.cfg.iters:
            return False
        # the learning-rate schedules must agree on every step the old run took (e.g. a decay added after it)
        old_lr, new_lr = ((d["lr_decay_start"], d["iters"]) for d in (theirs, mine))
        if any(lr_factor(t, *old_lr) != lr_factor(t, *new_lr) for t in range(old["step"])):
            return False
        mine["lr_decay_start"] = theirs["lr_decay_start"] = None
        if theirs.get("ema") is False and mine["ema"]:    # an EMA cannot be resumed from a run without one
            return False
        for d in (mine, theirs):                          # naming the family's default init = leaving it unset
            if d.get("init") is None:
                d["init"] = model_field(get_preset(d["preset"]), "init")
        return all(theirs.get(k) == v for k, v in mine.items() if k not in EXTENDABLE)

    def _set_aside(self, old: dict, copy_only: bool) -> Path:
        """Move (or copy) the folder's files to superseded/<old hash>/ on rank 0; returns that folder.

        A copy leaves files already there alone: a continuation interrupted before its first checkpoint
        has rewritten config.json, and the first copy holds the shorter run's."""
        dest = self.out / "superseded" / str(old.get("config_hash"))
        if self.rank == 0:
            dest.mkdir(parents=True, exist_ok=True)
            for f in self.out.iterdir():
                if not f.is_file():
                    continue
                if not copy_only:
                    f.replace(dest / f.name)
                elif not (dest / f.name).exists():
                    shutil.copy2(f, dest / f.name)
        return dest

    def keep_copy(self, old: dict) -> None:
        """Copy the folder's files to superseded/<old hash>/ before a longer run continues them."""
        dest = self._set_aside(old, copy_only=True)
        print(f"{self.out}: continuing the finished {old['step']}-step run to {self.cfg.iters} steps "
              f"(a copy of it is in {dest})")

    def supersede_if_stale(self, old: dict) -> bool:
        """If `old` (a loaded checkpoint or generator.pt) is a finished run of another config (e.g. one at
        an old budget), move its folder's files to superseded/<its hash>/ and return True.

        Its log, grids and weights would otherwise mix with the new run's; nothing is deleted.
        """
        if old.get("config_hash") == self.cfg.hash() or not old.get("finished"):
            return False
        dest = self._set_aside(old, copy_only=False)
        print(f"{self.out}: the finished run of another config ({old.get('step')} steps) moved to {dest}")
        return True

    def truncate_logs(self) -> None:
        """Drop log records past self.step: a resumed run rewrites them, so none appears twice."""
        for name in ("log.jsonl", "spectra.jsonl", "watch.jsonl"):
            path = self.out / name
            if self.rank != 0 or not path.exists():
                continue
            keep = [l for l in path.read_text().splitlines() if l and json.loads(l)["step"] <= self.step]
            tmp = path.with_suffix(".tmp")
            tmp.write_text("".join(l + "\n" for l in keep))
            tmp.replace(path)

    # ------------------------------------------------------------------ the loop
    def _log(self, name: str, record: dict) -> None:
        if self.rank != 0:
            return
        with open(self.out / name, "a") as f:
            f.write(json.dumps(record) + "\n")

    def watch_record(self, record: dict) -> None:
        """Append {"step": self.step, **record} to watch.jsonl (what an `on_checkpoint` callback measured)."""
        self._log("watch.jsonl", {"step": self.step, **record})

    def fit(self, on_checkpoint=None) -> "Trainer":
        """Train to cfg.iters, resuming from a checkpoint; a finished run is loaded, not repeated.

        on_checkpoint(trainer): called at every checkpoint step and at the end, just before the
        checkpoint is written (so a resumed run redoes what an interruption cut). It may write records
        to `watch.jsonl` (dropped past the checkpoint on resume, like the logs); it must not train, and
        sampling or scoring in eval mode leaves the run's steps unchanged (tests/analysis/test_biggan_collapse.py)."""
        if self.load():
            return self
        self.out.mkdir(parents=True, exist_ok=True)
        if self.rank == 0:
            (self.out / "config.json").write_text(json.dumps(asdict(self.cfg), indent=2))
        bar = tqdm(total=self.cfg.iters, initial=self.step, desc=self.cfg.preset,
                   disable=not self.progress or self.rank != 0)
        t0 = time.perf_counter()
        while self.step < self.cfg.iters:
            losses = self.train_step()
            bar.update()
            if self.step % self.cfg.log_every == 0 or self.step == self.cfg.iters:
                dt = (time.perf_counter() - t0) / self.cfg.log_every
                t0 = time.perf_counter()
                self._log("log.jsonl", {"step": self.step, **losses, "sec_per_step": dt})
                bar.set_postfix({k: f"{v:.3f}" for k, v in losses.items()})
            if self.cfg.spectra_every and self.step % self.cfg.spectra_every == 0:
                self._log("spectra.jsonl", {"step": self.step, "G": top_singular_values(self.g_core),
                                            "D": top_singular_values(self.d_core)})
            if self.step % self.cfg.ckpt_every == 0 and self.step < self.cfg.iters:
                if on_checkpoint:
                    on_checkpoint(self)
                self.save()
                self.save_grid()
        bar.close()
        if on_checkpoint:
            on_checkpoint(self)
        self.save(finished=True)
        self.save_grid()
        return self

    def class_grid(self, per_class: int = 8, seed: int = 0, max_classes: int | None = None) -> torch.Tensor:
        """uint8 samples, class by row (per_class each) for conditional models, else 8 rows of per_class.

        max_classes keeps the first classes only (CIFAR-100's 100 rows make a 2 MB PNG per grid)."""
        k = min(self.n_classes, max_classes or self.n_classes) if self.n_classes else 8
        labels = torch.arange(k).repeat_interleave(per_class).to(self.cfg.device) if self.n_classes else None
        return self.sample(k * per_class, torch.Generator().manual_seed(seed), labels)[0]

    def save_grid(self, per_class: int = 8) -> None:
        """samples_<step>.png of `class_grid`, first 10 classes (fixed z seed: successive steps compare)."""
        if self.rank != 0:
            return
        from PIL import Image

        from gan_repro.plots import image_grid
        g = image_grid(self.class_grid(per_class, max_classes=10), nrow=per_class).numpy()
        Image.fromarray(g.squeeze(-1) if g.shape[-1] == 1 else g).save(self.out / f"samples_{self.step:07d}.png")

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator, labels=None, z: torch.Tensor | None = None) -> tuple:
        """uint8 samples from the EMA generator when there is one: (images (n, C, H, W), labels).
        z: (n, z_dim) latent codes to use (e.g. truncated ones, gan_repro.truncation); default N(0, I)."""
        g = (self.ema if self.ema is not None else self.g_core).eval()
        y = labels if labels is not None else (torch.arange(n) % self.n_classes if self.n_classes else None)
        if z is None:
            z = torch.randn(n, self.z_dim, generator=generator)
        elif z.shape != (n, self.z_dim):
            raise ValueError(f"z must be (n, z_dim) = ({n}, {self.z_dim}), got {tuple(z.shape)}")
        x = g(z.to(self.cfg.device), y)
        self.g_core.train()
        return to_uint8(x.clamp(-1, 1).cpu()), y
