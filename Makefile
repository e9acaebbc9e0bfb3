# Restora: `make run` sets everything up and starts the main job; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: setup system-packages run test bench rembg-venv clean translations

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-*
	touch $@

setup: $(STAMP)

# The main job: the web site on embedded defaults (SQLite, files and mail outbox in ./instance), under
# gunicorn at http://127.0.0.1:5000 (WEB_HOST/WEB_PORT override). Ctrl-C stops it.
WEB_HOST ?= 127.0.0.1
WEB_PORT ?= 5000
run: setup
	$(VENV)/bin/restora serve --host $(WEB_HOST) --port $(WEB_PORT)

# Debian packages the tests need: Chromium for the browser tests (tests/browser), and the libraries and a
# font that Qt's offscreen platform links against for the desktop window's tests (tests/gui). CI starts
# from a fresh machine, so install what is missing (as root, or through sudo).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SYSTEM_PACKAGES := chromium libegl1 libgl1 libxkbcommon0 libfontconfig1 libglib2.0-0 fonts-dejavu-core
system-packages:
	dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1 || \
		($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q $(SYSTEM_PACKAGES))

test: setup system-packages
	$(PY) -m pytest -q

# rembg, the alternative to the background tool, in a venv of its own for the bench's side-by-side suite
# (benchmarks/background_vs_rembg_bench.py): its pymatting and numba must not enter the app's venv. A build
# that fails (no PyPI) removes the half-made venv and does not stop the bench: the suite then says "skipped".
REMBG_VENV := .venv-rembg
REMBG_STAMP := $(REMBG_VENV)/.installed-$(shell cksum < benchmarks/requirements-rembg.txt | cut -d' ' -f1)
$(REMBG_STAMP): benchmarks/requirements-rembg.txt
	rm -rf $(REMBG_VENV)
	$(PYTHON) -m venv $(REMBG_VENV)
	$(REMBG_VENV)/bin/python -m pip install -q -r benchmarks/requirements-rembg.txt
	touch $@

rembg-venv:
	$(MAKE) --no-print-directory $(REMBG_STAMP) || (rm -rf $(REMBG_VENV); echo "rembg venv not built: the bench skips background_vs_rembg")

bench: setup rembg-venv
	$(PY) -m benchmarks --out bench-results/bench.json
	# the API against its OpenAPI document, longer than the test suite's short run
	RESTORA_TEST_SCHEMATHESIS_EXAMPLES=200 $(PY) -m pytest -q tests/web/test_api_schema.py

# Strings of the site and of the tools (marked N_ in restora/tools): extract from code and templates, merge into the Chinese catalogue, compile the .mo
# (committed, so a fresh clone needs no build step). Fill in new msgstr entries in the .po, then run again.
TRANSLATIONS := restora/web/translations
translations: setup
	mkdir -p build
	$(VENV)/bin/pybabel -q extract -F restora/web/babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		-k N_ -o build/messages.pot restora/web restora/tools restora/accounts
	test -f $(TRANSLATIONS)/zh/LC_MESSAGES/messages.po || $(VENV)/bin/pybabel init -i build/messages.pot -d $(TRANSLATIONS) -l zh
	$(VENV)/bin/pybabel -q update -i build/messages.pot -d $(TRANSLATIONS) -l zh --no-fuzzy-matching --ignore-obsolete
	$(VENV)/bin/pybabel -q compile -d $(TRANSLATIONS) -l zh

clean:
	rm -rf $(VENV) $(REMBG_VENV) build *.egg-info .pytest_cache
