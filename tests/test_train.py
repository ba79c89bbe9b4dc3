"""Trainer on real MNIST at toy width: resume is bit-identical, finished runs load, bad checkpoints fail."""
import json
import math

import pytest
import torch

from gan_repro.train import CheckpointError, Trainer, TrainConfig
from tests.needs import need_mnist

pytestmark = need_mnist


def _cfg(**kw):
    base = dict(preset="sngan", dataset="mnist", iters=4, batch_size=8, width=4, n_train=256,
                ckpt_every=2, log_every=1, spectra_every=2)
    return TrainConfig(**{**base, **kw})


def test_resume_continues_bit_identically(tmp_path):
    straight = Trainer(_cfg(), tmp_path / "a", progress=False).fit()
    part = Trainer(_cfg(), tmp_path / "b", progress=False)
    for _ in range(2):                     # "interrupted" after 2 of 4 steps, at a checkpoint
        part.train_step()
    part.save()
    resumed = Trainer(_cfg(), tmp_path / "b", progress=False).fit()
    assert resumed.step == straight.step == 4
    for (k, a), b in zip(straight.G.state_dict().items(), resumed.G.state_dict().values()):
        assert torch.equal(a, b), k
    for a, b in zip(straight.D.state_dict().values(), resumed.D.state_dict().values()):
        assert torch.equal(a, b)


def test_resume_after_a_crash_logs_every_step_once(tmp_path):
    Trainer(_cfg(), tmp_path / "a", progress=False).fit()
    part = Trainer(_cfg(), tmp_path / "b", progress=False)
    part.out.mkdir(parents=True)
    for _ in range(3):                             # steps 1-3 logged, a checkpoint at 1, then a "crash"
        part.train_step()
        part._log("log.jsonl", {"step": part.step, "sec_per_step": 0.0})
        if part.step == 1:
            part.save()
    Trainer(_cfg(), tmp_path / "b", progress=False).fit()
    steps = [json.loads(l)["step"] for l in (tmp_path / "b" / "log.jsonl").read_text().splitlines()]
    ref = [json.loads(l)["step"] for l in (tmp_path / "a" / "log.jsonl").read_text().splitlines()]
    assert steps == ref and len(set(steps)) == len(steps)


def test_finished_run_is_loaded_not_repeated_and_logs_are_written(tmp_path):
    Trainer(_cfg(), tmp_path, progress=False).fit()
    n_log = len((tmp_path / "log.jsonl").read_text().splitlines())
    again = Trainer(_cfg(), tmp_path, progress=False).fit()
    assert again.step == 4 and len((tmp_path / "log.jsonl").read_text().splitlines()) == n_log
    rec = json.loads((tmp_path / "log.jsonl").read_text().splitlines()[-1])
    assert {"d_loss", "d_real", "d_fake", "g_loss", "sec_per_step"} <= set(rec)
    spec = json.loads((tmp_path / "spectra.jsonl").read_text().splitlines()[0])
    assert spec["step"] == 2 and all(len(v) <= 3 for v in spec["G"].values()) and spec["D"]
    g = torch.load(tmp_path / "generator.pt", weights_only=False)
    assert set(g) == {"config", "config_hash", "step", "finished", "ema", "G"} and g["finished"]
    assert (tmp_path / "samples_0000004.png").exists() and (tmp_path / "samples_0000002.png").exists()
    assert again.n_classes == 10 and again.class_grid(2).shape[0] == 20
    assert again.class_grid(2, max_classes=3).shape[0] == 6         # grids keep the first classes only


def test_damaged_or_foreign_unfinished_checkpoint_is_an_error(tmp_path):
    part = Trainer(_cfg(), tmp_path, progress=False)
    part.train_step()
    part.save()                                            # an interrupted run of iters=4
    with pytest.raises(CheckpointError, match="unfinished run of another config"):
        Trainer(_cfg(iters=5), tmp_path, progress=False).fit()
    Trainer(_cfg(), tmp_path, progress=False).fit()
    data = (tmp_path / "checkpoint.pt").read_bytes()
    (tmp_path / "checkpoint.pt").write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="damaged checkpoint"):
        Trainer(_cfg(), tmp_path, progress=False).fit()


