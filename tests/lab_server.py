"""A real JupyterLab server for the tests: localhost only, a random token, notebooks/ as its root.

Used by tests/test_lab.py (REST API + kernel websocket) and tests/test_browser.py (Playwright).
The server inherits os.environ, so its kernels see $GAN_REPRO_DATA and $GAN_REPRO_RESULTS as conftest.py
set them (absolute data root, results in a scratch folder).
"""
import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from gan_repro.runner import CHECK_MARK

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
# JupyterLab user settings for the test server: no autosave, so that a browser test never writes into
# notebooks/; every cell in the DOM (no virtual scrolling), so that the page holds each output it shows;
# no news or update check (no internet, and no toast over the screenshot).
SETTINGS = {"@jupyterlab/docmanager-extension/plugin": {"autosave": False},
            "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
            "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False}}


@dataclass(frozen=True)
class LabServer:
    url: str        # http://127.0.0.1:<port>
    token: str
    log: Path       # the server's stdout + stderr

    def api(self, method: str, path: str, body: dict | None = None, timeout: float = 10.0):
        """Call the REST API; returns the decoded JSON (None for an empty reply)."""
        req = urllib.request.Request(self.url + path, method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            data = r.read()
        return json.loads(data) if data else None

    def log_tail(self, n: int = 40) -> str:
        lines = self.log.read_text(errors="replace").splitlines() if self.log.exists() else []
        return "\n".join(lines[-n:])


def is_checked(cell: dict) -> bool:
    """A code cell whose stdout nbval compares with the stored one (`# NBVAL_CHECK_OUTPUT`)."""
    return cell["cell_type"] == "code" and "".join(cell["source"]).lstrip().startswith(CHECK_MARK)


def stored_stdout(cell: dict) -> str:
    """The stdout a committed notebook stores for a cell: the smoke golden of a checked cell."""
    return "".join("".join(o["text"]) for o in cell.get("outputs", [])
                   if o["output_type"] == "stream" and o["name"] == "stdout")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def lab_server(start_timeout: float = 60.0):
    """Start `jupyter lab --no-browser` from this interpreter's environment, yield a LabServer, stop it.

    Jupyter's config, runtime, settings and workspace folders are scratch folders, so that a user's own
    settings or open tabs cannot change what the tests see. A server that is not up within start_timeout
    seconds fails the test with the tail of its log.
    """
    token = secrets.token_hex(24)
    port = free_port()
    scratch = Path(tempfile.mkdtemp(prefix="gan_repro_lab_"))
    env = dict(os.environ, JUPYTER_TOKEN=token,    # the token stays out of the process list
               JUPYTER_CONFIG_DIR=str(scratch / "config"), JUPYTER_RUNTIME_DIR=str(scratch / "runtime"),
               JUPYTERLAB_WORKSPACES_DIR=str(scratch / "workspaces"),
               JUPYTERLAB_SETTINGS_DIR=str(scratch / "settings"))
    for plugin, values in SETTINGS.items():
        path = scratch / "settings" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           "--ServerApp.port_retries=0", f"--ServerApp.root_dir={NOTEBOOKS}",
           "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.geteuid() == 0:    # CI and the project machines run as root; jupyter refuses that without the flag
        cmd.append("--allow-root")
    server = LabServer(f"http://127.0.0.1:{port}", token, scratch / "server.log")
    with open(server.log, "wb") as log:
        proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(server, proc, start_timeout)
        yield server
    finally:
        _stop(server, proc)
        shutil.rmtree(scratch, ignore_errors=True)


def _wait_until_up(server: LabServer, proc: subprocess.Popen, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with code {proc.returncode} before it was up; "
                               f"log:\n{server.log_tail()}")
        with contextlib.suppress(OSError):    # refused while starting; URLError is an OSError
            server.api("GET", "/api/status", timeout=2)
            return
        time.sleep(0.25)
    raise TimeoutError(f"jupyter lab not up at {server.url} within {timeout:.0f} s; log:\n{server.log_tail()}")


def _stop(server: LabServer, proc: subprocess.Popen):
    """Ask the server to shut down (it stops its kernels), then terminate, then kill."""
    if proc.poll() is None:
        with contextlib.suppress(OSError):
            server.api("POST", "/api/shutdown", timeout=5)
        for stop in (lambda: None, proc.terminate, proc.kill):
            stop()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
                break
