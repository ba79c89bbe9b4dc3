"""The collapse watcher (B3, B4): it records without changing training, and finds sustained FID jumps."""
import pandas as pd
import pytest
import torch

from gan_repro.analysis import biggan_collapse as bc
from gan_repro.data import ImageSet, load_dataset, to_model
from gan_repro.train import Trainer, TrainConfig
from tests.needs import need_mnist


def _cfg(**kw):
    return TrainConfig(**{**dict(preset="biggan", dataset="mnist", iters=4, batch_size=8, width=4, n_train=256,
                                 ckpt_every=2, log_every=1, spectra_every=2), **kw})


def _features(images):                      # a cheap stand-in for Inception: (N, 6) floats
    return images.float().flatten(1)[:, ::131][:, :6]


@need_mnist
def test_the_watcher_records_without_changing_the_run(tmp_path):
    test = load_dataset("mnist", "test")
    held = ImageSet(test.images[:20], test.labels[:20])
    real = _features(test.images[20:60])
    plain = Trainer(_cfg(), tmp_path / "plain", progress=False).fit()
    watched = Trainer(_cfg(), tmp_path / "watched", progress=False).fit(bc.watcher(real, _features, held, 30, 20))
    for a, b in zip(plain.g_core.state_dict().values(), watched.g_core.state_dict().values()):
        assert torch.equal(a, b)                     # sampling and D in eval mode: the same steps
    for a, b in zip(plain.d_core.state_dict().values(), watched.d_core.state_dict().values()):
        assert torch.equal(a, b)
    w = bc.read_watch(tmp_path / "watched")
    assert w.step.tolist() == [2, 4] and (w.fid > 0).all()
    assert w[["d_acc_train", "d_acc_heldout"]].stack().between(0, 1).all()
    snaps = sorted(p.name for p in (tmp_path / "watched" / "snapshots").iterdir())
    assert snaps == ["g_0000002.pt", "g_0000004.pt"]
    g = torch.load(tmp_path / "watched" / "snapshots" / "g_0000004.pt")["G"]
    for k, v in plain.g_core.state_dict().items():
        assert torch.equal(g[k], v)
    s = bc.read_spectra(tmp_path / "watched", "G")
    assert set(s.step) == {2, 4} and s[s.step == 2].order.tolist() == list(range(s.order.max() + 1))
    two = s.sigma1.notna()                           # a (1, k) weight has one singular value
    assert (s.sigma0[two] >= s.sigma1[two]).all() and two.sum() >= len(s) - 2


@need_mnist
def test_d_accuracy_counts_positive_scores(tmp_path):
    t = Trainer(_cfg(iters=1), tmp_path, progress=False)
    x, y = t.images[:10], t.labels[:10]
    with torch.no_grad():
        want = (t.d_core.eval()(to_model(x), y) > 0).float().mean().item()
    t.d_core.train()
    assert bc.d_accuracy(t, x, y, batch=3) == pytest.approx(want) and t.d_core.training


@need_mnist
def test_dead_d_is_one_whose_features_are_all_zero(tmp_path):
    t = Trainer(_cfg(iters=1, d_sn=False), tmp_path, progress=False)
    x, y = t.images[:10], t.labels[:10]
    assert bc.d_dead_share(t, x, y, batch=3) == 0.0                  # a fresh D: its features respond
    with torch.no_grad():
        for p in t.d_core.blocks.parameters():
            p.zero_()                                                   # every feature 0: D outputs its bias alone
        out = t.d_core(to_model(x), y)
    assert bc.d_dead_share(t, x, y, batch=3) == 1.0 and torch.allclose(out, t.d_core.out.bias.expand(10))


