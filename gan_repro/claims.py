"""Every claim verdict in one table: results/<profile>/*/metrics.json -> claims.csv and the README block.

Each notebook stores its verdicts under metrics["claims"] as records {claim, dataset, statement, held,
evidence} (`record`). `collect` gathers them with the notebook and the git commit of the run, lists a
notebook of the runner whose results are missing as "not run" (never dropped), and checks every claim ID
against ../shared/PAPERS.md: an ID it does not define is an error. A sub-claim is a defined ID with one
lower-case letter appended (A1b: a second check of A1), and counts as defined.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pandas as pd

from gan_repro.results import REPO, results_root

COLUMNS = ("claim", "notebook", "dataset", "statement", "held", "evidence", "commit")
SECTIONS = {"A": "How good is my GAN?", "B": "BigGAN", "C": "Seeing What a GAN Cannot Generate",
            "D": "WGAN-GP toys", "E": "Metric behaviour"}
NOT_RUN = "not run"
README_BEGIN, README_END = "<!-- claims:begin (generated: python -m gan_repro claims --update-readme) -->", \
    "<!-- claims:end -->"


def record(cid: str, dataset: str, statement: str, held: bool, evidence: str) -> dict:
    """One verdict, in the shape every notebook stores; `held` is computed by the caller from numbers."""
    return {"claim": cid, "dataset": dataset, "statement": statement, "held": bool(held), "evidence": evidence}


def papers_path(path=None) -> Path:
    """PAPERS.md: explicit path, else $GAN_REPRO_PAPERS, else ../shared/PAPERS.md beside the repo."""
    tried = [Path(p) for p in (path, os.environ.get("GAN_REPRO_PAPERS")) if p] + [REPO.parent / "shared" / "PAPERS.md"]
    for p in tried:
        if p.is_file():
            return p
    raise FileNotFoundError(f"PAPERS.md (the claim IDs) not found; tried {[str(p) for p in tried]}. "
                            "Pass --papers PATH or set GAN_REPRO_PAPERS.")


def paper_claims(path=None) -> dict:
    """{claim ID: its text} for every '- ID: text' bullet of PAPERS.md (continuation lines joined)."""
    out, current = {}, None
    for line in papers_path(path).read_text().splitlines():
        m = re.match(r"^\s*- ([A-E]\d+)(?: \([^)]*\))?: (.*)", line)
        if m:
            current = m.group(1)
            out[current] = m.group(2).strip()
        elif current and line.startswith("  ") and not line.lstrip().startswith(("-", "|")):
            out[current] += " " + line.strip()
        else:
            current = None
    return out


def check_id(cid: str, defined: dict) -> str:
    """The PAPERS.md ID a claim belongs to (A1b -> A1); an ID PAPERS.md does not define is an error."""
    m = re.fullmatch(r"([A-E]\d+)[a-z]?", str(cid))
    if not m or m.group(1) not in defined:
        raise ValueError(f"claim ID {cid!r} is not defined in PAPERS.md; defined: {', '.join(defined)}")
    return m.group(1)


def _rows_of(path: Path, defined: dict) -> list:
    """The claims of one metrics.json as table rows. A record stored without a statement (runs made before
    records carried one) gets PAPERS.md's first sentence for its ID, marked as such."""
    d = json.loads(path.read_text())
    notebook, commit = path.parent.name, d.get("provenance", {}).get("commit") or ""
    rows = []
    for c in d.get("metrics", {}).get("claims") or []:
        paper_text = defined[check_id(c["claim"], defined)]
        statement = c.get("statement") or f"(PAPERS.md) {paper_text.split('. ')[0].rstrip('.')}"
        rows.append({"claim": c["claim"], "notebook": notebook, "dataset": c.get("dataset", ""),
                     "statement": statement, "held": bool(c["held"]), "evidence": c.get("evidence", ""),
                     "commit": commit})
    return rows


def collect(profile: str = "cpu", root=None, papers=None, notebooks=None) -> pd.DataFrame:
    """One row per verdict of results/<profile>/*/metrics.json, then one 'not run' row per notebook of
    `notebooks` (default: the runner's list) that has no metrics.json. Columns: COLUMNS."""
    from gan_repro.runner import NOTEBOOKS
    defined = paper_claims(papers)
    base = results_root(root) / profile
    rows = []
    for path in sorted(base.glob("*/metrics.json")):
        rows += _rows_of(path, defined)
    for nb in notebooks if notebooks is not None else NOTEBOOKS:
        if not (base / nb / "metrics.json").exists():
            rows.append({"claim": "", "notebook": nb, "dataset": "", "statement": "", "held": NOT_RUN,
                         "evidence": f"no {profile} results under results/{profile}/{nb}", "commit": ""})
    return pd.DataFrame(rows, columns=list(COLUMNS))


def summary(df: pd.DataFrame) -> str:
    """'held / total' overall and per paper section; notebooks not run are counted apart."""
    ran = df[df.held != NOT_RUN]
    held = ran.held.astype(bool)
    lines = [f"all: {int(held.sum())} / {len(ran)} held"]
    for key, name in SECTIONS.items():
        sec = ran.claim.str.startswith(key)
        lines.append(f"{key} ({name}): {int(held[sec].sum())} / {int(sec.sum())} held")
    missing = df[df.held == NOT_RUN].notebook.tolist()
    if missing:
        lines.append(f"not run: {', '.join(missing)}")
    return "\n".join(lines)


def markdown(df: pd.DataFrame) -> str:
    """The README's table: claim, notebook, data, statement, verdict, and the run's commit."""
    verdict = {True: "held", False: "**did not hold**", NOT_RUN: NOT_RUN}
    lines = ["| claim | notebook | data | statement | verdict | commit |", "|---|---|---|---|---|---|"]
    for r in df.itertuples():
        cells = (r.claim or "–", r.notebook[:2], r.dataset or "–", r.statement or "–", verdict[r.held],
                 f"`{r.commit[:8]}`" if r.commit else "–")
        lines.append("| " + " | ".join(str(c).replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


def readme_block(df: pd.DataFrame) -> str:
    return f"{README_BEGIN}\n{summary(df).replace(chr(10), '; ')}\n\n{markdown(df)}\n{README_END}"


def update_readme(df: pd.DataFrame, readme: Path = REPO / "README.md") -> bool:
    """Replace the text between the marker comments with the generated block; True if it changed."""
    text = readme.read_text()
    start, end = text.find(README_BEGIN), text.find(README_END)
    if start < 0 or end < 0:
        raise ValueError(f"{readme}: no claims markers; add a line {README_BEGIN!r} and a line {README_END!r}")
    new = text[:start] + readme_block(df) + text[end + len(README_END):]
    readme.write_text(new)
    return new != text


def read_csv(path: Path) -> pd.DataFrame:
    """claims.csv back as written: every column text, `held` as True / False / 'not run'."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["held"] = df.held.map({"True": True, "False": False, NOT_RUN: NOT_RUN})
    return df
