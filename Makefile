# `make run`: set up and chat with the bot locally. `make test`: set up and run the whole suite;
# `make test-fast`: the tests not marked slow.
VENV   := .venv
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app wsgi
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: setup system-deps run test test-fast lock bench screenshots

# The whole tree, pinned and hash-checked (requirements-test.lock: runtime + the test extra of
# pyproject.toml). torch is the CPU build, 2.13.0+cpu: pip takes it from this machine's wheel folder
# (pip.conf's find-links); elsewhere add PyTorch's CPU index:
#   PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu make setup
$(VENV)/.installed: requirements-test.lock
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q pip==26.3
	$(VENV)/bin/pip install -q --require-hashes -r requirements-test.lock
	touch $@

# Sudachi's synonym dictionary (retrieval/thesaurus.py), pinned with its hash in vendor/package-lock.json.
VENDOR := vendor/node_modules/.package-lock.json
$(VENDOR): vendor/package-lock.json
	npm ci --prefix vendor --ignore-scripts --no-audit --no-fund --loglevel=error

setup: $(VENV)/.installed $(VENDOR)

# Regenerate both locks from pyproject.toml with pip-tools in a throw-away venv. Pins already in
# the locks are kept; `make lock UPGRADE=--upgrade` moves everything to the newest allowed.
LOCK_VENV := /tmp/cityfaq-lock-venv
COMPILE   := CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_VENV)/bin/pip-compile -q --generate-hashes \
             --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links $(UPGRADE)
lock:
	python3 -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install -q pip==26.3 pip-tools==7.7.0
	$(COMPILE) --extra test -o requirements-test.lock pyproject.toml
	$(COMPILE) -o requirements.lock pyproject.toml

# Debian packages the tests use: Chromium for the admin pages, a Japanese font for the chart,
# PostgreSQL for the second database; and npm, which setup needs. Installed only when missing (needs root).
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	fc-list 2>/dev/null | grep -q "Noto Sans CJK" || missing="$$missing fonts-noto-cjk"; \
	ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

run: setup
	$(FLASK) db upgrade
	$(FLASK) faq import faq/sample/city_faq.csv --if-empty
	$(FLASK) faq index
	LOCAL_CHAT=1 $(FLASK) chat serve

test: system-deps setup
	TEST_POSTGRES_URL=$$(scripts/start-postgres.sh) $(PY) -m pytest -q -p no:cacheprovider tests

# The tests not marked slow (tests/conftest.py says which are): SQLite only, no browser, no gunicorn.
test-fast: system-deps setup
	$(PY) -m pytest -q -p no:cacheprovider -m "not slow" tests

bench: setup
	$(PY) bench/carryover.py
	$(PY) bench/retrieval_quality.py
	$(PY) bench/retrieval_speed.py
	$(PY) bench/webhook_roundtrip.py

# Refresh the README's admin screenshots (docs/screenshots/) from the browser tests.
screenshots: setup system-deps
	UPDATE_SCREENSHOTS=1 $(PY) -m pytest -q tests/admin/test_browser.py
