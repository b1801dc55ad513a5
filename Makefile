# The few verbs a maintainer types. `make run` and `make test` work on a fresh Debian machine
# with Python 3.11: they create .venv and install the locked dependencies first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
JUDGED ?= ../shared/data/needs-bench
TEST_PG_URL ?= postgres://postgres@127.0.0.1:5432/techmarket_test

.PHONY: install run dev demo test test-sqlite test-postgres browser-deps lint format typecheck messages bench bench-quality clean

$(BIN)/.installed: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "需要 Python 3.11 或更高版本 / Python >= 3.11 is required"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { echo "创建虚拟环境失败：请先安装 python3-venv（sudo apt-get install python3-venv）"; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $@

install: $(BIN)/.installed

# Embedded default: SQLite under var/, tasks inline, mail printed to the console. Served as users
# see it (config.settings.run): DEBUG off, Chinese error pages, static files collected and served.
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: export DJANGO_SETTINGS_MODULE = config.settings.run
run: export HOST := $(HOST)
run: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py compilemessages_if_possible
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py seed_demo
	$(PY) manage.py matching_rebuild
	@# The measured hybrid: a background worker builds the static vectors and every item's passage
	@# embedding (progress on /matching/health/); the site serves at once and improves as they fill in.
	@$(PY) manage.py matching_dense_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(PY) manage.py runserver $(HOST):$(PORT)

# For developers: the same data with Django's debug pages and auto-reload (config.settings.dev).
dev: export SITE_URL ?= http://$(HOST):$(PORT)
dev: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py compilemessages_if_possible
	$(PY) manage.py seed_demo
	$(PY) manage.py matching_rebuild
	@# The measured hybrid: a background worker builds the static vectors and every item's passage
	@# embedding (progress on /matching/health/); the site serves at once and improves as they fill in.
	@$(PY) manage.py matching_dense_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(PY) manage.py runserver $(HOST):$(PORT)

demo: install
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py seed_demo
	$(PY) manage.py matching_rebuild

# The whole suite on SQLite, then on PostgreSQL (a fresh database). Without a reachable
# PostgreSQL the second run is skipped with a notice, except under CI=true, where it fails.
test: install browser-deps
	$(PY) manage.py compilemessages_if_possible
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: install
	@echo "== tests on SQLite =="
	$(PY) -m pytest -q $(PYTEST_ARGS)

test-postgres: install
	@echo "== tests on PostgreSQL ($(TEST_PG_URL)) =="
	@if $(PY) scripts/check_postgres.py "$(TEST_PG_URL)"; then \
		DATABASE_URL="$(TEST_PG_URL)" $(PY) -m pytest -q $(PYTEST_ARGS); \
	else \
		if [ "$$CI" = "true" ]; then echo "PostgreSQL 不可用：CI 中这是失败，不是跳过"; exit 1; fi; \
		echo "PostgreSQL 不可用，跳过 PostgreSQL 测试（设置 TEST_PG_URL 指向可用的服务器）"; \
	fi

# Debian's Chromium and CJK fonts for the browser tests (Playwright drives /usr/bin/chromium).
browser-deps:
	@bash scripts/ensure_browser_deps.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: install
	$(BIN)/mypy techmatch techmarket config

messages: install
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=var --ignore=bench
	$(PY) manage.py compilemessages --ignore=.venv

bench: install
	$(PY) -m bench.quality --judged $(JUDGED)
	$(PY) -m bench.speed
	$(PY) -m bench.catalog

bench-quality: install
	@$(PY) -m bench.quality --judged $(JUDGED)

clean:
	rm -rf var/techmarket.sqlite3 var/static test-artifacts
