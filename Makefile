# FRS — every target sets up .venv from requirements.lock first, when it is missing or stale.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FRS := $(VENV)/bin/frs
RESULTS := build/results
export NO_MKDOCS_2_WARNING := 1
# The site's browser tests: Debian's chromium (no browser download) and axe-core from npm.
CHROMIUM := /usr/bin/chromium
AXE := tests/browser/node_modules/axe-core/axe.min.js
# The Chinese edition's text, on screen and in the PDF: Debian's Noto CJK fonts (no font
# download at build or view time; the site names the installed family, spec/assets/frs.css).
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
# The site serves its own KaTeX (formulas), installed from npm as package-lock.json pins it.
KATEX := node_modules/katex/dist/katex.min.js
NPM := $(or $(shell command -v npm),/usr/bin/npm)
# Real, identity-labelled face images for the real-model tests (tests/fixtures/real-faces).
FACES := build/downloads/face_recognition-1.3.0.tar.gz

.PHONY: help serve test check site site-assets bench lock clean browser fonts release faces

help:
	@echo "make serve   build and serve the site at http://127.0.0.1:8000 (live reload)"
	@echo "make test    every check: lint, tests, traceability, strict site build"
	@echo "make check   the fast checks, for the edit loop"
	@echo "make site    build the site into build/site (English; Chinese in build/site/zh)"
	@echo "make bench   run the benchmarks"
	@echo "make release VERSION=x.y  stamp, freeze ids.lock, write the changelog, publish with mike"

$(VENV)/.installed: requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.lock
	$(PY) -m pip install --disable-pip-version-check -q --no-deps --no-build-isolation -e .
	@touch $@

# The browser the site tests drive (Playwright with executable_path; no `playwright install`).
$(CHROMIUM):
	@command -v apt-get >/dev/null || { echo "install chromium at $(CHROMIUM)"; exit 1; }
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium

# Without apt (macOS, say) the system's own CJK fonts serve; the glyph test tells.
$(CJK_FONT):
	@command -v apt-get >/dev/null || { echo "no apt-get: the Chinese edition uses this system's CJK fonts"; exit 0; }
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends fonts-noto-cjk

fonts: $(CJK_FONT)

$(NPM):
	@command -v apt-get >/dev/null || { echo "install Node.js and npm"; exit 1; }
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm

# axe-core, exactly as tests/browser/package-lock.json pins it.
$(AXE): tests/browser/package.json tests/browser/package-lock.json | $(NPM)
	cd tests/browser && npm ci --no-audit --no-fund --silent
	@touch $@

# KaTeX, exactly as package-lock.json pins it; the site build copies it into the site.
$(KATEX): package.json package-lock.json | $(NPM)
	npm ci --no-audit --no-fund --silent
	@touch $@

site-assets: $(KATEX)

browser: $(CHROMIUM) $(AXE) $(CJK_FONT)

# The face_recognition sdist, pinned by hash; only its tests/test_images are used.
$(FACES): tests/fixtures/real-faces/requirements.txt $(VENV)/.installed
	$(PY) -m pip download --disable-pip-version-check -q --no-deps --no-binary :all: \
	  --require-hashes -r $< -d $(@D)
	@touch $@

faces: $(FACES)

serve: $(VENV)/.installed $(KATEX) $(CJK_FONT)
	$(VENV)/bin/mkdocs serve --dev-addr 127.0.0.1:8000

check: $(VENV)/.installed
	$(VENV)/bin/ruff check --quiet reference_impl frs_tools tests benchmarks
	$(FRS) check

# Lint first; then run the tests even if one fails, so the traceability report names
# every clause a failure touches; then the strict site build with the fresh statuses.
test: $(VENV)/.installed $(KATEX) browser $(FACES)
	$(VENV)/bin/ruff check --quiet reference_impl frs_tools tests benchmarks
	$(FRS) check
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	@fail=0; \
	FRS_REQUIRE_BROWSER=1 FRS_REQUIRE_FACES=1 COVERAGE_FILE=$(RESULTS)/.coverage $(PY) -m pytest -q --junitxml=$(RESULTS)/junit.xml \
	  --cov=reference_impl --cov-context=test --cov-report= || fail=1; \
	$(FRS) check --results || fail=1; \
	$(VENV)/bin/mkdocs build --strict --quiet --site-dir build/site || fail=1; \
	exit $$fail

site: $(VENV)/.installed $(KATEX)
	$(VENV)/bin/mkdocs build --strict --site-dir build/site

bench: $(VENV)/.installed
	$(PY) -m benchmarks

# Publish a version: `make test` first (the site shows its statuses), then frs_tools/release.py:
# stamp the version, freeze ids.lock, write the changelog from `frs diff`, commit, tag and
# deploy the site with mike to the local gh-pages branch (push it yourself).
release: $(VENV)/.installed
	@test -n "$(VERSION)" || { echo "usage: make release VERSION=x.y"; exit 2; }
	$(MAKE) test
	$(PY) -m frs_tools.release $(VERSION)

# Re-pin every package from requirements.in in a clean throwaway venv.
lock:
	rm -rf build/lock-venv && $(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/pip install -q -U pip setuptools
	build/lock-venv/bin/pip install -q -r requirements.in
	{ echo "# Exact versions of everything requirements.in needs (pip freeze of a clean venv)."; \
	  echo "# Made by \`make lock\`; installed by every make target into .venv."; \
	  build/lock-venv/bin/pip freeze --all | grep -v -E "^(pip|wheel)==" | sort -f; } > requirements.lock
	rm -rf build/lock-venv

clean:
	rm -rf build $(VENV)