@pytest.mark.parametrize("clone", [False, True])
def test_a_finished_run_of_another_config_is_moved_aside_then_retrained(tmp_path, clone):
    old = Trainer(_cfg(iters=2), tmp_path, progress=False).fit()
    if clone:
        (tmp_path / "checkpoint.pt").unlink()              # a fresh clone has generator.pt only
    new = Trainer(_cfg(iters=3, ckpt_every=3, batch_size=4), tmp_path, progress=False).fit()   # not a longer run
    moved = tmp_path / "superseded" / old.cfg.hash()
    assert new.step == 3 and torch.load(moved / "generator.pt", weights_only=False)["step"] == 2
    steps = [json.loads(l)["step"] for l in (tmp_path / "log.jsonl").read_text().splitlines()]
    assert steps == [1, 2, 3]                              # no record of the old run mixed in
    assert not (tmp_path / "samples_0000002.png").exists() and (moved / "samples_0000002.png").exists()


@pytest.mark.parametrize("preset", ["dcgan", "wgan-clip", "wgan-gp", "biggan"])
def test_each_training_rule_runs_one_step(tmp_path, preset):
    t = Trainer(_cfg(preset=preset, iters=1, spectra_every=0), tmp_path, progress=False)
    before = [p.detach().clone() for p in t.G.parameters()]
    losses = t.train_step()
    assert all(torch.isfinite(torch.tensor(v)) for v in losses.values())
    assert any(not torch.equal(a, b) for a, b in zip(before, t.G.parameters()))
    if preset == "wgan-clip":
        assert all(p.abs().max() <= 0.01 for p in t.D.parameters())
    x, y = t.sample(10, torch.Generator().manual_seed(0))
    assert x.dtype == torch.uint8 and x.shape == (10, 1, 28, 28) and y.tolist() == list(range(10))


def test_a_finished_generator_alone_is_loaded_for_sampling(tmp_path):
    a = Trainer(_cfg(iters=2), tmp_path, progress=False).fit()
    (tmp_path / "checkpoint.pt").unlink()                  # what a fresh clone of results/ has
    b = Trainer(_cfg(iters=2), tmp_path, progress=False).fit()
    assert b.step == 2
    g = torch.Generator()
    assert torch.equal(a.sample(4, g.manual_seed(0))[0], b.sample(4, g.manual_seed(0))[0])


def test_ema_copies_g_before_its_start_then_averages(tmp_path, monkeypatch):
    import dataclasses

    t = Trainer(_cfg(preset="biggan", width=2, n_train=64, iters=3), tmp_path, progress=False)
    assert t.preset.ema_start == 1000                     # the BigGAN CIFAR configs' start step
    t.train_step()
    for pe, pg in zip(t.ema.parameters(), t.g_core.parameters()):
        assert torch.equal(pe, pg)                        # before the start: a plain copy of G
    monkeypatch.setattr(t, "preset", dataclasses.replace(t.preset, ema_start=0))
    before = [p.clone() for p in t.ema.parameters()]
    t.train_step()
    d = t.preset.ema_decay
    for b, pe, pg in zip(before, t.ema.parameters(), t.g_core.parameters()):
        torch.testing.assert_close(pe, d * b + (1 - d) * pg)


@pytest.mark.parametrize("preset", ["sngan", "biggan"])
def test_a_finished_run_continued_to_more_steps_equals_the_longer_run(tmp_path, preset):
    kw = dict(preset=preset, width=2, n_train=64, spectra_every=0)
    ema_off = preset == "biggan"                           # cpu drops BigGAN's EMA while continuing its run
    short = Trainer(_cfg(iters=2, ckpt_every=1, **kw), tmp_path / "a", progress=False).fit()
    longer = _cfg(iters=4, ckpt_every=2, log_every=2, ema=not ema_off, **kw)
    continued = Trainer(longer, tmp_path / "a", progress=False).fit()
    straight = Trainer(longer, tmp_path / "b", progress=False).fit()
    assert continued.step == straight.step == 4 and continued.ema is None   # sngan has none, biggan's is off
    for (k, a), b in zip(straight.G.state_dict().items(), continued.G.state_dict().values()):
        assert torch.equal(a, b), k
    for a, b in zip(straight.D.state_dict().values(), continued.D.state_dict().values()):
        assert torch.equal(a, b)
    kept = torch.load(tmp_path / "a" / "superseded" / short.cfg.hash() / "generator.pt", weights_only=False)
    assert kept["step"] == 2 and kept["finished"]          # the shorter run is kept as it was
    steps = [json.loads(l)["step"] for l in (tmp_path / "a" / "log.jsonl").read_text().splitlines()]
    assert steps == [1, 2, 4]                              # its log goes on, at the new interval
    assert Trainer(longer, tmp_path / "a", progress=False).fit().step == 4     # now finished: loaded