def test_collapse_is_a_sustained_jump_not_a_spike():
    w = lambda fids: pd.DataFrame({"step": range(100, 100 * len(fids) + 1, 100), "fid": fids})  # noqa: E731
    assert bc.collapse_step(w([50, 40, 35, 36, 90, 95, 100])) == 500
    assert bc.collapse_step(w([50, 40, 90, 38, 36, 35])) is None          # a spike that comes back
    assert bc.collapse_step(w([50, 45, 40, 38])) is None
    assert bc.collapse_step(w([50, 40, 35, 36, 45, 44, 43])) == 500   # 1.26x, sustained: over the 1.2x rule
    assert bc.collapse_step(w([50, 40, 35, 36, 41, 44, 43])) is None  # 1.17x at 500: under it
    assert bc.collapse_step(w([50, 40, 35, 36, 38, 90, 95])) is None  # two watches after the jump: too few
    assert bc.collapse_step(w([50, 40, 35, 36, 38, 90, 95]), min_watches=2) == 600
    best = bc.before_collapse(w([50, 40, 35, 36, 90, 95, 100]), 500)
    assert best.step == 300 and best.fid == 35


def test_missing_logs_are_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="spectra_every > 0"):
        bc.read_spectra(tmp_path, "G")
    (tmp_path / "watch.jsonl").write_text("")
    with pytest.raises(FileNotFoundError, match="no watch records"):
        bc.read_watch(tmp_path)
    with pytest.raises(ValueError, match="'G' or 'D'"):
        bc.read_spectra(tmp_path, "E")


def _logs(collapse=True, d_explodes=False):
    steps = list(range(100, 1001, 100))
    fid = [80, 60, 50, 45, 44, 120, 130, 140, 150, 160] if collapse else [80, 60, 50, 45, 44, 43, 42, 41, 40, 40]
    watch = pd.DataFrame({"step": steps, "fid": fid, "n_fid": 200, "d_acc_train": 0.95, "d_acc_heldout": 0.55})
    g, d = [], []
    for i, s in enumerate(steps):
        fc = 1 + 0.1 * i + (4.0 if collapse and s >= 600 else 0)          # jumps at the collapse
        for o, (name, v) in enumerate([("shared.weight", 1.0 + 0.01 * i), ("fc.weight", fc), ("blocks.0.c1", 1 + 0.05 * i)]):
            g.append({"step": s, "layer": name, "order": o, "sigma0": v, "sigma1": v / 2, "sigma2": v / 3})
        noise = [0.01, -0.01, 0.012, -0.008, 0.5, -0.45, 0.01, -0.012, 0.009, -0.01]   # one spike at step 500
        d0 = 2.0 + sum(noise[:i + 1]) + (30.0 * i if d_explodes else 0)
        d.append({"step": s, "layer": "blocks.0.c1", "order": 0, "sigma0": d0, "sigma1": 1.0, "sigma2": 0.5})
    log = pd.DataFrame({"step": range(10, 1001, 10)})
    log["d_loss"] = [max(1.0 - s / 600, 0.05) if (s < 600 or not collapse) else 1.5 for s in log.step]
    return watch, pd.DataFrame(g), pd.DataFrame(d), log


def test_b3_holds_for_the_papers_picture_and_says_why_not_otherwise():
    recs = bc.b3(*_logs(), "cifar10")
    assert [r["held"] for r in recs] == [True, True, True, True], [r["evidence"] for r in recs]
    assert "first layer fc.weight" in recs[0]["evidence"] and "collapse at step 600" in recs[2]["evidence"]
    calm = bc.b3(*_logs(collapse=False), "cifar10")
    assert not calm[2]["held"] and "no collapse" in calm[2]["evidence"]
    exploding = bc.b3(*_logs(d_explodes=True), "cifar10")
    assert not exploding[1]["held"]


def test_b4_early_stopping_pays_only_after_a_collapse():
    w, *_ = _logs()
    r = bc.b4(w, "cifar10")
    assert r["held"] and "best FID-200 44.0 at step 500" in r["evidence"]
    assert not bc.b4(_logs(collapse=False)[0], "cifar10")["held"]


