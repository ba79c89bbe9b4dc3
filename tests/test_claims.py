import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from gan_repro import claims
from gan_repro.results import REPO

PAPERS = """# targets
## A. A paper
**Claims**
- A1: On MNIST, SNGAN reaches 99%. More text
  on a second line.
- A6 (Fig. 4): GAN-train saturates early.
## D. Another
- **Claims**
  - D1: Clipping fails. GP works.
"""


def _results(tmp_path, records: dict) -> None:
    """results/cpu/<notebook>/metrics.json holding `records` (a list of claim dicts) per notebook."""
    for i, (nb, recs) in enumerate(records.items()):
        d = tmp_path / "cpu" / nb
        d.mkdir(parents=True)
        (d / "metrics.json").write_text(json.dumps({"metrics": {"claims": recs},
                                                    "provenance": {"commit": f"{i}" * 40}}))


@pytest.fixture
def papers(tmp_path):
    p = tmp_path / "PAPERS.md"
    p.write_text(PAPERS)
    return p


def test_paper_claims_parses_ids_and_joins_continuation_lines(papers):
    d = claims.paper_claims(papers)
    assert list(d) == ["A1", "A6", "D1"]
    assert d["A1"] == "On MNIST, SNGAN reaches 99%. More text on a second line."
    assert claims.check_id("A1b", d) == "A1" and claims.check_id("D1", d) == "D1"
    for bad in ("A2", "Z1", "A1bb", "a1"):
        with pytest.raises(ValueError, match=f"claim ID '{bad}' is not defined in PAPERS.md; defined: A1, A6, D1"):
            claims.check_id(bad, d)


def test_collect_rows_not_run_and_summary(tmp_path, papers):
    _results(tmp_path, {"03_x": [claims.record("A1", "mnist", "s1", True, "e1"),
                                 claims.record("A1b", "both", "s2", False, "e2")],
                        "14_toys": [{"claim": "D1", "dataset": "8g", "held": True, "evidence": "e3"}]})
    df = claims.collect("cpu", root=tmp_path, papers=papers, notebooks=("03_x", "09_missing", "14_toys"))
    assert list(df.columns) == list(claims.COLUMNS) and len(df) == 4
    assert df.held.tolist() == [True, False, True, claims.NOT_RUN]
    assert df.notebook.tolist() == ["03_x", "03_x", "14_toys", "09_missing"]
    assert df.commit.tolist()[:3] == ["0" * 40, "0" * 40, "1" * 40]
    # a record stored without a statement gets PAPERS.md's first sentence, marked as such
    assert df.statement[2] == "(PAPERS.md) Clipping fails"
    s = claims.summary(df)
    assert "all: 2 / 3 held" in s and "A (How good is my GAN?): 1 / 2 held" in s
    assert "D (WGAN-GP toys): 1 / 1 held" in s and "B (BigGAN): 0 / 0 held" in s and "not run: 09_missing" in s


def test_collect_rejects_an_undefined_claim_id(tmp_path, papers):
    _results(tmp_path, {"03_x": [claims.record("A9", "mnist", "s", True, "e")]})
    with pytest.raises(ValueError, match="claim ID 'A9' is not defined"):
        claims.collect("cpu", root=tmp_path, papers=papers, notebooks=())


def test_missing_papers_file_names_every_path_tried(tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_REPRO_PAPERS", str(tmp_path / "nope.md"))
    monkeypatch.setattr(claims, "REPO", tmp_path / "repo")
    with pytest.raises(FileNotFoundError, match="nope.md.*shared/PAPERS.md"):
        claims.papers_path(tmp_path / "explicit.md")


def test_csv_round_trip_and_readme_block(tmp_path, papers):
    _results(tmp_path, {"03_x": [claims.record("A1", "mnist", "a | b", False, "e")]})
    df = claims.collect("cpu", root=tmp_path, papers=papers, notebooks=("03_x", "09_y"))
    df.to_csv(tmp_path / "claims.csv", index=False)
    back = claims.read_csv(tmp_path / "claims.csv")
    pd.testing.assert_frame_equal(back, df.astype({c: str for c in claims.COLUMNS if c != "held"}))
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{claims.README_BEGIN}\nSTALE ROW\n{claims.README_END}\noutro\n")
    assert claims.update_readme(df, readme) and not claims.update_readme(df, readme)
    text = readme.read_text()
    assert text.startswith("intro\n") and text.endswith("outro\n") and "STALE ROW" not in text
    assert "| A1 | 03 | mnist | a / b | **did not hold** | `00000000` |" in text
    assert "| – | 09 | – | – | not run | – |" in text
    readme.write_text("no markers")
    with pytest.raises(ValueError, match="no claims markers"):
        claims.update_readme(df, readme)


def test_cli_writes_claims_csv_and_rejects_unknown_ids(tmp_path, papers):
    _results(tmp_path, {"03_x": [claims.record("A1", "mnist", "s", True, "e")]})
    env = {**os.environ, "GAN_REPRO_RESULTS": str(tmp_path)}
    r = subprocess.run([sys.executable, "-m", "gan_repro", "claims", "--papers", str(papers)],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "all: 1 / 1 held" in r.stdout and (tmp_path / "cpu" / "claims.csv").exists()
    _results(tmp_path, {"04_y": [claims.record("B9", "c", "s", True, "e")]})
    r = subprocess.run([sys.executable, "-m", "gan_repro", "claims", "--papers", str(papers)],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 2 and "claim ID 'B9' is not defined" in r.stderr


def test_committed_claims_csv_and_readme_agree_with_the_results():
    """results/cpu/claims.csv is what the committed metrics.json give, and the README shows exactly it."""
    try:
        claims.papers_path()
    except FileNotFoundError as e:
        pytest.skip(str(e))
    committed = claims.read_csv(REPO / "results" / "cpu" / "claims.csv")
    fresh = claims.collect("cpu", root=REPO / "results")
    pd.testing.assert_frame_equal(committed, fresh.astype({c: str for c in claims.COLUMNS if c != "held"}),
                                  obj="claims.csv vs results/cpu/*/metrics.json (rerun `python -m gan_repro claims`)")
    readme = (REPO / "README.md").read_text()
    assert claims.readme_block(committed) in readme, \
        "README claims table differs from claims.csv: run `python -m gan_repro claims --update-readme`"
