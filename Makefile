# Tarjama: local development tasks. `make run` starts the whole desk on http://127.0.0.1:8000/.

PYTHON ?= python3
VENV := .venv
VENV_PYTHON := $(VENV)/bin/python
# Touched after a successful install: pip runs again only when requirements.txt is newer.
STAMP := $(VENV)/.installed

.PHONY: venv run test lint

venv: $(STAMP)

$(VENV_PYTHON):
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt | $(VENV_PYTHON)
	$(VENV_PYTHON) -m pip install -r requirements.txt
	touch $(STAMP)

run: venv
	$(VENV_PYTHON) scripts/run.py

test: venv
	bash scripts/test.sh

lint: venv
	$(VENV)/bin/ruff check .

.PHONY: bench
bench: venv
	$(VENV_PYTHON) bench/draft.py

.PHONY: bench-public
bench-public: venv
	$(VENV_PYTHON) bench/public.py

.PHONY: bench-memory
bench-memory: venv
	$(VENV_PYTHON) bench/memory.py

.PHONY: bench-load
bench-load: venv
	$(VENV_PYTHON) bench/load.py
