import json

import matplotlib
import pandas as pd
import pytest

from gan_repro.data import DatasetCard
from gan_repro.results import Run

matplotlib.use("Agg")


def test_run_writes_table_metrics_and_figure_with_provenance(tmp_path):
    import matplotlib.pyplot as plt
    run = Run("99_demo", "smoke", seed=7, root=tmp_path)
    run.add_cards(DatasetCard("mnist", "test", 3, (1, 2), "official", "ab" * 32))
    fig, ax = plt.subplots()
    ax.plot([0, 1])
    run.save_figure("line", fig)
    out = run.save(pd.DataFrame({"a": [1, 2]}), {"fid": 1.5})
    assert out == tmp_path / "smoke" / "99_demo"
    rec = json.loads((out / "metrics.json").read_text())
    prov = rec["provenance"]
    assert rec["metrics"] == {"fid": 1.5} and prov["seed"] == 7 and prov["profile"]["name"] == "smoke"
    assert prov["datasets"][0]["sha256"] == "ab" * 32 and prov["wall_time_s"] >= 0
    assert {"commit", "dirty", "versions"} <= set(prov) and "torch" in prov["versions"]
    assert (out / "table.csv").read_text().startswith("a\n1\n2") and (out / "fig_line.png").exists()


def test_unknown_profile_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="valid profiles"):
        Run("99_demo", "big", 0, root=tmp_path)


def test_dirty_means_code_changed_not_results(tmp_path):
    import subprocess

    from gan_repro.results import git_state

    def git(*a):
        subprocess.run(["git", "-c", "user.email=t@t", "-c", "user.name=t", *a], cwd=tmp_path, check=True,
                       capture_output=True)
    (tmp_path / "results").mkdir()
    (tmp_path / "code.py").write_text("x = 1\n")
    (tmp_path / "results" / "report.ipynb").write_text("{}")
    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "init")
    assert git_state(tmp_path)["dirty"] is False
    (tmp_path / "results" / "report.ipynb").write_text('{"being": "written"}')
    assert git_state(tmp_path)["dirty"] is False          # a run writing its own report
    (tmp_path / "code.py").write_text("x = 2\n")
    assert git_state(tmp_path)["dirty"] is True
