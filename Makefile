# Open Model Race: `make help` lists every target.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# The interpreter that creates .venv: 3.11 or 3.12 (tools/check_python.py says so and stops otherwise).
PYTHON_BOOT ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
KERNEL_SPEC := $(VENV)/share/jupyter/kernels/modelrace/kernel.json
JOBS ?=
export PYTHONHASHSEED := 0
export MPLBACKEND := Agg
export MPLCONFIGDIR := $(CURDIR)/.mpl-cache
export PYDEVD_DISABLE_FILE_VALIDATION := 1
export JUPYTER_PLATFORM_DIRS := 1
export HF_HUB_DISABLE_TELEMETRY := 1

NBVAL_FLAGS := --nbval --nbval-kernel-name modelrace --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider

.PHONY: help env data figures test test-unit test-notebooks lab fetch-openrouter fetch-hub refresh site site-check variants bench lock clean

help: ## List every target with one line each
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[1m%-18s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): requirements.lock pyproject.toml
	@test -n "$(PYTHON_BOOT)" || { echo "error: no python3.11, python3.12 or python3 found; install Python 3.11 or 3.12 and rerun (or pass PYTHON_BOOT=/path/to/python3.12)"; exit 1; }
	@$(PYTHON_BOOT) tools/check_python.py
	@test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	@$(PY) tools/check_python.py
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# the project's own kernel, inside .venv (--sys-prefix): papermill, nbval, JupyterLab and CI all name it
$(KERNEL_SPEC): $(STAMP)
	$(PY) -m ipykernel install --sys-prefix --name modelrace --display-name "Python 3 (modelrace)" >/dev/null
	@echo "kernel 'modelrace' (Python 3 (modelrace)) registered in $(VENV)"

env: $(STAMP) $(KERNEL_SPEC) ## Create .venv from the pinned lock file (requirements.lock) and register the 'modelrace' kernel

data: $(STAMP) ## Materialize every pinned upstream file into data/raw/ and verify its sha256 (uses MODELRACE_MIRROR if set)
	$(PY) -m modelrace.sources materialize
	@touch $(RAW_STAMP)

# figures need the files once per registry change; loaders re-verify each file's sha256 on every read
RAW_STAMP := data/raw/.materialized
$(RAW_STAMP): data/sources.yaml $(STAMP) $(KERNEL_SPEC)
	$(PY) -m modelrace.sources materialize
	@touch $@

figures: $(RAW_STAMP) ## Run every notebook (papermill, default parameters, JOBS at once): figures/, data/processed/, executed notebooks
	$(PY) -m modelrace.runner $(if $(FORCE),--force,) $(if $(JOBS),--jobs $(JOBS),)

test: $(RAW_STAMP) ## Run the unit tests (pytest) and check the notebooks' printed results (pytest --nbval)
	$(PY) -m pytest tests -q -p no:cacheprovider
	$(PY) -m pytest $(NBVAL_FLAGS) notebooks -q

test-unit: $(RAW_STAMP) ## Run only the unit tests
	$(PY) -m pytest tests -q -p no:cacheprovider

test-notebooks: $(RAW_STAMP) ## Run only the nbval check of the committed notebooks
	$(PY) -m pytest $(NBVAL_FLAGS) notebooks -q

lab: $(RAW_STAMP) ## JupyterLab on the 'modelrace' kernel; ARGS="--no-browser --port 8899" passes options (root and containers work)
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root,) $(ARGS)

fetch-openrouter: $(STAMP) ## Fetch a dated OpenRouter snapshot (needs OPENROUTER_API_KEY; START=2025-01-01 END=yesterday)
	$(PY) -m modelrace.openrouter --start $${START:-2025-01-01} $${END:+--end $$END}

fetch-hub: $(STAMP) ## Fetch a dated Hugging Face Hub listing (TOP=N or ORGS="Qwen deepseek-ai"; HF_ENDPOINT honoured)
	@if [ -n "$${ORGS:-}" ]; then $(PY) -m modelrace.hub orgs $$ORGS; else $(PY) -m modelrace.hub top --n $${TOP:-1000}; fi

SOURCES ?= openrouter hub
refresh: $(RAW_STAMP) ## Fetch fresh snapshots (SOURCES="openrouter hub"), rerun the live-data notebooks into build/refresh/<date>/, report what changed
	$(PY) -m modelrace.refresh --sources $(SOURCES)

site: $(RAW_STAMP) ## Build the reader's site: French build/site/index.html, English build/site/en/ (English runs cached in build/site-runs/en/)
	$(PY) -m modelrace.site

site-check: ## Test the built site in headless Chromium at 1400 and 390 px with axe-core; screenshots in build/site-screens/
	@test -d tools/site-check/node_modules/axe-core || npm ci --prefix tools/site-check --no-audit --no-fund
	$(PY) -m pytest tests/test_site_browser.py -q -p no:cacheprovider

variants: $(RAW_STAMP) ## Rerun the notebooks with params/variants/*.yaml into build/variants/ (checked like `modelrace run`)
	$(VENV)/bin/modelrace variants

bench: $(RAW_STAMP) ## Run the benchmarks (incl. full rebuild, parallel and serial); write bench/results.md and bench/results.json
	$(PY) -m modelrace.bench

lock: ## After adding or upgrading a package in .venv: rewrite requirements.lock and environment.yml from it
	$(PY) -m pip freeze --all --exclude-editable | sort -f > requirements.lock
	$(PY) -m modelrace.environment --write

clean: ## Remove build products that are not committed (build/, stamps); keeps .venv and data/raw
	rm -rf build .mpl-cache
