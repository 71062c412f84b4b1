# GHT Portal — the two commands: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install migrate lint bench stop clean

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 est requis ($(PYTHON) introuvable)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,local]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py rundemo

test: install
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run >/dev/null || { echo "Migrations manquantes : lancez makemigrations"; exit 1; }
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

stop: install
	$(BIN)/python -c "import sys; sys.path.insert(0, '.'); from ght_portal import embedded; embedded.stop_postgres(); embedded.stop_redis()"

clean: stop
	rm -rf var $(VENV)

bench: migrate
	$(BIN)/python -m bench