def test_study_configs_stack_the_stabiliser_on_the_unstable_setting():
    b = bc.CollapseBudget("t", "cifar10", 16, 100, 10, 50, 50, unstable=(("lr_scale", 4.0), ("g_sn", False)),
                          sigma_bound=2.0)
    none, r1, clamp = (bc.train_config(b, s) for s in ("none", "R1 gamma=10", "sigma clamp"))
    assert (none.lr_scale, none.g_sn, none.r1_gamma, none.ema) == (4.0, False, 0.0, False)
    assert r1.r1_gamma == 10.0 and r1.lr_scale == 4.0 and clamp.g_sigma_bound == 2.0
    assert none.ckpt_every == none.spectra_every == 10          # watched where the spectra are logged
    with pytest.raises(ValueError, match="unknown stabiliser 'R2'"):
        bc.train_config(b, "R2")


def test_stabilisers_hold_when_they_prevent_the_collapse_at_a_cost():
    w = lambda fids: pd.DataFrame({"step": range(100, 100 * len(fids) + 1, 100), "fid": fids, "n_fid": 200})  # noqa: E731
    watches = {"none": w([80, 50, 40, 120, 130, 125]), "R1 gamma=10": w([90, 70, 60, 58, 57, 59]),
               "R1 gamma=1": w([85, 45, 38, 36, 35, 37]), "sigma clamp": w([80, 50, 41, 100, 110, 105])}
    t = bc.stabiliser_table(watches)
    assert t.collapse.isna().tolist() == [False, True, True, False] and t.best_fid.tolist() == [40, 57, 35, 41]
    held = {r["statement"].split(" prevents")[0]: r["held"] for r in bc.stabiliser_claims(t, "cifar10")}
    # gamma 10: stable and worse (held); gamma 1: stable but better (no cost: not held); clamp: collapses
    assert held == {"R1 gamma=10": True, "R1 gamma=1": False, "sigma clamp": False}


@need_mnist
def test_snapshots_load_into_a_trainer_and_are_checked(tmp_path):
    test = load_dataset("mnist", "test")
    held = ImageSet(test.images[:20], test.labels[:20])
    t = Trainer(_cfg(), tmp_path / "w", progress=False).fit(bc.watcher(_features(test.images[:30]), _features, held, 30, 20))
    fresh = Trainer(_cfg(), tmp_path / "w2", progress=False)
    fresh.out = t.out
    bc.load_snapshot(fresh, 2)
    snap = torch.load(tmp_path / "w" / "snapshots" / "g_0000002.pt")["G"]
    g = fresh.ema if fresh.ema is not None else fresh.g_core          # the sampling G
    assert fresh.step == 2 and all(torch.equal(snap[k], v) for k, v in g.state_dict().items())
    with pytest.raises(FileNotFoundError, match="have: g_0000002.pt, g_0000004.pt"):
        bc.load_snapshot(fresh, 3)
    kept = bc.keep_snapshot(fresh, 2)                            # committed copy; found once snapshots/ is gone
    import shutil
    shutil.rmtree(tmp_path / "w" / "snapshots")
    assert kept.parent.name == "kept" and bc.load_snapshot(fresh, 2).step == 2
    other = Trainer(_cfg(seed=1), tmp_path / "w3", progress=False)
    other.out = t.out
    with pytest.raises(ValueError, match="another config"):
        bc.load_snapshot(other, 2)


def test_d_as_classifier_reads_the_projection_term(tmp_path):
    # argmax_y D(x, y) = argmax_y <embed(y), h(x)>: the only class-dependent term of a projection D
    from gan_repro.analysis.conditioning import d_as_classifier
    t = Trainer(TrainConfig(preset="sngan", dataset="mnist", iters=1, batch_size=8, width=4, seed=0), tmp_path)
    x, y = t.images[:300], t.labels[:300]
    d = t.d_core.eval()
    with torch.no_grad():
        h = torch.relu(d.blocks(x.float() / 127.5 - 1)).sum(dim=(2, 3))               # (B, w)
        want = float(((h @ d.embed.weight.T).argmax(1) == y).float().mean())
    d.train()
    assert d_as_classifier(t, x, y) == pytest.approx(want, abs=1e-6)
    assert t.d_core.training                  # back in training mode
