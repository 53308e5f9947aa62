# Sportello — the two commands: `make demo` and `make test`.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
LOCALE_SOURCES := $(wildcard locale/*/LC_MESSAGES/django.po)
LOCALE_TARGETS := $(LOCALE_SOURCES:.po=.mo)
PYTEST_ARGS ?=

include mk/assets.mk

.PHONY: help install demo test lint format messages makemessages migrate serve system-packages clean bench-ingest bench-desk bench-portal bench-dashboards test-api-fuzz test-faults

help:
	@echo "make demo   — install, migrate, seed the demo data and serve on http://127.0.0.1:8000"
	@echo "make test   — install what is needed and run the whole suite (ruff + pytest + browser tests)"

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[dev]"
	touch $@

install: $(STAMP) assets messages

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po
	msgfmt --check-format -o $@ $<

messages: $(LOCALE_TARGETS)

makemessages: $(STAMP)
	$(PY) manage.py makemessages -l it -l en -l fr -l es --add-location=file --ignore=node_modules --ignore=.venv --ignore=static --ignore="*/migrations/*" --ignore=tests --ignore=scripts --ignore=docs

migrate: install
	$(PY) manage.py migrate --noinput

demo: install migrate
	$(PY) manage.py seed_demo
	@echo "Sportello is running on http://127.0.0.1:8000/ (admin: /admin/, desk: /desk/)"
	$(PY) manage.py runserver 127.0.0.1:8000

system-packages:
	bash scripts/ensure_system_packages.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .

format: $(STAMP)
	$(VENV)/bin/ruff format .

test: system-packages install lint
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# Broker faults (tests/faults, docs/reliability.md): real prefork workers on PostgreSQL, each test
# against its own redis-server that it stops, restarts or freezes; prints the recovery times. The
# whole matrix (~70 s); the PostgreSQL + Redis leg of .ci/run runs its first case with the suite.
test-faults: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/sportello_faults} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/11} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/12} \
	SPORTELLO_FAULT_MATRIX=1 \
	$(VENV)/bin/pytest tests/faults -p no:cacheprovider $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles

# Operator desk on the 1,000,000-ticket database (seed_demo --tickets 1000000): p50/p95 and req/s.
bench-desk: $(STAMP) system-packages
	$(PY) scripts/bench_desk.py

bench-ingest: $(STAMP)
	$(PY) scripts/bench_ingest.py

bench-portal: $(STAMP) system-packages
	$(PY) scripts/bench_portal.py

.PHONY: security
# API fuzzing: schemathesis against the live schema of a seeded server (scripts/api_fuzz.sh, ~1.5 min).
test-api-fuzz: $(STAMP)
	bash scripts/api_fuzz.sh

# Static scan (bandit fails on high-severity findings only), then the dependency audit against the
# first advisory source that answers (PyPI, OSV): it fails on a known vulnerability or on packages it
# could not check, and says "SKIPPED: no advisory source reachable" (exit 0; 1 with AUDIT_REQUIRED=1)
# where none answers, instead of passing without checking (scripts/audit_dependencies.py).
security: $(STAMP)
	$(VENV)/bin/bandit -q -r api privacy tickets operators channels_app faq reports contactcenter -x '*/migrations/*' -lll
	$(PY) scripts/audit_dependencies.py

# Dashboards on the 1,000,000-ticket database (BENCH_DATABASE_URL): migrate, refresh the aggregates, time every page.
bench-dashboards: $(STAMP) system-packages
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/sportello_bench} $(PY) manage.py migrate --noinput -v0
	test -n "$$BENCH_SKIP_REBUILD" || DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/sportello_bench} $(PY) manage.py rebuild_stats
	$(PY) scripts/bench_dashboards.py

# Webhooks and CTI: p50/p95 of the 200 a provider waits for, and of the caller pop-up read (uses DATABASE_URL: your own DB).
bench-webhooks: $(STAMP) system-packages
	$(PY) scripts/bench_webhooks.py

.PHONY: bench-api
bench-api: $(STAMP) system-packages
	$(PY) scripts/bench_api.py
