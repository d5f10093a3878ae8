# The two commands a newcomer needs: `make run` and `make test`.
# Each does its own set-up on a fresh machine and reuses what already exists.

PYTHON ?= python3
PORT ?= 5000
HOST ?= 127.0.0.1
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi:app
# PostgreSQL database the suite runs against a second time (created if missing).
TEST_PG_URL ?= postgresql://postgres@127.0.0.1:5432/checkin_test

.PHONY: run run-venue test test-sqlite test-postgres test-wheel setup translations messages lint \
	lock bench screenshots

# Dependencies come from the lock files, every file checked against its hash; the
# project itself is installed on top, without resolving anything again.
$(BIN)/.installed: pyproject.toml requirements/dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# Renew the lock files after changing the dependencies in pyproject.toml.
LOCK := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links
lock: $(BIN)/.installed
	$(BIN)/pip install --quiet pip-tools
	$(LOCK) -o requirements/main.txt pyproject.toml
	$(LOCK) --extra dev -o requirements/dev.txt pyproject.toml

translations: $(BIN)/.installed
	$(BIN)/pybabel compile -d checkin/translations 2>&1 | grep -v "^compiling" || true

setup: $(BIN)/.installed translations

# After changing user-facing text: refresh the catalogues, then translate the new
# Vietnamese msgstrs (tests/test_i18n.py fails while one is missing).
messages: $(BIN)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -o checkin/translations/messages.pot \
		--no-location --sort-output . >/dev/null
	$(BIN)/pybabel update -i checkin/translations/messages.pot -d checkin/translations \
		--ignore-obsolete >/dev/null

screenshots: setup
	$(BIN)/python scripts/screenshots.py

# The web server (gunicorn, one gevent worker) and the job worker (`checkin worker`),
# started and stopped together by scripts/serve.
run: setup
	@# Links in QR codes and letters use PUBLIC_URL; set it to an address phones can reach.
	export PUBLIC_URL=$${PUBLIC_URL:-http://127.0.0.1:$(PORT)}; \
	$(BIN)/checkin db upgrade && \
	$(BIN)/checkin demo --if-empty && \
	$(BIN)/checkin urls && \
	exec $(BIN)/python scripts/serve $(HOST) $(PORT)

# The meeting on the hall's Wi-Fi over HTTPS (gate cameras need a secure context): a
# certificate made on first run for this laptop's LAN address; see docs/venue.md.
VENUE_PORT ?= 5443
run-venue: setup
	export VENUE_HOST=$${VENUE_HOST:-$$(scripts/lan-address)}; \
	scripts/venue-cert "$$VENUE_HOST" instance/venue && \
	export PUBLIC_URL=https://$$VENUE_HOST:$(VENUE_PORT) SESSION_COOKIE_SECURE=1 && \
	$(BIN)/checkin db upgrade && \
	$(BIN)/checkin demo --if-empty && \
	$(BIN)/checkin urls && \
	SOCKETIO_ASYNC_MODE=gevent exec $(BIN)/gunicorn -k gevent -w 1 --worker-connections 10000 \
		-b 0.0.0.0:$(VENUE_PORT) --certfile instance/venue/cert.pem \
		--keyfile instance/venue/key.pem --access-logfile - wsgi:app

test: setup
	scripts/ensure-chromium
	scripts/ensure-postgres "$(TEST_PG_URL)"
	scripts/ensure-redis
	scripts/ensure-nginx
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(MAKE) --no-print-directory test-sqlite test-postgres test-wheel

# The wheel, installed in a clean virtual environment, serves /login and /healthz.
test-wheel: translations
	scripts/check-wheel

test-sqlite:
	$(BIN)/pytest

# The database-facing tests again on PostgreSQL (browser tests stay on SQLite).
test-postgres:
	TEST_DATABASE_URL="$(TEST_PG_URL)" $(BIN)/pytest -m "not browser"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

bench: setup
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done
