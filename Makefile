# MTQG — two commands for a fresh machine: `make demo` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= province
# two test processes (pytest-xdist): each gets its own test database with the units loaded once
TEST_WORKERS ?= 2
export DJANGO_SETTINGS_MODULE ?= mtqg.settings

.PHONY: install install-dev demo run test test-fast test-sqlite test-postgres lint audit fmt bench serve-prod serve-scaled messages migrate system-deps clean

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null || { echo "Cần Python 3.11 ($(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

# Runtime dependencies from the lock file; the stamp makes a second run instant.
$(VENV)/.installed-runtime: requirements.lock | $(VENV)/bin/python
	$(PIP) install -q -r requirements.lock
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock | $(VENV)/bin/python
	$(PIP) install -q -r requirements-dev.lock
	touch $@ $(VENV)/.installed-runtime

install: $(VENV)/.installed-runtime

install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --noinput -v 0

# Install, migrate, load units and demo data (each step skips what is done), then serve.
demo: install
	$(PY) manage.py demo_setup
	bash scripts/serve.sh $(PY) $(HOST) $(PORT)

run: install
	bash scripts/serve.sh $(PY) $(HOST) $(PORT)

serve-prod: install
	$(PY) manage.py collectstatic --noinput -v 0
	DEBUG=0 bash scripts/serve.sh $(PY) --prod

# Debian packages the tests need (browser, PDF text extraction, fonts), installed only when missing.
system-deps:
	@bash scripts/system-deps.sh

test: install-dev system-deps
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory audit
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: install-dev
	@echo "== Bộ kiểm thử trên SQLite =="
	DATABASE_URL= bash scripts/pytest.sh -n $(TEST_WORKERS) --dist loadgroup

# The daily loop (decision 0030): everything but the tests marked slow (browser, fuzz, million rows, backups…),
# on SQLite only. `make test` and CI still run the whole suite on both databases.
test-fast: install-dev
	@echo "== Kiểm thử nhanh (SQLite, bỏ các bài đánh dấu slow) =="
	DATABASE_URL= bash scripts/pytest.sh -n $(TEST_WORKERS) --dist loadgroup -m "not slow"

test-postgres: install-dev
	@echo "== Bộ kiểm thử trên PostgreSQL =="
	bash scripts/with-postgres.sh bash scripts/pytest.sh -n $(TEST_WORKERS) --dist loadgroup

lint: install-dev system-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy mtqg
	$(VENV)/bin/lint-imports --no-cache  # the layers contract in pyproject.toml (decision 0040)
	DATABASE_URL=sqlite:///:memory: $(PY) manage.py makemigrations --check --dry-run -v 0
	PY=$(PY) bash scripts/check_translations.sh

# pip-audit over the locked dependencies (decision 0904): fails on a known vulnerability; when no vulnerability
# service can be reached it says so clearly and only warns, unless AUDIT_REQUIRED=1 (then it fails).
# AUDIT_SERVICE=pypi,osv (tried in order), AUDIT_OSV_URL=… for a mirror of the OSV API.
audit: install-dev
	@echo "== Kiểm tra lỗ hổng các thư viện đã khóa (pip-audit) =="
	$(PY) -m mtqg.reliability_tests.audit requirements.lock requirements-dev.lock

fmt: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: install-dev
	cd mtqg && ../$(PY) ../manage.py makemessages -l en --no-obsolete && ../$(PY) ../manage.py compilemessages
	# the JavaScript's words (djangojs.po): from the repo root, so static/js (outside mtqg/) is read too
	$(PY) manage.py makemessages -d djangojs -l en --no-obsolete --ignore=.venv --ignore=var --ignore=static/vendor --ignore=node_modules && $(PY) manage.py compilemessages -l en

# Every benchmark module on fresh SQLite and PostgreSQL databases with the synthetic country at SCALE
# (tiny | province | national); writes benchmarks/results/<date>-<scale>.{json,md} and renders docs/benchmarks.md.
# PostgreSQL runs with production durability (fsync, synchronous_commit, full_page_writes on; decision 0808).
bench: install-dev
	bash scripts/with-postgres.sh --durable $(PY) -m benchmarks.run --scale $(SCALE)

# Scaled profile (docs/deployment.md): PostgreSQL in DATABASE_URL, jobs on Celery workers over Redis
# (CELERY_BROKER_URL, default redis://127.0.0.1:6379/0), gunicorn in front. Stops the worker with the server.
serve-scaled: install
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "Cần DATABASE_URL=postgresql://… (PostgreSQL)"; exit 1;; esac
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py collectstatic --noinput -v 0
	export TASKS_BACKEND=mtqg.core.celery_backend.CeleryBackend DEBUG=0; \
	$(VENV)/bin/celery -A mtqg.celery worker -Q default --concurrency $${CELERY_CONCURRENCY:-2} --loglevel INFO & \
	worker=$$!; trap 'kill $$worker' EXIT INT TERM; \
	$(VENV)/bin/gunicorn -c deploy/gunicorn.conf.py mtqg.wsgi

clean:
	rm -rf var/*.sqlite3* var/test-* .pytest_cache