def test_a_run_is_not_continued_into_another_config_or_a_shorter_one(tmp_path):
    Trainer(_cfg(iters=3), tmp_path, progress=False).fit()
    t = Trainer(_cfg(iters=2), tmp_path, progress=False)
    s = torch.load(tmp_path / "checkpoint.pt", weights_only=False)
    assert not t.extends(s)                                # fewer steps than it already has
    assert not Trainer(_cfg(iters=5, seed=1), tmp_path, progress=False).extends(s)
    assert Trainer(_cfg(iters=5, log_every=2), tmp_path, progress=False).extends(s)
    assert not Trainer(_cfg(iters=5, init="reference"), tmp_path, progress=False).extends(s)


def test_a_run_that_named_the_default_init_is_continued_by_one_that_left_it_unset(tmp_path):
    # benchmarks/sngan_conditioning.py names init="torch"; the zoo leaves it None: the same weights, step
    # for step, so the zoo continues that run (issue 18: MNIST SNGAN at 8,000 it)
    kw = dict(width=4, n_train=64, spectra_every=0)           # at width 2 G's first steps do not move it
    named = Trainer(_cfg(iters=2, init="torch", **kw), tmp_path / "a", progress=False).fit()
    unset = Trainer(_cfg(iters=2, **kw), tmp_path / "b", progress=False).fit()
    for a, b in zip(named.G.state_dict().values(), unset.G.state_dict().values()):
        assert torch.equal(a, b)
    s = torch.load(tmp_path / "a" / "checkpoint.pt", weights_only=False)
    assert Trainer(_cfg(iters=3, **kw), tmp_path / "a", progress=False).extends(s)
    assert Trainer(_cfg(iters=3, **kw), tmp_path / "a", progress=False).fit().step == 3


def test_late_config_fields_leave_old_hashes_alone():
    import hashlib
    from dataclasses import asdict
    cfg = _cfg()
    # a config written before `ema`, `fast`, `compile` and the BigGAN-study fields existed: committed runs keep loading
    late = ("ema", "fast", "compile", "r1_gamma", "g_sigma_bound", "ortho_beta", "lr_scale", "g_sn", "init",
            "lr_decay_start", "d_sn", "precision")
    old = {k: v for k, v in asdict(cfg).items() if k not in late}
    assert cfg.hash() == hashlib.sha256(json.dumps(old, sort_keys=True).encode()).hexdigest()[:16]
    assert _cfg(ema=False).hash() != cfg.hash() and _cfg(fast=False).hash() != cfg.hash()
    assert _cfg(compile=True).hash() == cfg.hash()          # how a run executes, not what it trains
    for late in (dict(r1_gamma=1.0), dict(g_sigma_bound=2.0), dict(ortho_beta=0.0), dict(lr_scale=4.0), dict(g_sn=False),
                 dict(init="reference"), dict(d_sn=False)):
        assert _cfg(**late).hash() != cfg.hash(), late      # the stabilisers of claim B3 and B2's beta


