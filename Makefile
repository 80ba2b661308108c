# Two commands on a fresh machine with Python 3.11+:
#   make run    start the dashboard on the bundled demo data
#   make test   run the whole test suite (unit, app and browser tests), as CI does
# While editing, `make check` runs the fast subset on every core (pytest-xdist): no browser tests (e2e), no fuzzing, kill or
# long-bootstrap tests (slow). See docs/benchmarks.md for how long each takes.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: run test check bench clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/streamlit run streamlit_app.py

test: $(STAMP)
	$(BIN)/python tools/ensure_browser.py
	$(BIN)/python -m pytest

check: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow and not e2e" -n auto --dist loadfile

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache
