# Everything starts from python3 (3.11+) and make. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest bench setup clean-data shell manage lock

$(STAMP): requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	@touch $(STAMP)

setup: $(STAMP)

## make run: set up, migrate, load demo data, serve on 127.0.0.1:8000 with a Celery worker and beat.
run: $(STAMP)
	$(PY) -m kustomer_clone.devrun run

## make test: set up, then ruff, mypy and the whole pytest suite (unit, integration, end-to-end).
test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# mypy loads the test settings, which need a DATABASE_URL to parse (it never connects).
typecheck: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-postgres://unused@127.0.0.1/unused} $(VENV)/bin/mypy

pytest: $(STAMP)
	@mkdir -p var
	$(PY) -m kustomer_clone.devrun test -- --junitxml=var/junit.xml $(PYTEST_ARGS)

## make bench: latency of pages through gunicorn (2 workers) on loopback, then mail ingest
## (a 10,000-message .mbox through the inbound pipeline: messages per second and memory).
bench: $(STAMP)
	$(PY) -m kustomer_clone.devrun bench -- $(BENCH_ARGS)
	$(PY) -m kustomer_clone.devrun bench-mail -- $(BENCH_MAIL_ARGS)

## make manage ARGS="createsuperuser": any manage.py command against the same database as make run.
manage: $(STAMP)
	$(PY) -m kustomer_clone.devrun manage -- $(ARGS)

shell: $(STAMP)
	$(PY) -m kustomer_clone.devrun manage -- shell

## make lock: re-pin dependencies after editing pyproject.toml (needs uv: pip install uv).
lock:
	uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

clean-data:
	$(PY) -m kustomer_clone.embedded stop || true
	rm -rf var
