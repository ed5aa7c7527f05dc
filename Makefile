# Doorway: two commands on a fresh clone.
#
#   make demo   environment, SQLite database, Exit Doors Here demo, server on :8000 and
#               the background worker (doorway db_worker) beside it
#   make test   the whole test suite (browser tests need Debian's /usr/bin/chromium, and
#               the accessibility tests axe-core from npm: both installed when it can)
#
# Also: make lint (ruff, mypy, makemigrations --check, imports that flow one way), make
# lock (regenerate requirements.lock), make install.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
DOORWAY := $(VENV)/bin/doorway
# Rewritten after every successful install; older than the lock means "install again".
STAMP := $(VENV)/.doorway-installed
HOST := 127.0.0.1
PORT := 8000
CHROMIUM := /usr/bin/chromium
# `make demo PYTHON=/path/to/python3.12` skips the search.
PYTHON ?=
# e.g. `make test PYTEST_ARGS="doorway/people -x"`; the suite runs on every core, a
# test file per worker (pytest-xdist), then the browser tests one at a time.
PYTEST_ARGS ?=
# `make test BROWSER=no`: the suite without its browser tests (CI's second database pass).
BROWSER ?= yes

.PHONY: help demo test lint lock install

help:
	@echo "make demo    start the demo on http://$(HOST):$(PORT) (creates .venv, .env, the database)"
	@echo "make test    run the whole test suite"
	@echo "make lint    ruff check, ruff format --check, mypy, no model change without its migration,"
	@echo "             imports between the apps that flow one way (lint-imports)"
	@echo "make lock    regenerate requirements.lock from pyproject.toml"

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@if ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		python="$(PYTHON)"; \
		if [ -z "$$python" ]; then python="$$(scripts/find-python)" || exit 1; fi; \
		echo "Creating $(VENV) with $$python"; \
		rm -rf $(VENV); \
		"$$python" -m venv $(VENV) || exit 1; \
	fi
	@echo "Installing the locked dependencies into $(VENV) (once; again only when the lock changes)"
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

# Only when missing: the keys in an existing .env protect the data already written.
.env:
	@$(PY) scripts/write-env .env

demo: $(STAMP) .env
	$(DOORWAY) migrate --noinput
	$(DOORWAY) collectstatic --noinput --verbosity 0
	$(DOORWAY) load-demo --url http://$(HOST):$(PORT)
	$(DOORWAY) refresh-due --daily
	@# A .env written before checkpoints has no checkpoint key: the demo still starts.
	-$(DOORWAY) audit checkpoint --schedule
	@echo "Starting the background worker and the server on http://$(HOST):$(PORT) (Ctrl-C stops both)"
	@$(DOORWAY) db_worker --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	$(DOORWAY) runserver --noreload $(HOST):$(PORT)

# Root, or sudo without a password, and apt: what the browser tests need is installed as
# .ci/run does; otherwise make test says what to run.
AS_ROOT := $(shell if [ "$$(id -u)" = 0 ]; then :; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then echo sudo -n; else echo none; fi)

test: $(STAMP)
	@if [ ! -x $(CHROMIUM) ] && [ "$(AS_ROOT)" != none ] && command -v apt-get >/dev/null; then \
		echo "== Installing Debian's Chromium for the browser tests"; \
		$(AS_ROOT) apt-get update -qq && \
		$(AS_ROOT) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core; \
	fi
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "************************************************************************"; \
		echo "* $(CHROMIUM) not found: browser tests will be SKIPPED."; \
		echo "* Install Debian's Chromium to run them: sudo apt-get install chromium"; \
		echo "************************************************************************"; \
	fi
	@# axe-core (package.json) checks every page in the browser tests; installed again
	@# when the lock is newer than what npm installed.
	@if ! command -v npm >/dev/null; then \
		echo "* npm not found: the accessibility tests (axe-core) will be SKIPPED."; \
		echo "* Install Node.js and npm, then axe-core: sudo apt-get install nodejs npm && npm ci"; \
	elif [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
		echo "== Installing axe-core for the accessibility tests (npm ci)"; \
		npm ci --no-audit --no-fund --loglevel=error || \
			echo "* npm ci failed: the accessibility tests will be SKIPPED (run npm ci to see why)."; \
	fi
	@if ! command -v xgettext >/dev/null; then \
		echo "* xgettext not found: the translation catalogue tests will be SKIPPED."; \
		echo "* Install Debian's gettext to run them: sudo apt-get install gettext"; \
	fi
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then \
		echo "* nginx not found: the production-setup test (deploy/) will be SKIPPED."; \
		echo "* Install Debian's nginx and openssl to run it: apt-get install nginx openssl"; \
	fi
	$(VENV)/bin/pytest --numprocesses auto --dist loadfile -m "not browser" $(PYTEST_ARGS)
	@# The browser tests after, one at a time: beside a busy worker, Chromium's clicks and
	@# second-factor codes were seen to miss their moment. Exit 5: none selected.
	@if [ "$(BROWSER)" = no ]; then \
		echo "== The browser tests are not run in this pass (make test BROWSER=no)"; \
	else \
		$(VENV)/bin/pytest -m browser $(PYTEST_ARGS) || [ $$? = 5 ]; \
	fi

# All of them run, so one pass reports everything; any failure fails the target.
lint: $(STAMP)
	@status=0; \
	( set -x; $(VENV)/bin/ruff check . ) || status=1; \
	( set -x; $(VENV)/bin/ruff format --check . ) || status=1; \
	( set -x; $(VENV)/bin/mypy doorway ) || status=1; \
	( set -x; DJANGO_SETTINGS_MODULE=doorway.settings_test $(DOORWAY) makemigrations --check --dry-run ) || status=1; \
	( set -x; $(VENV)/bin/lint-imports --no-cache ) || status=1; \
	exit $$status

# uv resolves the universal, hash-pinned lock; it is a tool, not a dependency, so it is
# taken from PATH or installed beside the environment.
UV_TOOL := $(VENV)/tools/bin/uv
lock: $(STAMP)
	@uv="$$(command -v uv || true)"; \
	if [ -z "$$uv" ]; then \
		[ -x $(UV_TOOL) ] || { $(PY) -m venv $(VENV)/tools && $(VENV)/tools/bin/pip install --quiet uv; } || exit 1; \
		uv=$(UV_TOOL); \
	fi; \
	set -x; "$$uv" pip compile pyproject.toml --extra dev --python-version 3.12 --universal \
		--generate-hashes -o requirements.lock
