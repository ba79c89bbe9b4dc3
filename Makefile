# The two commands of the README. Each does its own setup on a fresh machine.
PROFILE ?= cpu
ONLY ?=
# extra notebook parameters, e.g. PARAMS="DATASETS=mnist" to train one half of the zoo (02) per session,
# or PARAMS="DATASETS=cifar10 PRESETS=wgan-gp,sngan,biggan" for part of one half
PARAMS ?=
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The data root: $GAN_REPRO_DATA if set, else ../shared/data where it exists (the project machines),
# else ./data. The runner prints which one it uses.
GAN_REPRO_DATA ?= $(if $(wildcard ../shared/data/README.md),$(abspath ../shared/data),$(abspath data))
export GAN_REPRO_DATA

.PHONY: test reproduce bench clean-venv

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $@

test: $(VENV)/.installed
	$(PY) -m pytest -q

reproduce: $(VENV)/.installed
	@echo "data root: $(GAN_REPRO_DATA)"
	$(PY) -m gan_repro run-notebooks --profile $(PROFILE) $(if $(ONLY),--only $(ONLY)) $(foreach p,$(PARAMS),--param $(p))

bench: $(VENV)/.installed
	$(PY) benchmarks/bench_metrics.py

clean-venv:
	rm -rf $(VENV)
