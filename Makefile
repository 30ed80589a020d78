# Every install step lives here: a fresh machine needs only Python 3.11+ and (for tests) apt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEV := ICON_ENV=development
PYTEST := PYTHONASYNCIODEBUG=1 $(BIN)/pytest

.PHONY: install demo serve migrate test test-sqlite test-postgres lint format messages bench chromium \
	media-tools kannel axe reliability journey-shots

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(DEV) $(BIN)/icon migrate

demo: migrate media-tools
	$(DEV) $(BIN)/icon demo $(if $(PHASE),--phase $(PHASE)) $(if $(RESET),--reset)
	$(DEV) $(BIN)/icon serve --host 127.0.0.1 --port 8000

serve: migrate
	$(DEV) $(BIN)/icon serve --host 127.0.0.1 --port 8000

# Debian's Chromium for the browser tests (never a downloaded browser). Runs as root in CI.
# Noto's core fonts give it the Nastaliq of the Urdu interface, as an Android phone has it.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	@fc-list ':lang=ur' 2>/dev/null | grep -q . || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-core; }

# Debian's Kannel (bearerbox, smsbox) and kannel-extras (fakesmsc) for the SMS gateway tests.
kannel:
	@test -x /usr/sbin/bearerbox && test -x /usr/lib/kannel/test/fakesmsc || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			kannel kannel-extras; }

# axe-core, pinned in package.json and package-lock.json, for the browser accessibility checks.
AXE := node_modules/axe-core/axe.min.js
$(AXE): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm; }
	npm ci --no-audit --no-fund --ignore-scripts
	touch $(AXE)

axe: $(AXE)

# Debian's ffmpeg makes the light renditions of audio spots; espeak-ng speaks the demo's spots.
media-tools:
	@command -v ffmpeg >/dev/null 2>&1 && command -v espeak-ng >/dev/null 2>&1 || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg espeak-ng; }

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: install chromium media-tools kannel axe lint test-sqlite test-postgres

test-sqlite: install
	env -u ICON_TEST_DATABASE_URL $(PYTEST)

# Runs only when ICON_TEST_DATABASE_URL names a PostgreSQL database (.ci/run sets it).
test-postgres: install
	@if [ -n "$$ICON_TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL: $$ICON_TEST_DATABASE_URL"; $(PYTEST); \
	else echo "== ICON_TEST_DATABASE_URL not set: PostgreSQL run skipped"; fi

# Refresh the catalogues after adding or changing user-facing strings; then translate web/locale/*/.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _ --no-location --sort-output \
		--project "Integrity Icon" -o web/locale/messages.pot .
	$(BIN)/pybabel update -i web/locale/messages.pot -d web/locale \
		--ignore-obsolete --no-fuzzy-matching -w 100

# The whole journey (tests/browser/test_whole_journey.py) with its phone-size screenshots saved
# into docs/journey/, which the README shows; commit them after a change to the pages.
journey-shots: install chromium media-tools
	env -u ICON_TEST_DATABASE_URL ICON_JOURNEY_SHOTS=docs/journey $(PYTEST) tests/browser/test_whole_journey.py

# Faults (SIGKILL mid-burst, one phone 100 times at once, gateway retries, a backup mid-burst;
# on PostgreSQL connections terminated under one and two servers) against real servers;
# skipped by make test. .ci/run calls it after make test, on SQLite then on ICON_TEST_DATABASE_URL.
reliability: install
	env -u ICON_TEST_DATABASE_URL ICON_RELIABILITY=1 $(BIN)/pytest tests/reliability -q -s -p no:randomly
	@if [ -n "$$ICON_TEST_DATABASE_URL" ]; then \
		echo "== reliability on PostgreSQL"; \
		ICON_RELIABILITY=1 $(BIN)/pytest tests/reliability -q -s -p no:randomly; fi

bench: install kannel
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done