def test_biggan_stabilisers_and_ortho_override_change_the_step(tmp_path):
    # B2's beta = 0 turns the preset's orthogonal regularisation off; R1 and the sigma clamp (B3) act
    def g_after_one_step(name, **kw):
        t = Trainer(_cfg(preset="biggan", iters=1, spectra_every=0, **kw), tmp_path / name, progress=False)
        t.train_step()
        return t, [p.detach().clone() for p in t.g_core.parameters()]
    _, base = g_after_one_step("base")
    _, no_ortho = g_after_one_step("no-ortho", ortho_beta=0.0)
    _, same = g_after_one_step("same", ortho_beta=1e-4)               # the preset's own value: same step
    assert any(not torch.equal(a, b) for a, b in zip(base, no_ortho))
    assert all(torch.equal(a, b) for a, b in zip(base, same))
    t, _ = g_after_one_step("clamped", g_sigma_bound=0.5)
    assert all(torch.linalg.svdvals(p.flatten(1)).max() <= 0.5 + 1e-4
               for p in t.g_core.parameters() if p.dim() >= 2 and all(p is not q for q in t.g_core.shared.parameters()))
    t, _ = g_after_one_step("r1", r1_gamma=10.0)
    assert all(torch.isfinite(p).all() for p in t.d_core.parameters())
    t = Trainer(_cfg(preset="biggan", g_sn=False, lr_scale=4.0), tmp_path / "no-sn", progress=False)
    assert not any(hasattr(m, "parametrizations") for m in t.g_core.modules())
    assert any(hasattr(m, "parametrizations") for m in t.d_core.modules())           # D keeps its SN
    assert t.opt_g.param_groups[0]["lr"] == pytest.approx(4e-4) and t.opt_d.param_groups[0]["lr"] == pytest.approx(1.6e-3)
    with pytest.raises(ValueError, match="no spectral-norm switch for G"):
        Trainer(_cfg(preset="dcgan", g_sn=False), tmp_path / "dcgan", progress=False)
    t = Trainer(_cfg(preset="biggan", d_sn=False), tmp_path / "no-d-sn", progress=False)
    assert not any(hasattr(m, "parametrizations") for m in t.d_core.modules())
    assert any(hasattr(m, "parametrizations") for m in t.g_core.modules())           # G keeps its SN
    assert t._joint_d                                       # neither BN nor SN left in D: one call on [real; fake]


@pytest.mark.parametrize("preset", ["wgan-gp", "sngan", "biggan"])
def test_bf16_is_an_opt_in_that_names_itself_and_changes_only_the_precision(tmp_path, preset):
    # issue 20: bfloat16 autocast is never the default and enters the config hash, so a bf16 run can neither
    # pass for nor continue an fp32 one. From the same init, D's scores of one real batch under it are the fp32
    # scores at bf16's ~3 significant digits, not bit-equal; a step stays finite and the weights fp32
    assert _cfg().precision == "fp32" and _cfg(precision="bf16").hash() != _cfg().hash()
    with pytest.raises(ValueError, match="valid: fp32, bf16"):
        Trainer(_cfg(precision="fp16"), tmp_path / "bad", progress=False)
    full, half = (Trainer(_cfg(preset=preset, precision=p, spectra_every=0), tmp_path / p, progress=False)
                  for p in ("fp32", "bf16"))
    real, y = full._real_batch()
    seen = []                                               # the dtype D's first conv computes in
    conv = next(m for m in half.d_core.modules() if isinstance(m, torch.nn.Conv2d))
    conv.register_forward_hook(lambda m, i, o: seen.append(o.dtype))
    with half._amp():
        s_half = half.D(real, y)
    s_full = full.D(real, y)
    assert seen == [torch.bfloat16] and not torch.equal(s_half.float(), s_full)
    assert torch.allclose(s_half.float(), s_full, rtol=0.03, atol=0.03 * s_full.abs().max().item())
    assert all(math.isfinite(v) for v in half.train_step().values())
    assert all(q.dtype == torch.float32 for m in (half.g_core, half.d_core) for q in m.parameters())


@pytest.mark.parametrize("preset", ["dcgan", "wgan-clip", "wgan-gp-dcgan", "wgan-gp", "sngan", "biggan"])
def test_the_fast_path_takes_the_old_paths_steps(tmp_path, preset):
    # the fast path (one D call on [real; fake] when D has neither BN nor SN, foreach steps, channels_last, no D
    # weight gradients in G's step, the ResNets' resampling folded into their convs)
    # is the same maths: from one seed, two iterations of each give the same losses, and the
    # same weights up to float order. Measured: mean |diff| <= 1e-6; <= 0.15 % of the weights differ by more
    # than 1e-5, all of them where Adam's or RMSProp's normalised steps flip sign on a gradient of ~0.
    old, new = (Trainer(_cfg(preset=preset, fast=f), tmp_path / str(f), progress=False) for f in (False, True))
    assert new._joint_d == (preset in ("wgan-gp-dcgan", "wgan-gp")) and not old._joint_d
    for _ in range(2):
        lo, ln = old.train_step(), new.train_step()
        assert lo == pytest.approx(ln, rel=1e-4, abs=1e-5)
    for m_old, m_new in ((old.G, new.G), (old.D, new.D)):
        a, b = (torch.cat([p.detach().flatten() for p in m.parameters()]) for m in (m_old, m_new))
        diff = (a - b).abs()
        assert diff.mean() <= 1e-5 and (diff > 1e-5).float().mean() <= 0.01, (preset, diff.mean(), diff.max())


