"""JupyterLab in a real browser: open 00_datasets, clear its outputs, Run → Run All Cells, and wait for the
summary that nbval checks. Saves results/smoke/jupyterlab_00_datasets.png.

Playwright drives Debian's chromium through executable_path (no `playwright install`, no download).
`make test-browser` installs both and runs exactly this file (marker `browser`); `make test` skips it,
saying which one is absent.
"""
import hashlib
import json
import re
import shutil
import time

import pytest

from tests.lab_server import NOTEBOOKS, REPO, is_checked, lab_server, stored_stdout
from tests.needs import HAS_ALL, ROOT

CHROMIUM = shutil.which("chromium")
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is absent; "
                               "`make test-browser` installs it (pip extra [browser])")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not on PATH; `make test-browser` installs "
                                                "Debian's (apt-get install chromium)"),
    pytest.mark.skipif(not HAS_ALL, reason=f"00_datasets needs the data root (GAN_REPRO_DATA); {ROOT} is incomplete"),
]

NOTEBOOK = NOTEBOOKS / "00_datasets.ipynb"
SCREENSHOT = REPO / "results" / "smoke" / "jupyterlab_00_datasets.png"
OPEN_TIMEOUT = 60      # s for JupyterLab to show the notebook
RUN_TIMEOUT = 150      # s for Run All Cells to print the summary


def _summary() -> str:
    """The stored stdout of the `# NBVAL_CHECK_OUTPUT` cell: the smoke golden summary."""
    return stored_stdout(next(c for c in json.loads(NOTEBOOK.read_text())["cells"] if is_checked(c)))


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.strip("\n").splitlines()]


def _menu(page, menu: str, item: str):
    """Click a top menu, then one of its items, by their exact labels (as a user would)."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(menu)}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).click()


def test_jupyterlab_runs_00_datasets_in_chromium():
    want = _summary()
    before = hashlib.sha256(NOTEBOOK.read_bytes()).hexdigest()
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    with lab_server() as lab, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.set_default_timeout(OPEN_TIMEOUT * 1000)
            page.goto(f"{lab.url}/lab/tree/{NOTEBOOK.name}?token={lab.token}")
            checked = page.locator(".jp-CodeCell", has_text="# NBVAL_CHECK_OUTPUT")
            output = checked.locator(".jp-OutputArea-output")
            output.wait_for()                                   # the stored summary is shown
            _menu(page, "Edit", "Clear Outputs of All Cells")
            sync_api.expect(output).to_have_count(0)            # so what appears next is this run's

            t0 = time.monotonic()
            _menu(page, "Run", "Run All Cells")
            try:
                sync_api.expect(output).to_contain_text(_lines(want)[-1], timeout=RUN_TIMEOUT * 1000)
            except AssertionError:
                page.screenshot(path=SCREENSHOT)
                errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
                pytest.fail(f"no summary within {RUN_TIMEOUT} s of Run All Cells; stderr in the page:\n"
                            + "\n".join(errors.all_inner_texts())[-3000:] + f"\nscreenshot: {SCREENSHOT}")
            seconds = time.monotonic() - t0
            output.evaluate("e => e.scrollIntoView({block: 'end'})")    # the whole summary in view
            page.screenshot(path=SCREENSHOT)
            assert _lines(output.inner_text()) == _lines(want), \
                f"the summary in JupyterLab differs from the notebook's stored one:\n{output.inner_text()}"
        finally:
            browser.close()
    assert hashlib.sha256(NOTEBOOK.read_bytes()).hexdigest() == before, f"{NOTEBOOK} was written to"
    print(f"Run All Cells -> summary in {seconds:.1f} s; screenshot {SCREENSHOT}")
