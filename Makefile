# `make run`: set up and chat with the bot locally. `make test`: set up and run the whole suite.
VENV   := .venv
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app wsgi
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: setup system-deps run test bench screenshots

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q torch==2.13.0   # the CPU build; see requirements.txt
	$(VENV)/bin/pip install -q -r requirements.txt
	touch $@

setup: $(VENV)/.installed

# Debian packages the tests use: Chromium for the admin pages, a Japanese font for the chart,
# PostgreSQL for the second database. Installed only when missing (needs root).
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
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

test: setup system-deps
	TEST_POSTGRES_URL=$$(scripts/start-postgres.sh) $(PY) -m pytest -q -p no:cacheprovider tests

bench: setup
	$(PY) bench/carryover.py
	$(PY) bench/retrieval_quality.py
	$(PY) bench/retrieval_speed.py
	$(PY) bench/webhook_roundtrip.py

# Refresh the README's admin screenshots (docs/screenshots/) from the browser tests.
screenshots: setup system-deps
	UPDATE_SCREENSHOTS=1 $(PY) -m pytest -q tests/admin/test_browser.py
