# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test e2e translations lint clean

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

# Compiled catalogues are build output; the .po sources are in git.
translations: $(STAMP)
	$(BIN)/pybabel -q compile --use-fuzzy -d translations

run: $(STAMP) translations
	$(BIN)/python run.py

# Two processes (pytest-xdist), one per core: ~30 minutes of tests in ~15 (2026-11-27). Work is
# stolen by the idle process at the end, so one long module never runs alone. A single file runs
# in one process: .venv/bin/python -m pytest tests/test_cli.py
PARALLEL := -n 2 --dist worksteal
# More options for pytest: make test PYTEST_ARGS='-m "not cluster"'
PYTEST_ARGS ?=

test: $(STAMP) translations
	$(BIN)/python -m pytest $(PARALLEL) $(PYTEST_ARGS)

e2e: $(STAMP) translations
	$(BIN)/python -m pytest $(PARALLEL) -m e2e

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache

# Re-extract the marked strings and merge them into the pl and en catalogues;
# then translate the new entries in translations/pl/LC_MESSAGES/messages.po.
.PHONY: messages
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --sort-by-file \
		--project="Wspólne Projekty" -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations -l pl --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel update -i translations/messages.pot -d translations -l en --no-fuzzy-matching --ignore-obsolete
