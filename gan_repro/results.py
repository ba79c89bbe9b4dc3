"""Write a notebook's results with provenance: results/<profile>/<NN_topic>/{table.csv, metrics.json, fig_*.png}.

Provenance: git commit and dirty flag, profile (all budgets), seed, dataset cards, library versions,
wall time. Someone must be able to tell which run produced which number.
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from dataclasses import asdict, is_dataclass
from pathlib import Path

from gan_repro.profiles import get_profile, profile_dict

REPO = Path(__file__).resolve().parents[1]


def results_root(root=None) -> Path:
    """Explicit argument, else $GAN_REPRO_RESULTS, else <repo>/results."""
    if root is not None:
        return Path(root)
    env = os.environ.get("GAN_REPRO_RESULTS")
    return Path(env) if env else REPO / "results"


def git_state(repo: Path = REPO) -> dict:
    """{'commit': sha or None, 'dirty': bool or None}; None where git or the repo is absent."""
    def run(*args):
        return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, timeout=20)
    try:
        head = run("rev-parse", "HEAD")
        if head.returncode != 0:
            return {"commit": None, "dirty": None}
        # dirty = the code differs from the commit; results/ is excluded because papermill writes the
        # run's own tracked report.ipynb there before the notebook records this state
        dirty = run("status", "--porcelain", "--untracked-files=no", "--", ".", ":!results").stdout.strip() != ""
        return {"commit": head.stdout.strip(), "dirty": dirty}
    except (OSError, subprocess.TimeoutExpired):
        return {"commit": None, "dirty": None}


def library_versions() -> dict:
    import numpy
    import scipy
    import torch
    import torchvision
    return {"python": platform.python_version(), "torch": torch.__version__,
            "torchvision": torchvision.__version__, "numpy": numpy.__version__,
            "scipy": scipy.__version__, "platform": platform.platform()}


def _jsonable(x):
    if is_dataclass(x):
        return asdict(x)
    if hasattr(x, "as_dict"):
        return x.as_dict()
    if hasattr(x, "item") and getattr(x, "ndim", 1) == 0:
        return x.item()
    if isinstance(x, (tuple, set)):
        return list(x)
    if isinstance(x, Path):
        return str(x)
    if hasattr(x, "to_dict") and hasattr(x, "columns"):       # a pandas DataFrame: one dict per row
        return x.to_dict("records")
    raise TypeError(f"cannot store {type(x).__name__} in metrics.json")


class Run:
    """One notebook run: call `Run("00_datasets", PROFILE, SEED)` at the top, `.save(...)` at the end."""

    def __init__(self, topic: str, profile: str, seed: int, root=None):
        self.topic, self.profile, self.seed = topic, get_profile(profile), seed
        self.out = results_root(root) / self.profile.name / topic
        self.started = time.time()
        self.git = git_state()      # at start: commits made while a long run goes on must not relabel it
        self.cards: list = []

    def add_cards(self, *cards) -> None:
        self.cards.extend(c.as_dict() if hasattr(c, "as_dict") else dict(c) for c in cards)

    def provenance(self) -> dict:
        return {"topic": self.topic, **self.git, "profile": profile_dict(self.profile),
                "seed": self.seed, "datasets": self.cards, "versions": library_versions(),
                "wall_time_s": round(time.time() - self.started, 2),
                "finished_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}

    def save_figure(self, name: str, fig) -> Path:
        self.out.mkdir(parents=True, exist_ok=True)
        path = self.out / f"fig_{name}.png"
        fig.savefig(path, dpi=110, bbox_inches="tight")
        return path

    def save(self, table=None, metrics: dict | None = None) -> Path:
        """Write table.csv (a pandas DataFrame) and metrics.json (metrics + provenance)."""
        self.out.mkdir(parents=True, exist_ok=True)
        if table is not None:
            table.to_csv(self.out / "table.csv", index=False)
        record = {"metrics": metrics or {}, "provenance": self.provenance()}
        tmp = self.out / "metrics.json.tmp"
        tmp.write_text(json.dumps(record, indent=2, default=_jsonable))
        tmp.replace(self.out / "metrics.json")      # atomic: never a half-written file
        return self.out
