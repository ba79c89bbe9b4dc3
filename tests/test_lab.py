"""JupyterLab for real: a live server lists every numbered notebook, and its `python3` kernel runs
00_datasets cell by cell at `smoke` and prints the summary that the committed notebook holds.

No mocks: a `jupyter lab` process on a free localhost port with a random token, its REST API, and the
kernel's websocket channel (websocket-client, a dependency of jupyter_server). The same output check as
nbval: every `# NBVAL_CHECK_OUTPUT` cell's stdout equals the stored output, character for character.
"""
import difflib
import json
import os
import re
import sys
import time
import uuid

import pytest
import websocket

from tests.lab_server import NOTEBOOKS, is_checked, lab_server, stored_stdout
from tests.needs import HAS_ALL, ROOT

START_TIMEOUT = 60     # s for the server to answer /api/status
RUN_TIMEOUT = 180      # s for the kernel test as a whole: session, every cell, shutdown
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def lab():
    with lab_server(start_timeout=START_TIMEOUT) as server:
        yield server


def test_every_numbered_notebook_is_listed(lab):
    on_disk = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    assert on_disk, f"no numbered notebooks under {NOTEBOOKS}"
    listed = {item["name"] for item in lab.api("GET", "/api/contents")["content"]
              if item["type"] == "notebook"}
    missing = [name for name in on_disk if name not in listed]
    assert not missing, f"{missing} on disk but not listed by {lab.url}/api/contents (listed: {sorted(listed)})"
    # and each one opens as a notebook whose kernelspec is python3 (what papermill and nbval run)
    for name in on_disk:
        model = lab.api("GET", f"/api/contents/{name}?content=1")
        assert model["format"] == "json" and model["content"]["nbformat"] == 4, name
        spec = model["content"]["metadata"].get("kernelspec", {}).get("name")
        assert spec == "python3", f"{name}: kernelspec {spec!r}; papermill and nbval run `python3`"


class Kernel:
    """The client side of one kernel websocket: send execute_request, gather its iopub replies."""

    def __init__(self, lab, kernel_id: str, deadline: float):
        self.deadline, self.session = deadline, uuid.uuid4().hex
        url = lab.url.replace("http", "ws", 1) + f"/api/kernels/{kernel_id}/channels?session_id={self.session}"
        self.ws = websocket.create_connection(url, header=[f"Authorization: token {lab.token}"],
                                              timeout=self._left())

    def _left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            pytest.fail(f"kernel test ran past its {RUN_TIMEOUT} s cap")
        return left

    def _send(self, msg_type: str, content: dict) -> str:
        msg_id = uuid.uuid4().hex
        header = {"msg_id": msg_id, "msg_type": msg_type, "session": self.session, "username": "test",
                  "version": "5.3", "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        self.ws.send(json.dumps({"header": header, "parent_header": {}, "metadata": {}, "content": content,
                                 "channel": "shell", "buffers": []}))
        return msg_id

    def _replies(self, msg_id: str, what: str):
        """Yield the messages answering msg_id until the kernel is idle again and the reply came."""
        idle = replied = False
        while not (idle and replied):
            self.ws.settimeout(self._left())
            try:
                msg = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                pytest.fail(f"{what}: no answer within the {RUN_TIMEOUT} s cap")
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            idle |= msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle"
            replied |= msg["channel"] == "shell"
            yield msg

    def info(self) -> dict:
        return next(m for m in self._replies(self._send("kernel_info_request", {}), "kernel_info")
                    if m["msg_type"] == "kernel_info_reply")["content"]

    def execute(self, code: str, what: str) -> str:
        """Run code; return its stdout. An exception in the kernel fails the test with its traceback."""
        msg_id = self._send("execute_request", {"code": code, "silent": False, "store_history": True,
                                                "user_expressions": {}, "allow_stdin": False,
                                                "stop_on_error": True})
        stdout = []
        for msg in self._replies(msg_id, what):
            if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
                stdout.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                tb = ANSI.sub("", "\n".join(msg["content"]["traceback"]))
                pytest.fail(f"{what} raised {msg['content']['ename']}: {msg['content']['evalue']}\n{tb}")
        return "".join(stdout)


@pytest.mark.skipif(not HAS_ALL, reason=f"00_datasets needs the data root (GAN_REPRO_DATA); {ROOT} is incomplete")
def test_python3_kernel_runs_00_datasets_at_smoke(lab):
    deadline = time.monotonic() + RUN_TIMEOUT
    nb = json.loads((NOTEBOOKS / "00_datasets.ipynb").read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    params = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1 and 'PROFILE = "smoke"' in "".join(params[0]["source"]), \
        "00_datasets needs one parameters cell whose default is PROFILE = \"smoke\""
    checked = [i for i, c in enumerate(code) if is_checked(c)]
    assert checked and all(stored_stdout(code[i]) for i in checked), "no stored summary output to check against"

    session = lab.api("POST", "/api/sessions", {"path": "00_datasets.ipynb", "name": "00_datasets.ipynb",
                                                "type": "notebook", "kernel": {"name": "python3"}}, timeout=30)
    kernel = None
    try:
        kernel = Kernel(lab, session["kernel"]["id"], deadline)
        assert kernel.info()["language_info"]["name"] == "python"
        # `python3` resolves to the server's own interpreter: the venv, with gan_repro and the data root
        seen = kernel.execute("import os, sys; print(sys.prefix); print(os.environ.get('GAN_REPRO_DATA')); "
                              "print(os.environ.get('GAN_REPRO_RESULTS'))", "environment probe").splitlines()
        assert seen == [sys.prefix, os.environ["GAN_REPRO_DATA"], os.environ["GAN_REPRO_RESULTS"]], seen

        for i, cell in enumerate(code):
            out = kernel.execute("".join(cell["source"]), f"00_datasets code cell {i}")
            if i in checked and out != stored_stdout(cell):
                diff = "\n".join(difflib.unified_diff(stored_stdout(cell).splitlines(), out.splitlines(),
                                                      "stored (smoke golden)", "live kernel", lineterm=""))
                pytest.fail(f"00_datasets code cell {i} (# NBVAL_CHECK_OUTPUT) differs from the notebook:\n{diff}")
            if "results written to" in out:    # the run must land in the scratch results root, not the repo
                assert os.environ["GAN_REPRO_RESULTS"] in out, out
    finally:
        if kernel is not None:
            kernel.ws.close()
        lab.api("DELETE", f"/api/sessions/{session['id']}", timeout=30)    # also shuts the kernel down