@pytest.mark.parametrize("preset", ["dcgan", "wgan-gp", "sngan", "biggan"])
def test_freezing_d_for_gs_step_changes_nothing_but_the_time(tmp_path, preset):
    # freeze_d skips D's weight gradients in G's backward, which the next D step's zero_grad would drop
    # unread: the same ops in the same order otherwise, so the weights agree bit for bit, and D's
    # parameters take gradients again afterwards
    plain, freeze = (Trainer(_cfg(preset=preset), tmp_path / str(i), progress=False, fast_parts=parts)
                     for i, parts in enumerate(((), ("freeze_d",))))
    assert freeze._freeze_d and not plain._freeze_d
    for _ in range(2):
        assert plain.train_step() == freeze.train_step()
    for m_plain, m_freeze in ((plain.G, freeze.G), (plain.D, freeze.D)):
        for (name, a), b in zip(m_plain.state_dict().items(), m_freeze.state_dict().values()):
            assert torch.equal(a, b), (preset, name)
    assert all(q.requires_grad for q in freeze.D.parameters())
    # the plain path added G's loss gradients to D's .grad (unread); frozen, D keeps its own step's only
    assert any(not torch.equal(a.grad, b.grad) for a, b in zip(plain.D.parameters(), freeze.D.parameters()))


def test_the_train_cli_makes_the_notebooks_run(tmp_path):
    from gan_repro.__main__ import main
    from gan_repro.analysis.zoo import train_config
    from gan_repro.profiles import get_profile
    assert main(["train", "--preset", "dcgan", "--dataset", "mnist", "--profile", "smoke", "--out", str(tmp_path)]) == 0
    made = torch.load(tmp_path / "generator.pt", weights_only=False)
    assert made["finished"] and made["config_hash"] == train_config("dcgan", "mnist", get_profile("smoke"), 0).hash()


def test_an_interrupted_continuation_keeps_the_shorter_runs_copy(tmp_path):
    short = Trainer(_cfg(iters=2), tmp_path, progress=False).fit()
    first = Trainer(_cfg(iters=4), tmp_path, progress=False)
    assert not first.load()                                # copies the short run, then "crashes" before
    (tmp_path / "config.json").write_text("{}")            # its first checkpoint, config.json rewritten
    assert Trainer(_cfg(iters=4), tmp_path, progress=False).fit().step == 4
    kept = tmp_path / "superseded" / short.cfg.hash() / "config.json"
    assert json.loads(kept.read_text())["iters"] == 2


def test_weights_that_no_longer_fit_the_model_are_a_clear_error(tmp_path):
    Trainer(_cfg(iters=2), tmp_path, progress=False).fit()
    for name in ("checkpoint.pt", "generator.pt"):         # as if the model code had changed its widths
        s = torch.load(tmp_path / name, weights_only=False)
        s["G"] = {k: torch.zeros(v.numel() + 1) for k, v in s["G"].items()}
        torch.save(s, tmp_path / name)
    with pytest.raises(CheckpointError, match="do not fit the model"):
        Trainer(_cfg(iters=2), tmp_path, progress=False).fit()
    (tmp_path / "checkpoint.pt").unlink()                  # a fresh clone: generator.pt alone
    with pytest.raises(CheckpointError, match="do not fit the model"):
        Trainer(_cfg(iters=2), tmp_path, progress=False).fit()


