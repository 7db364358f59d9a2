# kamnb: two commands on a fresh machine.
#   make demo   set up .venv, install, run the batch on data/sample, print where the reports are
#   make test   set up .venv, install, run the whole test suite
#   With a conda environment active (CONDA_PREFIX set, not "base"), kamnb is
#   installed into that environment instead of .venv; VENV_ONLY=1 ignores conda.
PYTHON ?= python3
VENV   := .venv
OUT    ?= reports/sample
ifneq ($(and $(CONDA_PREFIX),$(filter-out base,$(CONDA_DEFAULT_ENV)),$(if $(VENV_ONLY),,yes)),)
BIN    := $(CONDA_PREFIX)/bin
STAMP  := $(CONDA_PREFIX)/.kamnb-installed-stamp
MAKE_ENV = @echo "using the active conda environment $(CONDA_DEFAULT_ENV) ($(CONDA_PREFIX))"
else
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
MAKE_ENV = @test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
endif

.PHONY: demo test bench lint wheel browser-deps clean

$(STAMP): pyproject.toml
	$(MAKE_ENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/kamnb validate data/sample
	$(BIN)/kamnb batch data/sample --out $(OUT)
	@echo "portfolio index: $(abspath $(OUT))/index.html"
	@case "$(BIN)" in $(VENV)/bin) echo "kamnb is installed in .venv: run 'source .venv/bin/activate' once per shell, or call .venv/bin/kamnb";; esac

test: $(STAMP) browser-deps lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check kamnb tests benchmarks scripts/make_sample.py scripts/make_crm_example.py
	$(BIN)/mypy kamnb

# Build the wheel, install it into a fresh virtual environment and run every
# command from a folder outside the repository (scripts/check-wheel).
wheel: $(STAMP)
	bash scripts/check-wheel $(BIN)/python

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# Chromium for the browser tests, from Debian's packages; a no-op when present.
browser-deps:
	@bash scripts/ensure-chromium

clean:
	rm -rf $(VENV) reports/sample
