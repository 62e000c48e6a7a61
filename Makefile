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

test: $(STAMP) translations
	$(BIN)/python -m pytest

e2e: $(STAMP) translations
	$(BIN)/python -m pytest -m e2e

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