@pytest.mark.parametrize("run", ["dcgan-mnist", "wgan-gp-mnist", "biggan-mnist"])
def test_committed_generators_load_and_sample_the_same_on_both_paths(tmp_path, run):
    # results/cpu's generator.pt files were written before TrainConfig.fast existed (sngan-mnist was retrained
    # since; wgan-gp-mnist has the same ResNet G): their configs (without the field) must keep their hash, load, and sample the
    # same images on the fast path as on the old one (fast_parts=(): the old code path under the same config)
    import shutil
    from pathlib import Path
    src = Path(__file__).resolve().parents[1] / "results" / "cpu" / "02_train_zoo" / "runs" / run
    saved = json.loads((src / "config.json").read_text())
    assert "fast" not in saved
    samples = []
    for parts in ((), None):
        out = tmp_path / str(parts)
        out.mkdir()
        shutil.copy(src / "generator.pt", out / "generator.pt")
        t = Trainer(TrainConfig(**saved), out, progress=False, fast_parts=parts)
        assert t.load(), f"{run}: committed generator.pt did not load (fast parts {t.fast_parts})"
        samples.append(t.sample(32, torch.Generator().manual_seed(0))[0])
    assert torch.equal(*samples)


def test_sample_takes_given_latent_codes(tmp_path):
    t = Trainer(_cfg(preset="biggan"), tmp_path, progress=False)
    z = torch.randn(4, t.z_dim, generator=torch.Generator().manual_seed(0))
    drawn = t.sample(4, torch.Generator().manual_seed(0))[0]
    given = t.sample(4, torch.Generator().manual_seed(99), z=z)[0]
    assert torch.equal(drawn, given)
    with pytest.raises(ValueError, match="z must be"):
        t.sample(4, torch.Generator(), z=z[:3])


def test_lr_factor_is_one_then_linear_to_zero():
    from gan_repro.train import lr_factor
    assert [lr_factor(s, None, 10) for s in (0, 9)] == [1.0, 1.0]
    assert [lr_factor(s, 6, 10) for s in (0, 6, 7, 8, 9, 10)] == [1.0, 1.0, 0.75, 0.5, 0.25, 0.0]
    assert lr_factor(3, 0, 4) == 0.25                      # the reference's CIFAR config: decay from step 0


def test_a_constant_lr_run_continued_with_a_decay_equals_the_decayed_run(tmp_path):
    kw = dict(width=4, n_train=64, spectra_every=0)           # at width 2 G's first steps do not move it
    Trainer(_cfg(iters=2, **kw), tmp_path / "a", progress=False).fit()
    decayed = _cfg(iters=4, lr_decay_start=2, **kw)
    continued = Trainer(decayed, tmp_path / "a", progress=False).fit()
    straight = Trainer(decayed, tmp_path / "b", progress=False).fit()
    for a, b in zip(straight.G.state_dict().values(), continued.G.state_dict().values()):
        assert torch.equal(a, b)
    lr = continued.preset.g_lr
    assert continued.opt_g.param_groups[0]["lr"] == pytest.approx(lr * 0.5)     # the last step's: 1 - 1/2
    plain = Trainer(_cfg(iters=4, **kw), tmp_path / "c", progress=False).fit()
    assert plain.opt_g.param_groups[0]["lr"] == lr
    assert not all(torch.equal(a, b) for a, b in zip(plain.G.state_dict().values(), straight.G.state_dict().values()))
    s = torch.load(tmp_path / "c" / "checkpoint.pt", weights_only=False)     # 4 constant steps (0-3): a decay
    assert not Trainer(_cfg(iters=6, lr_decay_start=2, **kw), tmp_path / "c", progress=False).extends(s)  # from 2
    assert Trainer(_cfg(iters=6, lr_decay_start=3, **kw), tmp_path / "c", progress=False).extends(s)  # differs, 3 not
    d = torch.load(tmp_path / "b" / "checkpoint.pt", weights_only=False)     # the decayed run: its own schedule
    assert Trainer(_cfg(iters=4, lr_decay_start=2, ckpt_every=4, **kw), tmp_path / "b", progress=False).extends(d)
    assert not Trainer(_cfg(iters=6, lr_decay_start=2, **kw), tmp_path / "b", progress=False).extends(d)
    assert not Trainer(_cfg(iters=6, **kw), tmp_path / "b", progress=False).extends(d)
