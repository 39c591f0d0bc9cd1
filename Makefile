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

# The Nu HTML checker the suite runs (npm's vnu-jar, on Java). Without npm those tests skip with a message.
TOOLS := tests/tools/node_modules/.package-lock.json
$(TOOLS): tests/tools/package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --prefix tests/tools --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the HTML validation test will be skipped"; fi

test: venv $(TOOLS)
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

.PHONY: bench-quality
bench-quality: venv
	$(VENV_PYTHON) bench/quality.py

.PHONY: bench-watch
bench-watch: venv
	$(VENV_PYTHON) bench/watch.py

.PHONY: bench-wire
bench-wire: venv
	$(VENV_PYTHON) bench/wire.py

.PHONY: bench-archive
bench-archive: venv
	$(VENV_PYTHON) bench/archive.py

.PHONY: bench-load
bench-load: venv
	$(VENV_PYTHON) bench/load.py
