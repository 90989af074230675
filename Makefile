# Two commands set up everything on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ADDR ?= 127.0.0.1:8000
# Material prints a long end-of-life banner on every run; the pins already hold MkDocs below 2.
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve build test check clean

# Re-install only when the pinned requirements change.
$(BIN)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(BIN)/.dev: requirements-dev.txt $(BIN)/.runtime
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

serve: $(BIN)/.runtime
	$(BIN)/mkdocs serve --dev-addr $(ADDR)

build: $(BIN)/.runtime
	$(BIN)/mkdocs build --strict

# The guard without a build: all of docs/, or FILES="docs/a.md docs/b.md".
check: $(BIN)/.runtime
	$(BIN)/python hooks/guard_check.py $(FILES)

test: $(BIN)/.dev
	$(BIN)/python -m pytest

clean:
	rm -rf site .pytest_cache
