# Two commands a new user needs: `make run` and `make test`.
# Both create and reuse a local virtual environment in .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	# The baseline week at half its regional volume: about a minute on one core.
	$(BIN)/eccc run baseline --scale 0.5 --out runs/baseline-1

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy engine scenarios sim reports research loadtests bench eccc

test: lint $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/eccc bench engine

clean:
	rm -rf $(VENV) runs .pytest_cache .mypy_cache .ruff_cache .hypothesis
