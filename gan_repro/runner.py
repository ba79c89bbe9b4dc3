"""Run the numbered notebooks headlessly with papermill, one after another.

Each executed report goes to results/<profile>/<NN_topic>/report.ipynb. A failing notebook is
reported with the cell that failed; the others still run; the exit code is non-zero if any failed.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from gan_repro.profiles import get_profile
from gan_repro.results import REPO, results_root

# Every notebook in notebooks/, in run order (tests/test_runner.py checks the two agree).
NOTEBOOKS = ("00_datasets", "01_metric_behaviour", "02_train_zoo", "03_mnist_gan_train_test", "04_cifar10_table",
             "05_cifar100_table", "06_subsampling_corruption", "07_generated_set_size", "08_gan_augmentation",
             "09_truncation", "10_ortho_reg", "11_singular_values", "12_segment_stats", "13_layerwise_inversion",
             "14_wgan_toys")


@dataclass
class NotebookResult:
    name: str
    ok: bool
    seconds: float
    error: str = ""          # "cell N: ExceptionName: message" on failure


def _failed_cell(exc) -> str:
    """Name the failing cell from a PapermillExecutionError (exec_count, ename, evalue)."""
    count = getattr(exc, "exec_count", None)
    ename, evalue = getattr(exc, "ename", type(exc).__name__), getattr(exc, "evalue", str(exc))
    return f"cell [{count}]: {ename}: {str(evalue)[:300]}"


def parse_params(pairs) -> dict:
    """["DATASETS=mnist", "SIGMA=5.0"] -> {"DATASETS": "mnist", "SIGMA": 5.0}: Python literals, else strings."""
    import ast
    out = {}
    for pair in pairs or ():
        key, sep, value = pair.partition("=")
        if not sep or not key.isidentifier():
            raise ValueError(f"notebook parameter {pair!r} is not NAME=VALUE")
        try:
            out[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            out[key] = value
    return out


def run_notebook(path: Path, profile: str, out_dir: Path, seed: int = 0, params: dict | None = None) -> NotebookResult:
    import papermill as pm
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    try:
        pm.execute_notebook(str(path), str(out_dir / "report.ipynb"),
                            parameters={**(params or {}), "PROFILE": profile, "SEED": seed}, kernel_name="python3",
                            cwd=str(REPO), progress_bar=True, log_output=False)
        return NotebookResult(path.stem, True, time.time() - t0)
    except Exception as e:  # report and go on with the rest; the summary carries the failure
        return NotebookResult(path.stem, False, time.time() - t0, _failed_cell(e))
    finally:
        if (out_dir / "report.ipynb").exists():
            compact_progress(out_dir / "report.ipynb")


def _final_frames(text: str) -> str:
    """What a terminal would show of a stream with carriage-return progress bars: per line, the text
    after its last '\r' (tqdm redraws a bar in place), lines left blank by a cleared bar dropped."""
    lines = [line.rsplit("\r", 1)[-1] for line in text.split("\n")]
    return "\n".join(line for line in lines if line.strip() or line == lines[-1])


def compact_progress(path: Path) -> None:
    """Keep only each progress bar's final state in a report's stderr streams (notebook 14's 70-odd toy
    runs wrote 4 MB of redraws); stdout, results and figures are untouched."""
    import nbformat
    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        merged = []                                   # consecutive stderr messages joined first: one per redraw
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                if merged and merged[-1].get("output_type") == "stream" and merged[-1].get("name") == "stderr":
                    merged[-1]["text"] += out["text"]
                    continue
                out = nbformat.from_dict({**out})
            merged.append(out)
        for out in merged:
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                out["text"] = _final_frames(out["text"])
        if "outputs" in cell:                         # a bar that cleared itself (leave=False) leaves nothing
            cell["outputs"] = [o for o in merged if o.get("output_type") != "stream" or o["text"].strip()]
    nbformat.write(nb, str(path))


def select(only: str | None, names=NOTEBOOKS) -> list:
    if not only:
        return list(names)
    picked = [n for n in names if n.split("_")[0] == only or n == only]
    if not picked:
        raise ValueError(f"--only {only!r} matches no notebook; valid: {', '.join(names)}")
    return picked


def run_notebooks(profile: str, only: str | None = None, notebook_dir: Path = REPO / "notebooks",
                  results=None, names=NOTEBOOKS, seed: int = 0, params: dict | None = None) -> list:
    """Run the selected notebooks; print progress per notebook and a summary. Returns the results.

    params: extra papermill parameters for the selected notebooks, e.g. {"DATASETS": "mnist"} for 02.
    """
    get_profile(profile)  # unknown profile: error listing the valid ones, before anything runs
    if "GAN_REPRO_DATA" in os.environ:  # kernels run with cwd=repo; make the root absolute
        os.environ["GAN_REPRO_DATA"] = str(Path(os.environ["GAN_REPRO_DATA"]).resolve())
    picked = select(only, names)
    out: list = []
    for i, name in enumerate(picked, 1):
        print(f"[{i}/{len(picked)}] {name} (profile={profile}) ...", flush=True)
        r = run_notebook(Path(notebook_dir) / f"{name}.ipynb", profile,
                         results_root(results) / profile / name, seed, params)
        print(f"    {'ok' if r.ok else 'FAILED'} in {r.seconds:.1f} s {r.error}", flush=True)
        out.append(r)
    failed = [r for r in out if not r.ok]
    print(f"\n{len(out) - len(failed)} notebooks ok, {len(failed)} failed")
    for r in failed:
        print(f"  FAILED {r.name}: {r.error}")
    return out


CHECK_MARK = "# NBVAL_CHECK_OUTPUT"


def scrub_notebook(path: Path) -> None:
    """Prepare an executed notebook for commit: keep only the outputs nbval checks, drop volatile metadata.

    Executed reports with every output and figure live in results/<profile>/; the committed notebook
    keeps the `# NBVAL_CHECK_OUTPUT` cells' outputs (the smoke-profile golden values) and nothing else.
    """
    import nbformat
    nb = nbformat.read(str(path), as_version=4)
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)          # tqdm widget state: random ids, changes every run
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for cell in nb.cells:
        for key in ("execution", "papermill", "collapsed", "scrolled"):
            cell.metadata.pop(key, None)
        if cell.cell_type != "code":
            continue
        checked = cell.source.lstrip().startswith(CHECK_MARK)
        if not checked:   # nbval wants an execution count wherever reference outputs are kept
            cell.outputs, cell.execution_count = [], None
        else:
            cell.outputs = [o for o in cell.outputs if o.output_type == "stream" and o.name == "stdout"]
    nbformat.write(nb, str(path))
