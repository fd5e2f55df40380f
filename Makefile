# cnipa-kg: `make run` builds the release into dist/, `make test` runs the whole test suite.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install java browser virtuoso webservers clean bench help lock screenshots editor editor-check node

help:
	@echo "make run    create .venv, install, build + validate the release into dist/"
	@echo "make test   the same install, then the whole test suite"
	@echo "make bench  benchmarks into bench/ (BENCH_SIZES=\"1 10 100\" for a shorter run)"
	@echo "make lock   refresh constraints.txt (the versions run/test install) from PyPI"
	@echo "make editor  rebuild the query editor (src/cnipa_kg/web/assets/editor.js) from editor/ with npm"
	@echo "make screenshots  PNGs of the site (home, division, notice, phone, query editor) into docs/screenshots/"
	@echo "make clean  remove dist/ and .venv/"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the package or its data changes (a non-editable install, like a user's `pip install`),
# with the versions the tests passed with (constraints.txt; `make lock` refreshes it).
$(STAMP): $(BIN)/python pyproject.toml constraints.txt $(shell find src ontology shapes queries data -type f 2>/dev/null)
	$(BIN)/python -m pip install --quiet -c constraints.txt ".[all,dev]"
	@touch $(STAMP)

# Resolve the newest versions allowed by pyproject.toml in a throw-away venv and pin them all.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet ".[all,dev,bench]"
	@{ echo "# Versions installed by make run / make test / make bench (pip -c). Refresh: make lock"; \
	   .lock-venv/bin/python -m pip freeze --exclude cnipa-kg; } > constraints.txt
	rm -rf .lock-venv
	@echo "constraints.txt: $$(grep -vc '^#' constraints.txt) packages pinned"

install: $(STAMP)

# HermiT (the OWL reasoner) needs a Java runtime: install one with apt-get when it is missing.
java:
	@command -v java >/dev/null 2>&1 || { \
	  echo "java not found: installing a headless JRE with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless; }

# The browser tests drive Debian's headless Chromium with Playwright (never `playwright install`); the
# pages are Chinese, so a CJK font is installed too (else Chromium draws boxes and lays out wrongly).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "chromium not found: installing it with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	@fc-list :lang=zh 2>/dev/null | grep -q . || { \
	  echo "no Chinese font: installing fonts-noto-cjk with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk; }

# tests/test_publish_stores.py loads the release into Virtuoso (Debian's virtuoso-opensource): install it
# with apt-get when virtuoso-t is missing. The tests start their own server on a temporary database; the
# package's own service is not used (noninteractive: debconf asks no dba password).
virtuoso:
	@command -v virtuoso-t >/dev/null 2>&1 || { \
	  echo "virtuoso-t not found: installing virtuoso-opensource with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource; }

# tests/test_hosting.py serves the static site with Debian's nginx (with its njs module, which the generated
# nginx.conf uses) and Apache httpd: install them with apt-get when missing. The tests start their own
# servers on free loopback ports with configurations of their own; the packages' services are not used.
webservers:
	@{ test -x /usr/sbin/nginx && test -f /usr/lib/nginx/modules/ngx_http_js_module.so && test -x /usr/sbin/apache2; } || { \
	  echo "nginx, its njs module or apache2 not found: installing them with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx libnginx-mod-http-js apache2; }

# The query editor (CodeMirror 6) is bundled from npm packages into the package's assets, so that a pip
# install needs no Node.js. `make editor` rebuilds it with the versions of editor/package-lock.json;
# `make editor-check` (part of `make test`) rebuilds it in a temporary folder and fails unless the
# committed files are byte for byte what the lock file gives. Node.js and npm come from apt-get if missing.
node:
	@command -v npm >/dev/null 2>&1 || { \
	  echo "npm not found: installing nodejs and npm with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; }

editor/node_modules/.package-lock.json: editor/package.json editor/package-lock.json | node
	cd editor && npm ci --no-audit --no-fund --loglevel=error

editor: editor/node_modules/.package-lock.json
	cd editor && node build.mjs

editor-check: editor/node_modules/.package-lock.json
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && (cd editor && node build.mjs "$$tmp") && \
	for f in editor.js editor.js.LICENSE; do \
	  cmp -s "$$tmp/$$f" src/cnipa_kg/web/assets/$$f || { \
	    echo "src/cnipa_kg/web/assets/$$f is not what editor/ builds: run make editor and commit it"; exit 1; }; \
	done && echo "editor.js: the committed bundle is what editor/package-lock.json builds"

run: install
	$(BIN)/cnipa-kg build --out dist

test: install java browser virtuoso webservers editor-check
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -q

# Benchmarks (not part of `make test`): scaling, validation vs pySHACL, endpoint vs Oxigraph/rdflib-endpoint.
BENCH_SIZES ?= 1 10 100 1000
bench: install virtuoso
	$(BIN)/python -m pip install --quiet -c constraints.txt ".[bench]"
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	$(BIN)/python scripts/bench.py --sizes $(BENCH_SIZES)
	$(BIN)/python scripts/bench_validate.py --sizes 1 40
	$(BIN)/cnipa-kg build --out dist -q
	$(BIN)/python scripts/bench_endpoint.py --release dist
	$(BIN)/python scripts/bench_load.py --sizes $(BENCH_SIZES)

# README screenshots: builds the release into a temporary folder, serves it on a free port, shoots the pages
# with Debian's headless Chromium (fixed ?on= dates, so the same sources give the same pictures), stops the server.
screenshots: install browser
	$(BIN)/python scripts/screenshots.py --out docs/screenshots

clean:
	rm -rf dist $(VENV)
