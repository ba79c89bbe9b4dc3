"""The notebook runner: failures are reported with their cell, the rest still run; notebook hygiene."""
import json
from pathlib import Path

import nbformat
import pytest

from gan_repro.runner import NOTEBOOKS, run_notebooks, select

REPO = Path(__file__).resolve().parents[1]


def _nb(path: Path, body: str):
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('PROFILE = "smoke"\nSEED = 0')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def test_a_failing_notebook_is_named_with_its_cell_and_the_rest_run(tmp_path, capsys):
    _nb(tmp_path / "01_ok.ipynb", "print(PROFILE)")
    _nb(tmp_path / "02_bad.ipynb", "raise ValueError('boom')")
    _nb(tmp_path / "03_ok.ipynb", "print(SEED)")
    res = run_notebooks("smoke", notebook_dir=tmp_path, results=tmp_path / "res",
                        names=("01_ok", "02_bad", "03_ok"))
    assert [r.ok for r in res] == [True, False, True]
    assert "ValueError: boom" in res[1].error and "cell" in res[1].error
    out = capsys.readouterr().out
    assert "2 notebooks ok, 1 failed" in out and "FAILED 02_bad" in out
    assert (tmp_path / "res" / "smoke" / "03_ok" / "report.ipynb").exists()


def test_cli_exit_code_is_non_zero_on_failure(tmp_path, monkeypatch):
    import functools

    import gan_repro.runner as runner
    from gan_repro.__main__ import main
    _nb(tmp_path / "01_bad.ipynb", "1 / 0")
    monkeypatch.setattr(runner, "run_notebooks", functools.partial(
        runner.run_notebooks, notebook_dir=tmp_path, results=tmp_path / "res", names=("01_bad",)))
    assert main(["run-notebooks", "--profile", "smoke"]) == 1


def test_cli_params_reach_the_notebook_as_python_values(tmp_path, monkeypatch):
    import functools

    import gan_repro.runner as runner
    from gan_repro.__main__ import main
    _nb(tmp_path / "01_p.ipynb", "assert DATASETS == 'mnist' and SIGMA == 5.0 and PROFILE == 'smoke', (DATASETS, SIGMA)")
    monkeypatch.setattr(runner, "run_notebooks", functools.partial(
        runner.run_notebooks, notebook_dir=tmp_path, results=tmp_path / "res", names=("01_p",)))
    argv = ["run-notebooks", "--profile", "smoke", "--param", "DATASETS=mnist", "--param", "SIGMA=5.0"]
    assert main(argv) == 0
    assert main(argv[:-1] + ["SIGMA=6"]) == 1
    with pytest.raises(ValueError, match="NAME=VALUE"):
        runner.parse_params(["SIGMA"])


def test_only_selects_by_number_and_rejects_unknown():
    assert select("00") == ["00_datasets"]
    with pytest.raises(ValueError, match="matches no notebook"):
        select("77")
    with pytest.raises(ValueError, match="valid profiles"):
        run_notebooks("huge")


def test_every_notebook_is_listed_parametrised_and_clean():
    on_disk = sorted(p.stem for p in (REPO / "notebooks").glob("*.ipynb"))
    assert on_disk == sorted(NOTEBOOKS), "notebooks/ and gan_repro.runner.NOTEBOOKS disagree"
    for name in NOTEBOOKS:
        nb = json.loads((REPO / "notebooks" / f"{name}.ipynb").read_text())
        assert nb["metadata"]["kernelspec"]["name"] == "python3", name
        tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1 and 'PROFILE = "smoke"' in "".join(tagged[0]["source"]), name
        assert "papermill" not in nb["metadata"], f"{name}: scrub papermill metadata"
        assert "widgets" not in nb["metadata"], f"{name}: scrub widget state"
        for c in nb["cells"]:
            assert "execution" not in c.get("metadata", {}), f"{name}: volatile timing metadata"
        checked = [c for c in nb["cells"] if "NBVAL_CHECK_OUTPUT" in "".join(c["source"])]
        assert checked and all(c["outputs"] for c in checked), f"{name}: commit the checked cell's smoke output"


def test_compact_progress_keeps_each_bars_final_state_only(tmp_path):
    import nbformat
    from gan_repro.runner import compact_progress
    nb = nbformat.v4.new_notebook()
    err = lambda t: nbformat.v4.new_output("stream", name="stderr", text=t)
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [err("a:  0%|\r"), err("a: 50%|\r"), err("a: 100%| done\n"),
                    nbformat.v4.new_output("stream", name="stdout", text="result 1\r2\n"),
                    err("b:  0%|\r"), err("b: 100%|\r"), err("\r          \r")]      # b: leave=False
    nb.cells = [cell]
    nbformat.write(nb, tmp_path / "r.ipynb")
    compact_progress(tmp_path / "r.ipynb")
    outs = nbformat.read(tmp_path / "r.ipynb", as_version=4).cells[0].outputs
    assert [(o.name, o.text) for o in outs] == [("stderr", "a: 100%| done\n"), ("stdout", "result 1\r2\n")]
