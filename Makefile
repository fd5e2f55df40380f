# cnipa-kg: `make run` builds the release into dist/, `make test` runs the whole test suite.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install java browser clean bench help

help:
	@echo "make run    create .venv, install, build + validate the release into dist/"
	@echo "make test   the same install, then the whole test suite"
	@echo "make bench  benchmarks into bench/ (BENCH_SIZES=\"1 10 100\" for a shorter run)"
	@echo "make clean  remove dist/ and .venv/"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the package or its data changes (a non-editable install, like a user's `pip install`).
$(STAMP): $(BIN)/python pyproject.toml $(shell find src ontology shapes queries data -type f 2>/dev/null)
	$(BIN)/python -m pip install --quiet ".[all,dev]"
	@touch $(STAMP)

install: $(STAMP)

# HermiT (the OWL reasoner) needs a Java runtime: install one with apt-get when it is missing.
java:
	@command -v java >/dev/null 2>&1 || { \
	  echo "java not found: installing a headless JRE with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless; }

# The browser test drives Debian's headless Chromium with Playwright (never `playwright install`).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "chromium not found: installing it with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

run: install
	$(BIN)/cnipa-kg build --out dist

test: install java browser
	$(BIN)/python -m pytest -q

# Benchmarks (not part of `make test`): scaling, validation vs pySHACL, endpoint vs Oxigraph/rdflib-endpoint.
BENCH_SIZES ?= 1 10 100 1000
bench: install
	$(BIN)/python -m pip install --quiet ".[bench]"
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	$(BIN)/python scripts/bench.py --sizes $(BENCH_SIZES)
	$(BIN)/python scripts/bench_validate.py --sizes 1 40
	$(BIN)/cnipa-kg build --out dist -q
	$(BIN)/python scripts/bench_endpoint.py --release dist

clean:
	rm -rf dist $(VENV)
