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
	$(BIN)/eccc replay scenarios/example_trace.jsonl \
	    --policy milestones --policy quiet_hours --policy cap_rolling:limit=3 \
	    --out runs/example/outputs.jsonl

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy engine sim scenarios loadtests reports

test: lint $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/eccc bench engine

clean:
	rm -rf $(VENV) runs .pytest_cache .mypy_cache .ruff_cache .hypothesis
