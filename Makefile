# Two commands a new user needs: `make run` and `make test`.
# Both create and reuse a local virtual environment in .venv. `make run` installs only the
# core (the simulation, replay, sweeps and comparisons); `make test` adds every extra and
# the development tools (see pyproject.toml), so it works after `make run` too.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CORE := $(VENV)/.core-installed
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck bench docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(CORE): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(CORE)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP) $(CORE)

run: $(CORE)
	# The baseline week at half its regional volume: about a minute on one core.
	$(BIN)/eccc run baseline --scale 0.5 --out runs/baseline-1

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy engine scenarios sim reports research loadtests bench eccc

test: lint $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(CORE)
	$(BIN)/eccc bench engine

# Rewrite the generated pages in docs/ (a test fails when they are out of date).
docs: $(CORE)
	$(BIN)/python -m eccc.docs

clean:
	rm -rf $(VENV) runs .pytest_cache .mypy_cache .ruff_cache .hypothesis
