# The commands of the README. Each does its own setup on a fresh machine.
PROFILE ?= cpu
ONLY ?=
# extra notebook parameters, e.g. PARAMS="DATASETS=mnist" to train one half of the zoo (02) per session,
# or PARAMS="DATASETS=cifar10 PRESETS=wgan-gp,sngan,biggan" for part of one half
PARAMS ?=
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
AS_ROOT := $(filter 0,$(shell id -u))
SUDO := $(if $(AS_ROOT),,sudo)
# The data root: $GAN_REPRO_DATA if set, else ../shared/data where it exists (the project machines),
# else ./data. The runner prints which one it uses.
GAN_REPRO_DATA ?= $(if $(wildcard ../shared/data/README.md),$(abspath ../shared/data),$(abspath data))
export GAN_REPRO_DATA

.PHONY: test reproduce lab test-browser bench clean-venv

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $@

# Tests run in one worker per core (pytest-xdist), each on one thread: two 2-thread processes on 2 cores
# slow each other down many times over (OpenMP threads spin), while the tests' many small steps gain little
# from a second thread. --dist loadfile keeps every notebook's cells in one worker, in order.
TEST_WORKERS ?= auto
test: $(VENV)/.installed
	OMP_NUM_THREADS=1 $(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile

reproduce: $(VENV)/.installed
	@echo "data root: $(GAN_REPRO_DATA)"
	$(PY) -m gan_repro run-notebooks --profile $(PROFILE) $(if $(ONLY),--only $(ONLY)) $(foreach p,$(PARAMS),--param $(p))

# JupyterLab on notebooks/, from the venv. The notebooks' kernelspec stays `python3`, the name papermill and
# nbval run: inside the venv, `python3` is the venv's own kernelspec (.venv/share/jupyter/kernels/python3,
# argv "python -m ipykernel_launcher"), and jupyter_client starts a "python" argv with the server's own
# interpreter, so a JupyterLab started here runs every notebook with the project's packages and data root.
# The named kernel "Python (gan_repro)" (~/.local/share/jupyter/kernels/gan_repro, the venv's python by
# absolute path) is for a JupyterLab that runs elsewhere: choose it there to get this venv.
lab: $(VENV)/.installed
	$(PY) -m ipykernel install --user --name gan_repro --display-name "Python (gan_repro)"
	@echo "data root: $(GAN_REPRO_DATA)"
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=notebooks $(if $(AS_ROOT),--allow-root)

# The Playwright test (tests/test_browser.py) with Debian's chromium, both installed here if absent;
# `make test` skips it, saying which is missing.
test-browser: $(VENV)/.browser
	command -v chromium >/dev/null || { $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }
	$(PY) -m pytest -q -m browser tests/test_browser.py

$(VENV)/.browser: $(VENV)/.installed
	$(PY) -m pip install -q -e ".[browser]"
	touch $@

bench: $(VENV)/.installed
	$(PY) benchmarks/bench_metrics.py

clean-venv:
	rm -rf $(VENV)
