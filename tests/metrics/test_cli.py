import json
import subprocess
import sys

import numpy as np
import pytest

from tests.needs import need_inception, need_mnist


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "gan_repro", "metrics", *args],
                          capture_output=True, text=True, timeout=600)


@need_mnist
@need_inception
def test_cli_prints_one_json_record(tmp_path):
    r = _cli("--metrics", "fid,kid,swd", "--n", "32", "--json", "mnist:train", "mnist:test")
    assert r.returncode == 0, r.stderr
    rec = json.loads(r.stdout)
    assert rec["n_fake"] == rec["n_real"] == 32 and rec["mode"] == "pytorch-fid"
    assert rec["weights_sha256"].startswith("7ff4a85c") and rec["fid"] > 0 and "swd_28" in rec


def test_cli_reads_npz_and_image_folders(tmp_path):
    from PIL import Image
    rng = np.random.default_rng(0)
    imgs = rng.integers(0, 256, (20, 32, 32, 3), dtype=np.uint8)
    np.savez(tmp_path / "a.npz", images=imgs)
    (tmp_path / "png").mkdir()
    for i, im in enumerate(imgs):
        Image.fromarray(im).save(tmp_path / "png" / f"{i:03d}.png")
    r = _cli("--metrics", "swd", "--json", str(tmp_path / "a.npz"), str(tmp_path / "png"))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["swd_avg"] == 0.0       # same pixels through both readers


def test_cli_errors_are_clear(tmp_path):
    r = _cli("--metrics", "fidd", "x.npz", "y.npz")
    assert r.returncode == 2 and "unknown metrics ['fidd']" in r.stderr
    r = _cli("--metrics", "swd", "svhn:train", "mnist:test")
    assert r.returncode == 2 and "not a dataset spec" in r.stderr


def _png_folder(tmp_path, n=3):
    from PIL import Image
    folder = tmp_path / "png"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(n):
        Image.fromarray(rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)).save(folder / f"{i}.png")
    return folder


def test_damaged_inputs_are_data_errors_naming_the_file(tmp_path):
    from gan_repro.data import DataError
    from gan_repro.metrics.cli import load_input
    folder = _png_folder(tmp_path)
    good = (folder / "1.png").read_bytes()
    (folder / "1.png").write_bytes(good[: len(good) // 2])          # truncated PNG
    with pytest.raises(DataError, match=r"damaged or unreadable image .*1\.png"):
        load_input(str(folder))
    (folder / "1.png").write_bytes(b"not an image at all")          # not a PNG
    with pytest.raises(DataError, match=r"1\.png: UnidentifiedImageError"):
        load_input(str(folder))
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"PK\x03\x04 garbage")                         # a zip header, then nothing
    with pytest.raises(DataError, match=r"damaged npz file .*bad\.npz"):
        load_input(str(bad))
    with pytest.raises(DataError, match=r"npz file not found: .*missing\.npz"):
        load_input(str(tmp_path / "missing.npz"))


def test_cli_damaged_png_is_one_clear_line(tmp_path):
    folder = _png_folder(tmp_path)
    (folder / "2.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    r = _cli("--metrics", "swd", str(folder), str(folder))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "damaged or unreadable image" in r.stderr and "2.png" in r.stderr
