# The two commands of the README's Quickstart. Both set up what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("dtws needs Python 3.10+ for its harness" if sys.version_info < (3, 10) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

## run: every local cell of the matrix, then the summary table
run: $(BIN)/.installed
	$(BIN)/python -m dtws run

## test: the harness's own tests, real cells included
test: $(BIN)/.installed
	$(BIN)/python -m pytest
