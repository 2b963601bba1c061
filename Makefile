# Borgercases – the only entry points a newcomer needs:
#   make run    build the site and start site + facilitator app (prints the addresses)
#   make serve  the facilitator app as APP_PROCESSES processes for nginx (server operation)
#   make test   lint, type check and run the whole test suite (installs Chromium if missing)
#   make test-fast  the quick tests only (no browser, PostgreSQL, site builds or app servers)
#   make site   build the static site into site/
#   make bench  print performance figures (not part of the tests)
#   make links  check the cases' resource links (needs internet; not part of the tests)

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
export NO_MKDOCS_2_WARNING := 1
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run serve test test-fast site bench links lint chromium postgresql nginx lock clean

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 kræves (fundet " + sys.version.split()[0] + ")")'
	@echo "Opretter Python-miljøet i $(VENV) …"
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@rm -f $(VENV)/.installed-*
	@touch $@

site: $(STAMP)
	$(BIN)/mkdocs build --strict --quiet

# scripts/run.py builds the site itself, with the app's address for the home page's link.
# `make run PHONES=1`: the participants' phones on the same network can join (README).
run: $(STAMP)
	@PHONES=$(PHONES) $(BIN)/python scripts/run.py

# Server operation behind nginx (README, "Drift på en server"): APP_PROCESSES app processes on
# 127.0.0.1:PORT, PORT+1, …, e.g. `make serve APP_PROCESSES=2 DATABASE_URL=postgresql://… PORT=8501`.
# DATABASE_URL, ALLOWED_HOSTS and STREAMLIT_SERVER_COOKIE_SECRET reach scripts/serve.py from the
# command line or the environment.
APP_PROCESSES ?= 1
PORT          ?= 8501
serve: $(STAMP)
	@APP_PROCESSES=$(APP_PROCESSES) PORT=$(PORT) $(BIN)/python scripts/serve.py

# Python, and the facilitator app's front-end code (facilitator/ui/assets: eslint, stylelint).
lint: $(STAMP) node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	npx --no-install eslint --max-warnings 0 facilitator/ui/assets
	npx --no-install stylelint --max-warnings 0 "facilitator/ui/assets/**/*.css"

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installerer Debians chromium til browsertestene …"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# The storage tests start their own throwaway server from Debian's postgresql (tests/postgres.py).
postgresql:
	@ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || { \
	  echo "Installerer Debians postgresql til databasetestene …"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql >/dev/null; }

# The proxy tests put nginx, with the configuration from the README, in front of the app
# (tests/nginx.py); they start it themselves in a temporary folder, never the system's service.
nginx:
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { \
	  echo "Installerer Debians nginx-light til proxytestene …"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nginx-light >/dev/null; }

# axe-core, the Nu Html Checker, Lighthouse, eslint and stylelint from the npm registry
# (package-lock.json).
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  echo "Installerer Node.js og npm til test- og måleværktøjerne …"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nodejs npm >/dev/null; }
	@command -v java >/dev/null 2>&1 || { \
	  echo "Installerer Java til Nu Html Checker …"; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq default-jre-headless >/dev/null; }
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

test: $(STAMP) chromium postgresql nginx node_modules/.installed lint
	$(BIN)/python -m pytest --durations=30

# Under a minute, while working: no lint, and nothing that needs Chromium, PostgreSQL or nginx,
# builds the site or starts an app server (the markers in tests/conftest.py). `make test` runs all.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not browser and not postgres" -q

# Load figures: 30 meetings typing for 60 s, on SQLite and PostgreSQL, and with the server
# killed (SIGKILL) and restarted halfway. Override with e.g. `make bench LOAD_SECONDS=20`.
LOAD_MEETINGS ?= 30
LOAD_SECONDS  ?= 60
# The bench's follower pages (participants' phones): PARTICIPANT_MEETINGS × PARTICIPANT_PAGES,
# 30 × 8 unless given, e.g. `make bench PARTICIPANT_MEETINGS=5`; the meetings change step
# over PARTICIPANT_SPREAD seconds (5).
export PARTICIPANT_MEETINGS PARTICIPANT_PAGES PARTICIPANT_SPREAD

bench: $(STAMP) chromium node_modules/.installed postgresql site
	$(BIN)/python -m bench
	@echo; echo "== Falske teamkoder: 16 og 64 samtidige angribere (scripts/code_flood.py)"
	@for n in 16 64; do $(BIN)/python scripts/code_flood.py --start-app --sessions $$n --seconds 20 || true; done
	@for args in "--backend sqlite" "--backend postgresql" "--backend sqlite --kill" "--backend postgresql --kill"; do \
	  echo; echo "== Last: $$args"; \
	  $(BIN)/python scripts/load.py --meetings $(LOAD_MEETINGS) --seconds $(LOAD_SECONDS) $$args || true; \
	done

# Check every resource link on the backs of the cards and ask the Internet Archive for its
# copy; writes includes/links.json (commit it) and prints a Danish summary. Needs internet,
# so it is not part of `make test`. Rebuild the site afterwards.
links: $(STAMP)
	$(BIN)/python scripts/check_links.py

# Regenerate requirements.lock after changing pyproject.toml.
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra dev -p 3.11 -o requirements.lock

clean:
	rm -rf site .pytest_cache .mypy_cache .ruff_cache
