"""environment.yml mirrors pyproject.toml: same pip requirements (conda is not available to run it)."""
import re
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def _norm(req: str) -> str:
    return re.sub(r"\s+", "", req).lower()


def test_environment_yml_matches_pyproject():
    proj = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    want = {_norm(r) for r in proj["dependencies"] + proj["optional-dependencies"]["test"]}
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    got = {_norm(r) for r in pip if not r.startswith("-e")}
    assert got == want, f"only in environment.yml: {got - want}; only in pyproject: {want - got}"


def test_torch_pins():
    proj = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert "torch==2.14.1" in proj["dependencies"] and "torchvision==0.29.1" in proj["dependencies"]
