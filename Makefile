# Two commands set up everything on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ADDR ?= 127.0.0.1:8000
# Material and a plugin print MkDocs-2 banners on every run; the pins already hold MkDocs below 2.
export NO_MKDOCS_2_WARNING := 1
export DISABLE_MKDOCS_2_WARNING := true

.PHONY: serve build test check check-site urls bench guard-eval clean

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
	$(BIN)/python hooks/guard $(FILES)

# Before publishing: the built site's HTML and exports, whatever built them (SITE=public on GitLab).
SITE ?= site
check-site: $(BIN)/.runtime
	$(BIN)/python hooks/guard --site $(SITE)

# After a page is retired on purpose: rewrite published-urls.txt from the current site.
urls: $(BIN)/.runtime
	KB_UPDATE_PUBLISHED_URLS=1 $(BIN)/mkdocs build --quiet --site-dir $$(mktemp -d)

# Build, guard and search costs at N = 100, 500, 1000 lessons (docs/trainers/performance.md),
# and search at the real site and 100 to 5,000 lessons (docs/trainers/search.md).
bench: $(BIN)/.dev
	$(BIN)/python bench/guard_eval.py
	$(BIN)/python bench/run.py $(BENCH_ARGS)
	$(BIN)/python bench/search_scale.py

# The guard's corpus measures (cross-validated and held-out), written to docs/trainers/guard.md.
guard-eval: $(BIN)/.runtime
	$(BIN)/python bench/guard_eval.py

test: $(BIN)/.dev
	$(BIN)/python -m pytest

clean:
	rm -rf site .pytest_cache
