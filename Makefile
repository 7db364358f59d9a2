# kamnb: two commands on a fresh machine.
#   make demo   set up .venv, install, run the batch on data/sample, print where the reports are
#   make test   set up .venv, install, run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
OUT    ?= reports/sample

.PHONY: demo test bench lint browser-deps clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/kamnb validate data/sample
	$(BIN)/kamnb batch data/sample --out $(OUT)
	@echo "portfolio index: $(abspath $(OUT))/index.html"

test: $(STAMP) browser-deps lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check kamnb tests benchmarks scripts/make_sample.py
	$(BIN)/mypy kamnb

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# Chromium for the browser tests, from Debian's packages; a no-op when present.
browser-deps:
	@bash scripts/ensure-chromium

clean:
	rm -rf $(VENV) reports/sample
